//! co_similar_tweet's token vocabulary: distinct tokens named by dense ids in
//! first-seen order.
//!
//! An open-addressing table filed by 64-bit hash. A slot holds the token's length
//! and first eight bytes packed in a word, which decide equality for tokens up to
//! eight bytes (most words) without another read; longer tokens are compared by
//! hash and then byte for byte. Two tokens that share a hash are therefore still
//! told apart (the probe goes on to the next slot), and a token is never mistaken
//! for another.

/// Token to dense id, in first-seen order.
pub(crate) struct Vocab<H: TokenHash = Mix> {
    hash: H,
    /// Open addressing, at most half full; a power of two long.
    slots: Vec<Slot>,
    /// `64 - log2(slots.len())`: the top bits of a hash pick its first slot.
    shift: u32,
    /// Hash of each id's token.
    hashes: Vec<u64>,
    /// All tokens, one after the other; id `i` ends at `ends[i]`.
    text: String,
    ends: Vec<usize>,
}

/// A filed token: its [`head`] and length, which decide equality for tokens up
/// to eight bytes, so that most probes read nothing else.
#[derive(Clone, Copy, Default)]
struct Slot {
    head: u64,
    len: u32,
    /// Id plus one; 0 for an empty slot.
    id: u32,
}

/// The hash a [`Vocab`] files a token under, from its [`head`] and its bytes.
/// Any function is correct; a poor one only makes probes longer.
pub(crate) trait TokenHash {
    fn hash(&self, head: u64, token: &[u8]) -> u64;
}

/// The FxHash step over the head and the rest of the token, eight bytes at a
/// time, with a final mix so that the top bits depend on every byte.
#[derive(Default)]
pub(crate) struct Mix;

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl TokenHash for Mix {
    fn hash(&self, head: u64, token: &[u8]) -> u64 {
        let mut h = (token.len() as u64 ^ head).wrapping_mul(K);
        if token.len() > 8 {
            let mut rest = &token[8..];
            while rest.len() > 8 {
                h = (h.rotate_left(26) ^ word(rest, 0)).wrapping_mul(K);
                rest = &rest[8..];
            }
            // The last eight bytes, overlapping what came before.
            h = (h.rotate_left(26) ^ word(token, token.len() - 8)).wrapping_mul(K);
        }
        h ^ (h >> 29)
    }
}

/// Eight bytes of `s` from `at` (`s` has at least `at + 8`).
fn word(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Four bytes of `s` from `at` (`s` has at least `at + 4`).
fn half(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&s[at..at + 4]);
    u32::from_le_bytes(b) as u64
}

/// The first eight bytes of a token, packed into a `u64` so that two tokens of
/// the same length up to eight bytes are equal exactly when their heads are.
/// (Shorter tokens are read in overlapping pieces that together cover them.)
pub(crate) fn head(s: &[u8]) -> u64 {
    match s.len() {
        0 => 0,
        1..=3 => s[0] as u64 | (s[s.len() / 2] as u64) << 8 | (s[s.len() - 1] as u64) << 16,
        4..=7 => half(s, 0) | half(s, s.len() - 4) << 32,
        _ => word(s, 0),
    }
}

impl Default for Vocab<Mix> {
    fn default() -> Self {
        Self::with_hash(Mix)
    }
}

const FIRST_SLOTS: usize = 64;

