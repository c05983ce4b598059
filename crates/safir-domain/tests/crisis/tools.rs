//! External checkers. A missing tool skips its check with a message, unless
//! `SAFIR_TEST_REQUIRE` names it, in which case the test fails.

use std::process::{Command, Stdio};

fn required(tool: &str) -> bool {
    std::env::var("SAFIR_TEST_REQUIRE")
        .map(|v| v.split(',').any(|t| t.trim() == tool))
        .unwrap_or(false)
}

/// Whether `tool --version` runs; panics when it does not and the environment requires it.
pub fn available(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !required(tool),
            "SAFIR_TEST_REQUIRE includes {tool} but it is not installed"
        );
        eprintln!("skipping the {tool} check: it is not installed");
    }
    ok
}

/// Validates `xml` against the schema at `xsd` with xmllint; `Err` carries its complaint.
pub fn xmllint_validate(xml: &str, xsd: &str, name: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("safir-xmllint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join(name);
    std::fs::write(&file, xml).map_err(|e| e.to_string())?;
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", xsd])
        .arg(&file)
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&file);
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
