//! Applying for a passport renewal in a real headless Chromium with the interface in Arabic:
//! sign up, verify the email, sign in, find the Paris embassy's service, fill the form, see a
//! wrong passport number refused next to its field with the rest kept, see a failed automatic
//! save reported, correct it, submit, and find the reference on the case page and in the
//! email. And an officer of the demo deciding a case under review, in Arabic: one choice,
//! the inputs of the chosen move shown under it. And a citizen abroad filling an emergency
//! request's coordinates from the device's position, or told when it cannot be read, and the
//! safety check-in's "share my location", the same script.
//!
//! Needs Debian's `chromium` and `chromium-driver`; skipped without them unless
//! `SAFIR_TEST_REQUIRE` includes `browser`.

use serde_json::json;

use crate::browser_support::{Driver, checkin_link, eventually, header, link_from_mail, mails_to};
use crate::support::{Server, TempDir, run, serve_demo};

const EMAIL: &str = "layla.applicant@example.org";
const PASSWORD: &str = "a long passphrase for the consulate";
/// The demo catalogue's Arabic name for the Paris embassy's passport renewal.
const RENEWAL_AR: &str = "تجديد جواز السفر";
/// The demo catalogue's Arabic name for a mission's emergency assistance.
const EMERGENCY_AR: &str = "مساعدة طارئة";

