//! Eight bytes at a time in a `u64`: the byte tests the hot loops of repair
//! and the analyzer's memo run on whole words of text.

pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte.
pub(crate) const fn repeat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// The high bit of each byte of `v` that is 0, and no other bit (no carry
/// crosses bytes, so the answer is exact for every byte).
pub(crate) fn zero_bytes(v: u64) -> u64 {
    let low = repeat(0x7F);
    !(((v & low) + low) | v) & HIGH
}

/// The eight bytes of `b` from `at`, little-endian.
pub(crate) fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_bytes_marks_exactly_the_zero_bytes() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut bytes = [0x41u8; 8];
                bytes[at] = b;
                let expected = if b == 0 { 0x80u64 << (8 * at) } else { 0 };
                assert_eq!(
                    zero_bytes(u64::from_le_bytes(bytes)),
                    expected,
                    "{b:#x} at {at}"
                );
            }
        }
        assert_eq!(zero_bytes(0), HIGH);
        assert_eq!(zero_bytes(0x0100_0000_0000_0001), 0x0080_8080_8080_8000);
    }
}
