//! Arabic light stemming ("light10", Larkey, Ballesteros and Connell 2002)
//! with the exact behaviour of Lucene's `ArabicNormalizer` + `ArabicStemmer`
//! chain: the chain behind the `arabic` analyzer of Elasticsearch and
//! OpenSearch, so that Safir's stems match what users of those systems get.
//!
//! Lengths count UTF-16 code units in Lucene; every character these rules
//! touch is in the Basic Multilingual Plane, and lengths here count `char`s,
//! which agree with UTF-16 units for such text. A word with characters
//! outside the BMP may stem differently near the length limits.

/// Tried in this order; the first that matches (with enough left over) is
/// removed, and only one.
const PREFIXES: [&str; 7] = ["ال", "وال", "بال", "كال", "فال", "لل", "و"];

/// Tried in this order; every one that matches at that point is removed.
const SUFFIXES: [&str; 10] = ["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"];

/// Lucene's `ArabicNormalizer`: alef with madda or hamza to bare alef, alef
/// maqsura to yeh, teh marbuta to heh, and tatweel and the eight harakat
/// (tanween, fatha, damma, kasra, shadda, sukun) removed. Nothing else.
pub fn normalize_lucene(word: &str) -> String {
    word.chars()
        .filter_map(|c| match c {
            'آ' | 'أ' | 'إ' => Some('ا'),
            'ى' => Some('ي'),
            'ة' => Some('ه'),
            '\u{0640}' | '\u{064B}'..='\u{0652}' => None,
            c => Some(c),
        })
        .collect()
}

/// Stems a word that has already been normalized (by [`normalize_lucene`] or
/// by Safir's normalization, which does all that and more).
pub fn stem(word: &str) -> &str {
    let mut s = word;
    let mut len = s.chars().count();
    for p in PREFIXES {
        let p_len = p.chars().count();
        // و alone needs four letters; the others leave at least two.
        let long_enough = if p_len == 1 {
            len >= 4
        } else {
            len >= p_len + 2
        };
        if long_enough && let Some(rest) = s.strip_prefix(p) {
            s = rest;
            len -= p_len;
            break;
        }
    }
    for x in SUFFIXES {
        let x_len = x.chars().count();
        if len >= x_len + 2
            && let Some(rest) = s.strip_suffix(x)
        {
            s = rest;
            len -= x_len;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(w: &str) -> String {
        stem(&normalize_lucene(w)).to_string()
    }

    #[test]
    fn prefixes() {
        assert_eq!(chain("الكتاب"), "كتاب");
        assert_eq!(chain("والكتاب"), "كتاب");
        assert_eq!(chain("بالقلم"), "قلم");
        assert_eq!(chain("للطلاب"), "طلاب");
        assert_eq!(chain("وقال"), "قال");
        // و needs four letters, the others two left over
        assert_eq!(chain("وقت"), "وقت");
        assert_eq!(chain("الم"), "الم");
    }

    #[test]
    fn suffixes_apply_in_sequence() {
        assert_eq!(chain("مدرسة"), "مدرس");
        assert_eq!(chain("كتابها"), "كتاب");
        assert_eq!(chain("معلمون"), "معلم");
        assert_eq!(chain("السفارات"), "سفار");
        // suffixes are tried in order: يه goes before ه is tried
        assert_eq!(chain("الدبلوماسية"), "دبلوماس");
        assert_eq!(stem("كتابيه"), "كتاب");
    }

    #[test]
    fn normalizer_is_lucenes() {
        assert_eq!(normalize_lucene("أَحْمَدُ إلى آخر ـ ی"), "احمد الي اخر  ی");
    }

    #[test]
    fn edge_inputs() {
        assert_eq!(stem(""), "");
        assert_eq!(stem("و"), "و");
        assert_eq!(stem("abc"), "abc");
    }
}