/// The Arabic text of a single-line message in `locales/ar/<file>.ftl`: the test checks
/// what the user reads, without copying the wording here.
fn ar(file: &str, key: &str) -> String {
    let path = format!(
        "{}/../safir-web/locales/ar/{file}.ftl",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let prefix = format!("{key} =");
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(str::trim)
        .unwrap_or_else(|| panic!("{key} is not in {path}"));
    assert!(
        value
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "{key} is not a single line of Arabic: {value:?}"
    );
    value.to_owned()
}

/// What the applicant types, by input name; the dates go through the date inputs.
const TYPED: &[(&str, &str)] = &[
    ("surname", "الهاشمي"),
    ("given_names", "ليلى أحمد"),
    ("birth_place", "الرباط"),
    ("phone", "+33 6 12 34 56 78"),
];
const DATES: &[(&str, &str)] = &[
    ("birth_date", "1988-04-23"),
    ("passport_expiry", "2027-01-15"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_applies_for_a_passport_renewal_in_arabic_in_chromium() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let data = TempDir::new("safir-browser-consular");
    let d = data.path().display().to_string();
    let seeded = run(&["demo", "--seed-only"], &[("SAFIR_DATA_DIR", &d)]);
    assert!(
        seeded.status.success(),
        "demo seeding failed: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let server = Server::start(
        &["serve"],
        &[("SAFIR_DATA_DIR", &d), ("SAFIR_MAIL_TRANSPORT", "file")],
    );
    let mail_dir = data.path().join("mail");

    // Sign up, verify the address from the captured email, sign out and back in.
    driver.go(&server.url("/sign-up")).await;
    assert_eq!(driver.html_attr("dir").await, "rtl");
    driver
        .fill("input[name=display_name]", "ليلى الهاشمي")
        .await;
    driver.fill("input[name=email]", EMAIL).await;
    driver.fill("input[name=password]", PASSWORD).await;
    driver.fill("input[name=password_confirm]", PASSWORD).await;
    driver
        .click("form[action='/sign-up'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/account");
    let link = eventually("no verification email arrived", || {
        link_from_mail(&mail_dir, EMAIL, "/verify-email?token=")
    })
    .await;
    driver.go(&link).await;
    assert_eq!(
        driver.text("h1").await,
        ar("accounts", "accounts-verify-confirm-title")
    );
    driver
        .click("form[action='/verify-email'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/account");
    assert!(
        driver
            .source()
            .await
            .contains(&ar("accounts", "accounts-notice-verified"))
    );
    driver.go(&server.url("/account")).await;
    driver
        .click("form[action='/sign-out'] button[type=submit]")
        .await;
    driver.go(&server.url("/sign-in")).await;
    driver.fill("input[name=email]", EMAIL).await;
    driver.fill("input[name=password]", PASSWORD).await;
    driver
        .click("form[action='/sign-in'] button[type=submit]")
        .await;
    assert_eq!(driver.path().await, "/account");

    // The catalogue, the Paris embassy's passport renewal, "apply online".
    driver.go(&server.url("/consular")).await;
    assert_eq!(driver.text("h1").await, ar("consular", "consular-title"));
    driver
        .click_xpath(&format!(
            "//section[@aria-labelledby='mission-PAR']//a[normalize-space()='{RENEWAL_AR}']"
        ))
        .await;
    assert!(driver.path().await.starts_with("/consular/services/"));
    assert_eq!(driver.text("h1").await, RENEWAL_AR);
    driver
        .click_xpath(&format!(
            "//form[contains(@action, '/apply')]//button[normalize-space()='{}']",
            ar("consular", "consular-apply")
        ))
        .await;
    let edit_path = driver.path().await;
    let case_path = edit_path
        .strip_suffix("/edit")
        .filter(|p| p.starts_with("/account/cases/"))
        .unwrap_or_else(|| panic!("applying did not open a draft: {edit_path}"))
        .to_owned();

    // Fill the form, with a passport number no passport carries.
    for (name, value) in TYPED {
        driver.fill(&format!("input[name={name}]"), value).await;
    }
    for (name, value) in DATES {
        driver
            .set_value(&format!("input[name={name}]"), value)
            .await;
    }
    driver
        .fill("input[name=passport_number]", "AB12*4567")
        .await;
    driver.tap("input[name=collection][value=mission]").await;
    driver.click("button[name=intent][value=submit]").await;

    // Refused: the Arabic message sits next to the passport number, nothing else is wrong,
    // and everything typed is still there.
    assert_eq!(driver.path().await, edit_path);
    assert_eq!(driver.html_attr("dir").await, "rtl");
    assert_eq!(
        driver
            .text("input[name=passport_number] ~ p.field-error")
            .await,
        ar(
            "consular",
            "field-error-consular-passport-number-invalid-character"
        )
    );
    let described = driver
        .script(
            "const i = document.querySelector('input[name=passport_number]');
             return [i.getAttribute('aria-invalid'), i.getAttribute('aria-describedby'),
                     document.querySelectorAll('.field-error').length,
                     document.querySelector('input[name=collection][value=mission]').checked];",
            json!([]),
        )
        .await;
    assert_eq!(described[0], "true");
    assert!(
        described[1]
            .as_str()
            .is_some_and(|ids| ids.split(' ').any(|id| id == "field-passport_number-error")),
        "the error is not tied to the input: {described}"
    );
    assert_eq!(described[2], 1, "only the passport number is wrong");
    assert_eq!(
        described[3], true,
        "collection at the mission is still chosen"
    );
    for (name, value) in TYPED.iter().chain(DATES) {
        assert_eq!(
            driver.value(&format!("input[name={name}]")).await,
            *value,
            "{name} was not kept"
        );
    }
    assert_eq!(
        driver.value("input[name=passport_number]").await,
        "AB12*4567"
    );

    // A save made as the applicant types that fails (here its form token is refused) says so
    // where the time of the last save was shown; then the token is put back.
    let token = driver
        .script(
            "const t = document.querySelector('form.application-form input[name=csrf_token]');
             const kept = t.value;
             t.value = 'stale';
             document.querySelector('input[name=birth_place]')
               .dispatchEvent(new Event('change', { bubbles: true }));
             return kept;",
            json!([]),
        )
        .await;
    wait_for_text(
        &driver,
        "#autosave-status",
        &ar("consular", "apply-autosave-failed"),
        "the failed save is not reported",
    )
    .await;
    driver
        .script(
            "document.querySelector('form.application-form input[name=csrf_token]').value = arguments[0];
             return true;",
            json!([token]),
        )
        .await;

    // Corrected and submitted: the case page shows the reference and the state.
    let year_before = chrono::Utc::now().format("%Y").to_string();
    driver
        .fill("input[name=passport_number]", "AB1234567")
        .await;
    driver.click("button[name=intent][value=submit]").await;
    let year_after = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(driver.path().await, case_path);
    assert_eq!(driver.html_attr("dir").await, "rtl");
    assert_eq!(driver.html_attr("lang").await, "ar");
    let reference = driver.text("h1 span[dir=ltr]").await;
    let number = [&year_before, &year_after]
        .iter()
        .find_map(|y| reference.strip_prefix(&format!("PAR-{y}-")))
        .unwrap_or_else(|| panic!("not a Paris reference for this year: {reference:?}"));
    assert!(
        number.len() == 6 && number.chars().all(|c| c.is_ascii_digit()),
        "{reference:?}"
    );
    let submitted = ar("consular", "case-state-submitted");
    assert_eq!(driver.text("#case-state").await, submitted);
    let page = driver.source().await;
    assert!(page.contains("AB1234567") && page.contains("الهاشمي"));

    // The email about the submission carries the reference and the state in its subject.
    let subject = eventually("no email with the case reference arrived", || {
        mails_to(&mail_dir, EMAIL)
            .iter()
            .filter_map(|m| header(m, "Subject"))
            .find(|s| s.contains(&reference))
    })
    .await;
    assert!(
        subject.starts_with(&reference) && subject.contains(&submitted),
        "the subject does not give the state: {subject:?}"
    );
    let _ = driver.cmd(reqwest::Method::DELETE, "", None).await;
}

/// An officer of the demo's Paris embassy decides a case under review, in Arabic: the page
/// offers the decision as one choice, whose inputs stay out of the way until chosen; asking
/// for information shows its box (and only it), and sending it moves the case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_decides_a_case_in_one_form_in_chromium() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let (_dir, accounts, server) = serve_demo("safir-browser-decision", &[]);
    driver.go(&server.url("/healthz")).await;
    driver
        .sign_in_demo(
            &server.base,
            &accounts,
            Some("consul.paris@demo.safir.example"),
        )
        .await;
    driver.go(&server.url("/missions/PAR/cases?lang=ar")).await;
    let cases = driver
        .script(
            "return Array.from(document.querySelectorAll('main table a[href*=\"/cases/\"]'), a => a.href)",
            json!([]),
        )
        .await;
    let mut under_review = None;
    for case in cases
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
    {
        driver.go(case).await;
        // Under review: the decision form offers all three moves (a case waiting for
        // information offers it too, with the refusal alone).
        let found = driver
            .script(
                "return !!document.getElementById('action-request_info')",
                json!([]),
            )
            .await;
        if found == json!(true) {
            under_review = Some(case.to_owned());
            break;
        }
    }
    assert!(
        under_review.is_some(),
        "the demo has a Paris case under review"
    );

    let shown = |id: &'static str| {
        let driver = &driver;
        async move {
            driver
                .script(
                    "const e = document.getElementById(arguments[0]);
                     return !!e && e.getClientRects().length > 0;",
                    json!([id]),
                )
                .await
                == json!(true)
        }
    };
    for id in [
        "field-request",
        "field-approve_message",
        "field-reject_reason",
    ] {
        assert!(!shown(id).await, "{id} shows before any decision is chosen");
    }
    driver.tap("#action-request_info").await;
    assert!(
        shown("field-request").await,
        "asking for information shows its box"
    );
    assert!(!shown("field-approve_message").await);
    assert!(!shown("field-reject_reason").await);
    driver
        .fill("#field-request", "يرجى إرسال صورة أوضح لجواز السفر.")
        .await;
    driver.click("#case-decision button[type=submit]").await;
    assert_eq!(
        driver.text("#case-state").await,
        ar("consular", "case-state-needs-info")
    );
    let _ = driver.cmd(reqwest::Method::DELETE, "", None).await;
}

