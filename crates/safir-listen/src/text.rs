//! The only place where the listening engine looks inside message text: the keys
//! that co_tweet and co_similar_tweet compare.
//!
//! Both follow the coordination-network-toolkit's definitions (lowercase, drop
//! every `@mention` up to the next whitespace, collapse whitespace) and then use
//! Safir's text engine, so that spelling variants of one post match: presentation
//! forms are folded, diacritics and tatweel removed, alef forms unified, and so on
//! (see `safir_text::normalize`).

use safir_text::{TokenKind, normalize, tokenize};

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
/// Tokens are the text engine's words, numbers, URLs, e-mail addresses, emoji and
/// whole hashtags (not their parts), each normalized; punctuation is not a token.
pub fn similarity_tokens(text: &str) -> Vec<String> {
    let cleaned = strip_mentions(&text.to_lowercase());
    let mut tokens: Vec<String> = tokenize(&cleaned)
        .into_iter()
        .filter(|t| {
            matches!(
                t.kind,
                TokenKind::Word
                    | TokenKind::Number
                    | TokenKind::Url
                    | TokenKind::Email
                    | TokenKind::Hashtag
                    | TokenKind::Emoji
            )
        })
        .map(|t| normalize(t.text(&cleaned)))
        .filter(|t| !t.is_empty())
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
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