impl<H: TokenHash> Vocab<H> {
    pub(crate) fn with_hash(hash: H) -> Self {
        Self {
            hash,
            slots: vec![Slot::default(); FIRST_SLOTS],
            shift: 64 - FIRST_SLOTS.trailing_zeros(),
            hashes: Vec::new(),
            text: String::new(),
            ends: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The token behind `id`. Panics on an id this vocabulary never returned.
    pub(crate) fn resolve(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.text[start..self.ends[id]]
    }

    /// The id of `token`, and whether it was new.
    #[inline]
    pub(crate) fn intern(&mut self, token: &str) -> (u32, bool) {
        let bytes = token.as_bytes();
        let head = head(bytes);
        // A longer token would not fit the slot's length: hash and compare it whole.
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        let h = self.hash.hash(head, bytes);
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot.id == 0 {
                break;
            }
            if slot.head == head
                && slot.len == len
                && (bytes.len() <= 8 || {
                    let id = slot.id as usize - 1;
                    self.hashes[id] == h && self.resolve(id as u32).as_bytes() == bytes
                })
            {
                return (slot.id - 1, false);
            }
            i = (i + 1) & mask;
        }
        let id = self.ends.len();
        let slot_id = u32::try_from(id + 1).expect("more than 4 billion distinct tokens");
        self.hashes.push(h);
        self.text.push_str(token);
        self.ends.push(self.text.len());
        self.slots[i] = Slot {
            head,
            len,
            id: slot_id,
        };
        if self.ends.len() * 2 > self.slots.len() {
            self.grow();
        }
        (id as u32, true)
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let size = old.len() * 2;
        self.slots = vec![Slot::default(); size];
        self.shift = 64 - size.trailing_zeros();
        let mask = size - 1;
        for slot in old.into_iter().filter(|s| s.id != 0) {
            let mut i = (self.hashes[slot.id as usize - 1] >> self.shift) as usize & mask;
            while self.slots[i].id != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: usize) -> Vec<String> {
        // Short and long, ASCII and not, and prefixes of one another.
        (0..n)
            .map(|i| match i % 4 {
                0 => format!("w{i}"),
                1 => format!("كلمة{i}"),
                2 => "x".repeat(i % 40),
                _ => format!("{i}-a-longer-token-of-several-words-{}", i % 7),
            })
            .collect()
    }

    fn check(mut vocab: Vocab<impl TokenHash>) {
        let words = words(2000);
        let mut ids = std::collections::HashMap::new();
        for (round, w) in words.iter().chain(words.iter().rev()).enumerate() {
            let (id, new) = vocab.intern(w);
            match ids.get(w) {
                Some(&known) => assert_eq!((id, new), (known, false), "{w:?} round {round}"),
                None => {
                    assert_eq!((id as usize, new), (ids.len(), true), "{w:?}");
                    ids.insert(w.clone(), id);
                }
            }
        }
        assert_eq!(vocab.len(), ids.len());
        for (w, &id) in &ids {
            assert_eq!(vocab.resolve(id), w);
        }
    }

    #[test]
    fn distinct_tokens_get_distinct_ids_in_first_seen_order() {
        check(Vocab::default());
    }

    /// Every token has the same hash: each probe meets every other token.
    struct Constant;
    impl TokenHash for Constant {
        fn hash(&self, _: u64, _: &[u8]) -> u64 {
            0x5eed
        }
    }

    /// Only the length: many different tokens of one length share a hash, and
    /// so do long tokens with the same first eight bytes.
    struct Length;
    impl TokenHash for Length {
        fn hash(&self, _: u64, token: &[u8]) -> u64 {
            (token.len() as u64).wrapping_mul(K)
        }
    }

    #[test]
    fn tokens_that_share_a_hash_are_told_apart() {
        check(Vocab::with_hash(Constant));
        check(Vocab::with_hash(Length));
        // Same length, same first eight bytes, same hash: only the tail differs.
        let mut vocab = Vocab::with_hash(Length);
        assert_eq!(vocab.intern("abcdefgh-1"), (0, true));
        assert_eq!(vocab.intern("abcdefgh-2"), (1, true));
        assert_eq!(vocab.intern("abcdefgh-1"), (0, false));
        assert_eq!(vocab.intern("abcdefgh-2"), (1, false));
    }

    #[test]
    fn heads_tell_apart_every_token_up_to_eight_bytes() {
        // Every string of up to eight bytes over four letters, among them the
        // zero byte that pads nothing here.
        let alphabet = [b'a', b'b', 0, 0xff];
        for len in 0..=8u32 {
            let mut seen = std::collections::HashMap::new();
            for n in 0..4usize.pow(len) {
                let s: Vec<u8> = (0..len).map(|i| alphabet[(n >> (2 * i)) & 3]).collect();
                if let Some(other) = seen.insert(head(&s), s.clone()) {
                    panic!("{s:?} and {other:?} share a head");
                }
            }
        }
    }

    #[test]
    fn hash_depends_on_every_byte_and_the_length() {
        let base = b"abcdefghijklmnopqrstu".to_vec();
        for len in 0..=base.len() {
            let s = &base[..len];
            for i in 0..len {
                let mut other = s.to_vec();
                other[i] ^= 1;
                assert_ne!(
                    Mix.hash(head(s), s),
                    Mix.hash(head(&other), &other),
                    "{len} {i}"
                );
            }
        }
        assert_ne!(Mix.hash(head(b"a"), b"a"), Mix.hash(head(b"a\0"), b"a\0"));
        assert_ne!(Mix.hash(0, b""), Mix.hash(head(b"\0"), b"\0"));
    }
}
