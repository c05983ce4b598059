//! The only place where the listening engine looks inside message text: the keys
//! that co_tweet and co_similar_tweet compare.
//!
//! Both follow the coordination-network-toolkit's definitions (lowercase, drop
//! every `@mention` up to the next whitespace, collapse whitespace) and add Arabic
//! normalization so that spelling variants of one post match: presentation forms
//! are folded (NFKC), diacritics and tatweel are removed, and alef forms
//! (أ إ آ ٱ) become bare alef.

use unicode_normalization::UnicodeNormalization;

/// The co_tweet key of `text`, written into `out` (cleared first).
pub fn co_tweet_key(text: &str, out: &mut String) {
    out.clear();
    let cleaned = normalize(&strip_mentions(&text.to_lowercase()));
    for word in cleaned.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// The distinct tokens of `text` for co_similar_tweet, sorted.
///
/// A token is a run of letters, digits, marks or `_`; a `#` directly before a run
/// stays attached (hashtags stay whole); a whitespace-separated chunk starting with
/// `http://` or `https://` is one token. Other punctuation is dropped.
pub fn similarity_tokens(text: &str) -> Vec<String> {
    let cleaned = normalize(&strip_mentions(&text.to_lowercase()));
    let mut tokens = Vec::new();
    for chunk in cleaned.split_whitespace() {
        if chunk.starts_with("http://") || chunk.starts_with("https://") {
            tokens.push(chunk.to_owned());
            continue;
        }
        let mut current = String::new();
        let mut hash = false;
        for c in chunk.chars() {
            if is_word_char(c) {
                if current.is_empty() && hash {
                    current.push('#');
                }
                current.push(c);
                hash = false;
            } else {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
                hash = c == '#';
            }
        }
        if !current.is_empty() {
            tokens.push(current);
        }
    }
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c)
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// Removes every `@` and what follows it up to the next whitespace, as the
/// toolkit's `@.*?(?=\s|$)` does.
fn strip_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_mention = false;
    for c in text.chars() {
        if c == '@' {
            in_mention = true;
        } else if in_mention && c.is_whitespace() {
            in_mention = false;
        }
        if !in_mention {
            out.push(c);
        }
    }
    out
}

/// Arabic spelling normalization; other scripts pass through unchanged.
fn normalize(text: &str) -> String {
    let folded: String = if text.chars().any(is_presentation_form) {
        text.nfkc().collect()
    } else {
        text.to_owned()
    };
    folded
        .chars()
        .filter(|&c| !is_arabic_diacritic(c) && c != '\u{0640}')
        .map(|c| match c {
            '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' => '\u{0627}',
            c => c,
        })
        .collect()
}

fn is_presentation_form(c: char) -> bool {
    matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

fn is_arabic_diacritic(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        let mut out = String::new();
        co_tweet_key(s, &mut out);
        out
    }

    #[test]
    fn co_tweet_key_follows_the_toolkit() {
        assert_eq!(key("Hello  @Bob   WORLD\n\tagain"), "hello world again");
        assert_eq!(key("@only"), "");
        assert_eq!(key("mail me at x@y.org now"), "mail me at x now");
    }

    #[test]
    fn arabic_variants_share_a_key() {
        let plain = key("السلام عليكم");
        assert_eq!(key("السَّلَامُ عَلَيْكُمْ"), plain);
        assert_eq!(key("الســـلام عليكم"), plain);
        assert_eq!(key("ﺍﻟﺴﻼﻡ ﻋﻠﻴﻜﻢ"), plain);
        assert_eq!(key("أحمد"), key("احمد"));
        assert_eq!(key("إسلام"), key("اسلام"));
        assert_eq!(key("آمن"), key("امن"));
    }

    #[test]
    fn tokens_keep_hashtags_and_urls_whole() {
        assert_eq!(
            similarity_tokens("Vote #Yes, now! https://x.example/a?b=1 @someone vote"),
            vec!["#yes", "https://x.example/a?b=1", "now", "vote"]
        );
        assert_eq!(
            similarity_tokens("#وسم_عربي مَرحباً"),
            vec!["#وسم_عربي", "مرحبا"]
        );
    }
}
