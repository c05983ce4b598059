//! Any input, no panic: random bytes and strings through decode, repair,
//! normalize, tokenize and analyze, bounded in time (the fuzz target covers
//! the same ground without a bound).

use proptest::prelude::*;
use safir_text::{
    NormalizeOptions, decode, decode_lossy, normalize, normalize_with, repair, tokenize,
};

fn check(text: &str) {
    let repaired = repair(text);
    assert_eq!(repaired.matches('\n').count(), text.matches('\n').count());
    let once = normalize(text);
    assert_eq!(normalize(&once), once);
    let _ = normalize_with(text, &NormalizeOptions::social());
    for t in tokenize(text) {
        assert!(t.start < t.end && text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
    }
    let analyzed = safir_text::analyze(text);
    for t in analyzed.terms() {
        assert!(t.start <= t.end && t.end <= text.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        match decode(&bytes) {
            Ok(text) => check(text),
            Err(e) => {
                prop_assert!(e.offset < bytes.len());
                prop_assert!(std::str::from_utf8(&bytes[..e.offset]).is_ok());
                check(&decode_lossy(&bytes));
            }
        }
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,80}") {
        check(&text);
    }

    #[test]
    fn arabic_heavy_text(text in "[\\u0600-\\u06FF\\uFB50-\\uFDFF\\uFE70-\\uFEFF\\u200B-\\u200F\\u202A-\\u202E #@_a-z0-9.\\n]{0,120}") {
        check(&text);
    }
}

#[test]
fn pathological_inputs() {
    for text in [
        String::new(),
        "\u{064E}".to_string(),
        "\u{0301}".repeat(10_000),
        "ـ".repeat(100_000),
        "بـ ".repeat(300_000),
        "x".repeat(2_000_000),
        "#".repeat(100_000),
        format!("https://{}", "a".repeat(1_000_000)),
        "\u{FDFA}".repeat(1_000),
        // Each of these was quadratic in one step or another (minutes at these sizes).
        format!("https://x.org/(a){}", ")".repeat(200_000)),
        "_http://".repeat(200_000),
        "\u{200C}http://".repeat(200_000),
        format!("#{}", "\u{FDFA}".repeat(50_000)),
        format!("a{}.", "\u{200E}".repeat(200_000)),
        format!("e\u{301}{}", "\u{200B}".repeat(200_000)),
    ] {
        check(&text);
    }
}