/// Polls the text of `css` every 200 ms until it is `want`; fails with what it was.
async fn wait_for_text(driver: &Driver, css: &str, want: &str, what: &str) {
    let mut shown = String::new();
    for _ in 0..75 {
        shown = driver.text(css).await;
        if shown == want {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("{what}: {css} says {shown:?}, not {want:?}");
}

/// With the device's position emulated as `position` (`{}`: none to be had), the location
/// button `button` is pressed, and it says `said` where its `data-status` names.
async fn locate(driver: &Driver, button: &str, position: serde_json::Value, said: &str) {
    driver
        .cdp("Emulation.setGeolocationOverride", position)
        .await;
    driver.tap(button).await;
    let status = driver
        .script(
            "return document.querySelector(arguments[0]).dataset.status",
            json!([button]),
        )
        .await;
    let status = format!("#{}", status.as_str().expect("the button names its status"));
    wait_for_text(
        driver,
        &status,
        said,
        &format!("{button} did not say {said}"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_abroad_fills_the_emergency_location_from_the_device_in_chromium() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    // The demo alert's text messages go to a file, where the check-in link is found.
    let (dir, accounts, server) =
        serve_demo("safir-browser-locate", &[("SAFIR_SMS_GATEWAY", "file")]);
    driver.go(&server.url("/healthz")).await;
    driver
        .sign_in_demo(&server.base, &accounts, Some("citizen@demo.safir.example"))
        .await;
    driver.go(&server.url("/consular?lang=ar")).await;
    driver
        .click_xpath(&format!(
            "//section[@aria-labelledby='mission-NBO']//a[normalize-space()='{EMERGENCY_AR}']"
        ))
        .await;
    driver
        .click_xpath("//form[contains(@action, '/apply')]//button")
        .await;
    let edit_path = driver.path().await;
    assert!(
        edit_path.starts_with("/account/cases/") && edit_path.ends_with("/edit"),
        "applying did not open a draft: {edit_path}"
    );

    // The device is in central Nairobi, and the page may ask for its position.
    driver
        .cdp(
            "Browser.grantPermissions",
            json!({"origin": server.base, "permissions": ["geolocation"]}),
        )
        .await;
    let nairobi = json!({"latitude": -1.283_331, "longitude": 36.816_67, "accuracy": 20});
    locate(
        &driver,
        "#locate-button",
        nairobi.clone(),
        &ar("consular", "apply-location-filled"),
    )
    .await;
    assert_eq!(driver.value("#field-latitude").await, "-1.28333");
    assert_eq!(driver.value("#field-longitude").await, "36.81667");
    // Saved with the draft, as if typed: opened again, the coordinates are there.
    let mut saved = String::new();
    for _ in 0..75 {
        saved = driver.text("#autosave-status").await;
        if !saved.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        !saved.is_empty() && saved != ar("consular", "apply-autosave-failed"),
        "the filled position was not saved: {saved:?}"
    );
    driver.go(&server.url(&edit_path)).await;
    assert_eq!(driver.value("#field-latitude").await, "-1.28333");
    assert_eq!(driver.value("#field-longitude").await, "36.81667");

    // A device that cannot tell its position: said beside the button, nothing typed lost.
    locate(
        &driver,
        "#locate-button",
        json!({}),
        &ar("consular", "apply-location-failed"),
    )
    .await;
    assert_eq!(driver.value("#field-latitude").await, "-1.28333");

    // The safety check-in's "Share my location", the same script: the answer's hidden fields.
    driver.sign_in_demo(&server.base, &accounts, None).await;
    driver
        .go(&server.url(&checkin_link(dir.path()).await))
        .await;
    locate(
        &driver,
        "#checkin-locate",
        nairobi,
        &ar("crisis_board", "checkin-location-shared"),
    )
    .await;
    assert_eq!(driver.value("#checkin-lat").await, "-1.28333");
    assert_eq!(driver.value("#checkin-lon").await, "36.81667");
    let _ = driver.cmd(reqwest::Method::DELETE, "", None).await;
}
