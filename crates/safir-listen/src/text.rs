//! The only place where the listening engine looks inside message text: the keys
//! that co_tweet and co_similar_tweet compare.
//!
//! Both follow the coordination-network-toolkit's definitions (lowercase, drop
//! every `@mention` up to the next whitespace, collapse whitespace) and then use
//! Safir's text engine, so that spelling variants of one post match: presentation
//! forms are folded, diacritics and tatweel removed, alef forms unified, and so on
//! (see `safir_text::normalize`).

use safir_text::normalize::{NormalizeOptions, normalize_into};
use safir_text::{TokenKind, tokenize};

/// Reusable buffers, so that keys and tokens of a million messages do not
/// allocate per message.
#[derive(Debug, Default)]
pub struct Scratch {
    stripped: String,
    normalized: String,
}

/// The co_tweet key of `text`, written into `out` (cleared first).
pub fn co_tweet_key(text: &str, scratch: &mut Scratch, out: &mut String) {
    out.clear();
    // Mentions are stripped before lowercasing here and after in the toolkit:
    // lowercasing never creates or removes an `@` or a space, so it is the same.
    strip_mentions(text, &mut scratch.stripped);
    scratch.normalized.clear();
    normalize_into(
        &scratch.stripped,
        &NormalizeOptions::default(),
        &mut scratch.normalized,
    );
    for word in scratch.normalized.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Calls `f` with each co_similar_tweet token of `text`, duplicates included.
///
/// Tokens are the text engine's words, numbers, URLs, e-mail addresses, emoji and
/// whole hashtags (not their parts) of the normalized text; punctuation is not a
/// token.
pub fn for_each_similarity_token(text: &str, scratch: &mut Scratch, mut f: impl FnMut(&str)) {
    strip_mentions(text, &mut scratch.stripped);
    scratch.normalized.clear();
    normalize_into(
        &scratch.stripped,
        &NormalizeOptions::default(),
        &mut scratch.normalized,
    );
    // No token spans whitespace, so each chunk is tokenized on its own, and a chunk
    // of plain letters of one script is one word without asking the tokenizer.
    for chunk in scratch.normalized.split_whitespace() {
        if is_plain_word(chunk) {
            f(chunk);
            continue;
        }
        for t in tokenize(chunk) {
            if matches!(
                t.kind,
                TokenKind::Word
                    | TokenKind::Number
                    | TokenKind::Url
                    | TokenKind::Email
                    | TokenKind::Hashtag
                    | TokenKind::Emoji
            ) {
                f(t.text(chunk));
            }
        }
    }
}

/// The distinct co_similar_tweet tokens of `text`, sorted.
pub fn similarity_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for_each_similarity_token(text, &mut Scratch::default(), |t| tokens.push(t.to_owned()));
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

fn is_plain_word(chunk: &str) -> bool {
    chunk.bytes().all(|b| b.is_ascii_lowercase())
        || chunk
            .chars()
            .all(|c| matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}'))
}

/// Removes every `@` and what follows it up to the next whitespace, as the
/// toolkit's `@.*?(?=\s|$)` does.
fn strip_mentions(text: &str, out: &mut String) {
    out.clear();
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        let mut out = String::new();
        co_tweet_key(s, &mut Scratch::default(), &mut out);
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

    #[test]
    fn plain_word_shortcut_agrees_with_the_tokenizer() {
        let texts = [
            "wwwexample httpfoo mailto www com",
            "السلام عليكم ورحمة",
            "abc سلام mixed",
            "#tag don't l'état covid19 1965والذي 3.14 😀 https://a.example/b",
        ];
        for text in texts {
            let normalized = safir_text::normalize(text);
            let mut expected: Vec<String> = tokenize(&normalized)
                .into_iter()
                .filter(|t| {
                    !matches!(
                        t.kind,
                        TokenKind::Punct | TokenKind::HashtagPart | TokenKind::Mention
                    )
                })
                .map(|t| t.text(&normalized).to_owned())
                .collect();
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(similarity_tokens(text), expected, "{text}");
        }
    }
}
