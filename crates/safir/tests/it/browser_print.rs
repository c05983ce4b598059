//! What people print, printed from its page in a real headless Chromium and read back with
//! poppler's `pdftotext`:
//! - an e-visa, on A4 and on US Letter, with the interface in Arabic and in English, is one
//!   sheet, and that sheet carries the code's checking address, so a border officer holding
//!   the printout can check it without the code; once revoked it still is one sheet, and says
//!   so;
//! - a list of one's appointments keeps what it says (the day and time, the place) and leaves
//!   out what can only be clicked (book another, move, cancel, the way back).
//!
//! Needs Debian's `chromium` and `chromium-driver`, and `pdftotext`; skipped without them
//! unless `SAFIR_TEST_REQUIRE` names them.

use base64::Engine;
use serde_json::{Value, json};

use crate::browser_support::Driver;
use crate::support::{Server, serve_demo};

/// The demo's foreign applicant, whose tourist visa to Dubai is approved.
const HOLDER: &str = "visitor@demo.safir.example";
/// The consular officer of the mission that issued it (Dubai).
const ISSUER: &str = "consul.dubai@demo.safir.example";
/// The demo citizen, with appointments booked.
const CITIZEN: &str = "citizen@demo.safir.example";

/// The page open in the browser printed on a sheet `width` × `height` centimetres (with the
/// browser's own margins): the text of each sheet, or `None` without `pdftotext`.
async fn print(
    driver: &Driver,
    width: f64,
    height: f64,
    dir: &std::path::Path,
) -> Option<Vec<String>> {
    let printed = driver
        .cmd(
            reqwest::Method::POST,
            "/print",
            Some(json!({"page": {"width": width, "height": height}, "background": true})),
        )
        .await;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(printed.as_str().expect("a printout"))
        .unwrap();
    let path = dir.join("printed.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        // Each sheet ends with a form feed.
        Ok(o) if o.status.success() => Some(
            String::from_utf8_lossy(&o.stdout)
                .split('\u{c}')
                .filter(|p| !p.trim().is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => {
            assert!(
                !safir_store::testing::required("pdftotext"),
                "SAFIR_TEST_REQUIRE includes pdftotext but it is not installed"
            );
            eprintln!("skipping the printouts: pdftotext is not installed");
            None
        }
    }
}

/// The e-visa page `evisa` printed on A4 and on US Letter, with the interface in Arabic and
/// in English: each printout is one sheet (`what` names the visa when it is not), given with
/// where it was printed; `None` without `pdftotext`.
async fn print_evisa(
    driver: &Driver,
    server: &Server,
    evisa: &str,
    dir: &std::path::Path,
    what: &str,
) -> Option<Vec<(String, String)>> {
    let mut sheets = Vec::new();
    for (sheet, width, height) in [("A4", 21.0, 29.7), ("US Letter", 21.59, 27.94)] {
        for lang in ["ar", "en"] {
            driver
                .go(&server.url(&format!("{evisa}?lang={lang}")))
                .await;
            let pages = print(driver, width, height, dir).await?;
            let at = format!("{sheet}, {lang}");
            assert_eq!(
                pages.len(),
                1,
                "{at}: {what} printed on {} sheets:\n{}",
                pages.len(),
                pages.join("\n---- next sheet ----\n")
            );
            sheets.extend(pages.into_iter().map(|p| (at.clone(), p)));
        }
    }
    Some(sheets)
}

async fn strings(driver: &Driver, script: &str) -> Vec<String> {
    let v = driver.script(script, json!([])).await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printouts_are_the_document_alone_and_an_evisa_is_one_sheet() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let (dir, accounts, server) = serve_demo("safir-print", &[]);
    driver.go(&server.url("/healthz")).await;

    // The e-visa, from the holder's applications.
    driver
        .sign_in_demo(&server.base, &accounts, Some(HOLDER))
        .await;
    driver.go(&server.url("/account/cases")).await;
    let cases = strings(
        &driver,
        "return Array.from(document.querySelectorAll('main a[href^=\"/account/cases/\"]'), a => a.href)",
    )
    .await;
    let mut evisa = None;
    for case in cases {
        driver.go(&case).await;
        let link = strings(
            &driver,
            "return Array.from(document.querySelectorAll('main a[href^=\"/evisas/\"]'), a => a.getAttribute('href'))",
        )
        .await;
        if let Some(link) = link.into_iter().next() {
            evisa = Some(link);
            break;
        }
    }
    let evisa = evisa.expect("the demo holder has an e-visa");
    let Some(sheets) = print_evisa(&driver, &server, &evisa, dir.path(), "the e-visa").await else {
        return;
    };
    for (at, sheet) in sheets {
        // The address may be broken across lines after its `?`.
        assert!(
            sheet.contains("/verify?"),
            "{at}: no checking address on the sheet:\n{sheet}"
        );
    }

    // Revoked by the mission, it still prints on one sheet, and the sheet says it is revoked
    // (in both languages, whatever the interface's), so a printout kept from before cannot
    // pass for a valid one beside a new print.
    driver
        .sign_in_demo(&server.base, &accounts, Some(ISSUER))
        .await;
    driver.go(&server.url(&format!("{evisa}?lang=en"))).await;
    driver
        .fill("textarea[name=reason]", "Entry refused at the border")
        .await;
    driver.click(".evisa-revoke button[type=submit]").await;
    driver.element(".evisa-revoked").await;
    driver
        .sign_in_demo(&server.base, &accounts, Some(HOLDER))
        .await;
    let Some(sheets) =
        print_evisa(&driver, &server, &evisa, dir.path(), "the revoked e-visa").await
    else {
        return;
    };
    for (at, sheet) in sheets {
        // pdftotext may break the English line anywhere; the words are in order.
        let words: Vec<&str> = sheet.split_whitespace().collect();
        assert!(
            words
                .windows(4)
                .any(|w| w == ["has", "been", "revoked", "and"]),
            "{at}: the sheet does not say the visa is revoked:\n{sheet}"
        );
        assert!(
            !sheet.contains("Entry refused"),
            "{at}: the holder's sheet carries the mission's reason:\n{sheet}"
        );
    }

    // The citizen's appointments: what they say, not what can be clicked.
    driver
        .sign_in_demo(&server.base, &accounts, Some(CITIZEN))
        .await;
    driver
        .go(&server.url("/account/appointments?lang=en"))
        .await;
    let times = strings(
        &driver,
        "return Array.from(document.querySelectorAll('main td time'), t => t.textContent.trim())",
    )
    .await;
    assert!(!times.is_empty(), "the demo citizen has appointments");
    let controls = strings(
        &driver,
        "return Array.from(document.querySelectorAll(
           'main button, main a.button, main .actions a, main .breadcrumb a'), e => e.textContent.trim())",
    )
    .await;
    assert!(controls.len() >= 4, "{controls:?}");
    let Some(pages) = print(&driver, 21.0, 29.7, dir.path()).await else {
        return;
    };
    let text = pages.join("\n");
    for time in &times {
        assert!(
            text.contains(time.as_str()),
            "{time} is not printed:\n{text}"
        );
    }
    for control in &controls {
        assert!(
            !text.contains(control.as_str()),
            "\"{control}\" is printed:\n{text}"
        );
    }
}
