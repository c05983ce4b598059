//! String interning: each distinct string is stored once and named by a dense `u32`.

use rustc_hash::FxHashMap;

/// Interns strings into dense `u32` ids, in first-seen order.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    map: FxHashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the id of `s` and whether it was new.
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        if let Some(&id) = self.map.get(s) {
            return (id, false);
        }
        let id = u32::try_from(self.strings.len()).expect("more than 4 billion distinct strings");
        let boxed: Box<str> = s.into();
        self.strings.push(boxed.clone());
        self.map.insert(boxed, id);
        (id, true)
    }

    pub fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    /// The string behind `id`. Panics on an id this interner never returned.
    pub fn resolve(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
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
    }
}
