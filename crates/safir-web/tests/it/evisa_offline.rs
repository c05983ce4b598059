//! The offline check exactly as `docs/consular.md` documents it: the published PEM key and
//! the shell (OpenSSL) and Python snippets, run for real on a visa this server issued.
//! Skipped with a message when the tool is missing, unless `SAFIR_TEST_REQUIRE` names it.

use std::path::Path;
use std::process::Command;

use safir_store::testing::required;

use crate::evisa::issue;
use crate::harness::{TestApp, unique_email};

/// The fenced code block after `<!-- offline-check:{name} -->` in the consular docs.
fn documented_snippet(name: &str) -> String {
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/consular.md"),
    )
    .expect("docs/consular.md");
    let marker = format!("<!-- offline-check:{name} -->");
    let after = &docs[docs.find(&marker).unwrap_or_else(|| panic!("no {marker}")) + marker.len()..];
    let start = after.find("```").unwrap();
    let body = &after[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_owned()
}

/// Whether `program` answers `probe`; when not, the test is skipped unless
/// `SAFIR_TEST_REQUIRE` names `token` (the program, or the package the probe imports).
fn available(token: &str, program: &str, probe: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !required(token),
            "SAFIR_TEST_REQUIRE includes {token} but {program} cannot use it"
        );
        eprintln!("skipping the documented offline check with {program}: not available");
    }
    ok
}

struct Setup {
    dir: std::path::PathBuf,
    code: String,
    forged: String,
}

async fn setup(app: &TestApp) -> Setup {
    let mission = app.mission("PAR", "FR").await;
    let holder = app.public_user(&unique_email("holder")).await;
    let visa = issue(app, &mission, &holder.id, -1, 30).await;
    let other = issue(app, &mission, &holder.id, -1, 60).await;
    let keys = app.client().get("/verify/keys").await;
    assert_eq!(keys.status, 200);
    let keys = keys.json();
    let key = &keys["keys"][0];
    assert_eq!(key["algorithm"], "Ed25519");
    assert_eq!(key["key_id"], visa.key_id);
    let dir = std::env::temp_dir().join(format!("safir-offline-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("key.pem"), key["public_key_pem"].as_str().unwrap()).unwrap();
    Setup {
        dir,
        code: visa.code(),
        forged: format!("{}.{}", visa.payload, other.signature),
    }
}

#[tokio::test]
async fn the_documented_openssl_check_accepts_a_visa_and_rejects_a_forgery() {
    if !available("openssl", "openssl", &["version"]) {
        return;
    }
    let app = TestApp::sqlite().await;
    let s = setup(&app).await;
    let script = documented_snippet("openssl");
    let run = |code: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(&script)
            .env("CODE", code)
            .current_dir(&s.dir)
            .output()
            .unwrap()
    };
    let ok = run(&s.code);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success() && stdout.contains("Signature Verified Successfully"),
        "{stdout} {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(!run(&s.forged).status.success());
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[tokio::test]
async fn the_documented_python_check_accepts_a_visa_and_rejects_a_forgery() {
    // The Python check needs the `cryptography` package; it is the second documented method.
    if !available("cryptography", "python3", &["-c", "import cryptography"]) {
        return;
    }
    let app = TestApp::sqlite().await;
    let s = setup(&app).await;
    std::fs::write(s.dir.join("check.py"), documented_snippet("python")).unwrap();
    let run = |code: &str| {
        Command::new("python3")
            .args(["check.py", code, "key.pem"])
            .current_dir(&s.dir)
            .output()
            .unwrap()
    };
    let url = format!("http://safir.test/verify?v={}", s.code);
    let ok = run(&url);
    assert!(
        ok.status.success() && String::from_utf8_lossy(&ok.stdout).contains("signature valid"),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(!run(&s.forged).status.success());
    let _ = std::fs::remove_dir_all(&s.dir);
}
