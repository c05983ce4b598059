//! The job payload's JSON shape, shared with the web layer's `OutgoingEmail` (which has the
//! mirror-image test against the same document).

use safir_notify::EmailMessage;

const DOCUMENT: &str =
    r#"{"to":"citizen@example.org","lang":"ar","subject":"تأكيد البريد","text":"مرحبا\nسطر ثان"}"#;

#[test]
fn the_payload_document_reads_and_writes_back_unchanged() {
    let m: EmailMessage = serde_json::from_str(DOCUMENT).unwrap();
    assert_eq!(m.to, "citizen@example.org");
    assert_eq!(m.lang, "ar");
    assert_eq!(m.subject, "تأكيد البريد");
    assert_eq!(m.text, "مرحبا\nسطر ثان");
    let back = serde_json::to_value(&m).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(DOCUMENT).unwrap()
    );
}

#[test]
fn a_payload_missing_a_field_is_refused() {
    let v = r#"{"to":"citizen@example.org","lang":"ar","subject":"x"}"#;
    assert!(serde_json::from_str::<EmailMessage>(v).is_err());
}
