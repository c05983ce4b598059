//! An e-visa printed from its page in a real headless Chromium: on A4 and on US Letter, with
//! the interface in Arabic and in English, it is one sheet, and that sheet carries the code's
//! checking address, so a border officer holding the printout can check it without the code.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and poppler's `pdftotext` to read the
//! printout; skipped without them unless `SAFIR_TEST_REQUIRE` names them.

use base64::Engine;
use serde_json::json;

use crate::browser_support::Driver;
use crate::support::{Server, TempDir, seed_demo, sign_in_demo};

/// The demo's foreign applicant, whose tourist visa to Dubai is approved.
const HOLDER: &str = "visitor@demo.safir.example";

/// The text of each page of a PDF, as `pdftotext` reads it (pages end with a form feed).
fn pages(pdf: &[u8], dir: &std::path::Path) -> Option<Vec<String>> {
    let path = dir.join("printed.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            Some(
                text.split('\u{c}')
                    .filter(|p| !p.trim().is_empty())
                    .map(str::to_owned)
                    .collect(),
            )
        }
        _ => {
            assert!(
                !safir_store::testing::required("pdftotext"),
                "SAFIR_TEST_REQUIRE includes pdftotext but it is not installed"
            );
            eprintln!("skipping the printed e-visa: pdftotext is not installed");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printed_evisa_is_one_sheet_with_its_checking_address() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let dir = TempDir::new("safir-evisa-print");
    let data_dir = dir.path().display().to_string();
    let env = [
        ("SAFIR_DATA_DIR", data_dir.as_str()),
        ("SAFIR_MAIL_TRANSPORT", "file"),
    ];
    let accounts = seed_demo(dir.path(), &env);
    let server = Server::start(&["serve"], &env);
    driver.go(&server.url("/healthz")).await;
    let cookie = sign_in_demo(&server.base, &accounts, HOLDER);
    driver
        .cmd(
            reqwest::Method::POST,
            "/cookie",
            Some(json!({"cookie": {"name": "safir_session", "value": cookie, "path": "/"}})),
        )
        .await;

    // The e-visa, from the holder's applications.
    driver.go(&server.url("/account/cases")).await;
    let cases = driver
        .script(
            "return Array.from(document.querySelectorAll('main a[href^=\"/account/cases/\"]'), a => a.href)",
            json!([]),
        )
        .await;
    let mut evisa = None;
    for case in cases.as_array().unwrap() {
        driver.go(case.as_str().unwrap()).await;
        let link = driver
            .script(
                "const a = document.querySelector('main a[href^=\"/evisas/\"]'); return a && a.getAttribute('href')",
                json!([]),
            )
            .await;
        if let Some(link) = link.as_str() {
            evisa = Some(link.to_owned());
            break;
        }
    }
    let evisa = evisa.expect("the demo holder has an e-visa");

    // Sheets in centimetres, with the browser's own margins.
    for (sheet, width, height) in [("A4", 21.0, 29.7), ("US Letter", 21.59, 27.94)] {
        for lang in ["ar", "en"] {
            driver
                .go(&server.url(&format!("{evisa}?lang={lang}")))
                .await;
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
            let Some(pages) = pages(&pdf, dir.path()) else {
                return;
            };
            assert_eq!(
                pages.len(),
                1,
                "{sheet}, {lang}: the e-visa printed on {} sheets:\n{}",
                pages.len(),
                pages.join("\n---- next sheet ----\n")
            );
            assert!(
                pages[0].contains("/verify?"),
                "{sheet}, {lang}: no checking address on the sheet:\n{}",
                pages[0]
            );
        }
    }
}
