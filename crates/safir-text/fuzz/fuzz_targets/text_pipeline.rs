//! Any bytes through decode, repair, normalize (both option sets), tokenize
//! and analyze: no panic, offsets on character boundaries, normalization a
//! fixed point, line structure kept by repair.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safir_text::{
    NormalizeOptions, analyze, decode, decode_lossy, normalize_with, repair, tokenize,
};

fuzz_target!(|bytes: &[u8]| {
    let text = match decode(bytes) {
        Ok(text) => text.to_owned(),
        Err(e) => {
            assert!(std::str::from_utf8(&bytes[..e.offset]).is_ok());
            decode_lossy(bytes).into_owned()
        }
    };
    assert_eq!(
        repair(&text).matches('\n').count(),
        text.matches('\n').count()
    );
    for opts in [NormalizeOptions::default(), NormalizeOptions::social()] {
        let once = normalize_with(&text, &opts);
        assert_eq!(normalize_with(&once, &opts), once);
    }
    for t in tokenize(&text) {
        assert!(t.start < t.end && text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
    }
    for t in analyze(&text).terms() {
        assert!(t.start <= t.end && t.end <= text.len());
    }
});
