//! Bytes to text: strict (the error names the byte offset) or lossy.

use std::borrow::Cow;

/// Input that is not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid UTF-8 at byte offset {offset}")]
pub struct DecodeError {
    /// Offset of the first byte of the first invalid sequence.
    pub offset: usize,
}

/// Decodes UTF-8, rejecting anything invalid.
pub fn decode(bytes: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|e| DecodeError {
        offset: e.valid_up_to(),
    })
}

/// Decodes UTF-8, replacing each invalid sequence with U+FFFD.
pub fn decode_lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_offset_of_invalid_bytes() {
        let bytes = b"abc \xD8\xB3\xFF\xFE tail";
        assert_eq!(decode(bytes), Err(DecodeError { offset: 6 }));
        assert_eq!(
            DecodeError { offset: 6 }.to_string(),
            "invalid UTF-8 at byte offset 6"
        );
        // A sequence cut short by the end of input.
        assert_eq!(decode(b"\xD8"), Err(DecodeError { offset: 0 }));
    }

    #[test]
    fn lossy_replaces_and_keeps_the_rest() {
        assert_eq!(decode_lossy(b"\xD8\xB3\xFFx"), "س\u{FFFD}x");
        assert_eq!(decode(b"").map(str::len), Ok(0));
    }
}
