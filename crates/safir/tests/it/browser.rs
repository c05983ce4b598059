//! The core account story in a real headless Chromium, through chromedriver: sign up, verify
//! the email from the captured message, sign in with two-factor, switch Arabic/English and
//! check the direction, sign out.
//!
//! Needs Debian's `chromium` and `chromium-driver`; skipped without them unless
//! `SAFIR_TEST_REQUIRE` includes `browser`.

use std::time::{Duration, Instant};

use crate::browser_support::{Driver, link_from_mail};
use crate::support::{Server, TempDir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_verify_two_factor_languages_and_sign_out_in_chromium() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let data = TempDir::new("safir-browser");
    let d = data.path().display().to_string();
    let server = Server::start(
        &["serve"],
        &[("SAFIR_DATA_DIR", &d), ("SAFIR_MAIL_TRANSPORT", "file")],
    );

    // Sign up (the interface starts in Arabic, right to left).
    driver.go(&server.url("/sign-up")).await;
    assert_eq!(driver.html_attr("dir").await, "rtl");
    let email = "browser.user@example.org";
    driver
        .fill("input[name=display_name]", "مستخدم المتصفح")
        .await;
    driver.fill("input[name=email]", email).await;
    driver
        .fill("input[name=password]", "a long browser passphrase")
        .await;
    driver
        .fill("input[name=password_confirm]", "a long browser passphrase")
        .await;
    driver
        .click("form[action='/sign-up'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/account");

    // Verify the email from the captured message.
    let mail_dir = data.path().join("mail");
    let deadline = Instant::now() + Duration::from_secs(30);
    let link = loop {
        if let Some(l) = link_from_mail(&mail_dir, email, "/verify-email?token=") {
            break l;
        }
        assert!(Instant::now() < deadline, "no verification email arrived");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    driver.go(&link).await;
    driver
        .click("form[action='/verify-email'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/account");
    let page = driver.source().await;
    assert!(
        !page.contains("/account/verify-email/resend"),
        "verification failed: {page}"
    );

    // Turn on two-factor, read the secret from the page, confirm with a code.
    driver.go(&server.url("/account/two-factor/setup")).await;
    let page = driver.source().await;
    let secret = page
        .split("secret=")
        .nth(1)
        .and_then(|s| s.split(['&', '"', '<']).next())
        .expect("the setup page shows the otpauth secret")
        .to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = safir_store::accounts::totp::code_at(&secret, now).unwrap();
    driver.fill("input[name=code]", &code).await;
    driver
        .fill("input[name=password]", "a long browser passphrase")
        .await;
    driver
        .click("form[action='/account/two-factor/setup'] button[type=submit]")
        .await;

    // Sign out, then sign in again with the password and the next code.
    driver.go(&server.url("/account")).await;
    driver
        .click("form[action='/sign-out'] button[type=submit]")
        .await;
    driver.go(&server.url("/sign-in")).await;
    driver.fill("input[name=email]", email).await;
    driver
        .fill("input[name=password]", "a long browser passphrase")
        .await;
    driver
        .click("form[action='/sign-in'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/sign-in/two-factor");
    let code = safir_store::accounts::totp::code_at(&secret, now + 30).unwrap();
    driver.fill("input[name=code]", &code).await;
    driver
        .click("form[action='/sign-in/two-factor'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/account");

    // Switch languages with the switcher link.
    assert_eq!(driver.html_attr("lang").await, "ar");
    driver.click(".lang-switch a").await;
    assert_eq!(driver.html_attr("lang").await, "en");
    assert_eq!(driver.html_attr("dir").await, "ltr");
    driver.click(".lang-switch a").await;
    assert_eq!(driver.html_attr("dir").await, "rtl");

    // Sign out: the account page now asks to sign in.
    driver
        .click("form[action='/sign-out'] button[type=submit]")
        .await;
    driver.go(&server.url("/account")).await;
    assert_eq!(driver.path().await, "/sign-in");
    let _ = driver.cmd(reqwest::Method::DELETE, "", None).await;
}
