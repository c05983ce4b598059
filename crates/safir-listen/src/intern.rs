//! String interning: each distinct string is stored once and named by a dense `u32`.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Interns strings into dense `u32` ids, in first-seen order.
///
/// All strings live in one buffer; the hash table holds only ids, so interning a
/// new string costs no allocation of its own.
#[derive(Default, Clone)]
pub struct Interner {
    table: HashTable<u32>,
    buf: String,
    /// End of string `i` in `buf`.
    ends: Vec<usize>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.len())
            .finish()
    }
}

fn hash(s: &str) -> u64 {
    FxBuildHasher.hash_one(s)
}

fn slice<'a>(buf: &'a str, ends: &[usize], id: u32) -> &'a str {
    let i = id as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &buf[start..ends[i]]
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the id of `s` and whether it was new.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        let h = hash(s);
        let (buf, ends) = (&self.buf, &self.ends);
        if let Some(&id) = self.table.find(h, |&id| slice(buf, ends, id) == s) {
            return (id, false);
        }
        let id = u32::try_from(self.ends.len()).expect("more than 4 billion distinct strings");
        self.buf.push_str(s);
        self.ends.push(self.buf.len());
        let (buf, ends) = (&self.buf, &self.ends);
        self.table
            .insert_unique(h, id, |&i| hash(slice(buf, ends, i)));
        (id, true)
    }

    pub fn get(&self, s: &str) -> Option<u32> {
        self.table
            .find(hash(s), |&id| slice(&self.buf, &self.ends, id) == s)
            .copied()
    }

    /// The string behind `id`. Panics on an id this interner never returned.
    pub fn resolve(&self, id: u32) -> &str {
        slice(&self.buf, &self.ends, id)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_string_same_id_in_first_seen_order() {
        let mut i = Interner::new();
        assert_eq!(i.intern("b"), (0, true));
        assert_eq!(i.intern("a"), (1, true));
        assert_eq!(i.intern("b"), (0, false));
        assert_eq!(i.resolve(1), "a");
        assert_eq!(i.get("z"), None);
        assert_eq!(i.len(), 2);
        assert_eq!(i.intern(""), (2, true));
        assert_eq!(i.resolve(2), "");
        assert_eq!(i.get("a"), Some(1));
    }
}
