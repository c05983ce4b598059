//! The only place where the listening engine looks inside message text: the keys
//! that co_tweet and co_similar_tweet compare.
//!
//! Both follow the coordination-network-toolkit's definitions (lowercase, drop
//! every `@mention` up to the next whitespace, collapse whitespace) and then use
//! Safir's text engine, so that spelling variants of one post match: presentation
//! forms are folded, diacritics and tatweel removed, alef forms unified, and so on
//! (see `safir_text::normalize`).

use safir_text::normalize::{NormalizeOptions, normalize_into};
#[cfg(test)]
use safir_text::tokenize;
use safir_text::tokenize::tokenize_into;
use safir_text::{Token, TokenKind};

/// Reusable buffers, so that keys and tokens of a million messages do not
/// allocate per message.
#[derive(Debug, Default)]
pub struct Scratch {
    stripped: String,
    normalized: String,
    tokens: Vec<Token>,
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
pub fn for_each_similarity_token(text: &str, scratch: &mut Scratch, f: impl FnMut(&str)) {
    if text.is_ascii() {
        ascii_similarity_tokens(text, scratch, f);
    } else {
        general_similarity_tokens(text, scratch, f);
    }
}

fn general_similarity_tokens(text: &str, scratch: &mut Scratch, mut f: impl FnMut(&str)) {
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
        } else {
            chunk_tokens(chunk, &mut scratch.tokens, &mut f);
        }
    }
}

/// The same tokens as [`general_similarity_tokens`] for ASCII text, in one pass
/// over the bytes and without copying the text.
///
/// On ASCII, normalization is ASCII lowercasing, and removing a mention (from `@`
/// to the next whitespace) only shortens the whitespace-separated chunk it starts
/// in: a chunk is cut at its first `@`, and dropped if nothing is left.
fn ascii_similarity_tokens(text: &str, scratch: &mut Scratch, mut f: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        // The common chunk: lowercase letters up to whitespace or the end.
        while i < bytes.len() && ASCII_CLASS[bytes[i] as usize] == LOWER {
            i += 1;
        }
        if i == bytes.len() || ASCII_CLASS[bytes[i] as usize] == SPACE {
            if i > start {
                f(&text[start..i]);
            }
            i += 1;
            continue;
        }
        // Anything else: find the end of the chunk and cut it at its first `@`.
        let mut cut = None;
        while i < bytes.len() && ASCII_CLASS[bytes[i] as usize] != SPACE {
            if bytes[i] == b'@' && cut.is_none() {
                cut = Some(i);
            }
            i += 1;
        }
        let end = cut.unwrap_or(i);
        if end == start {
            continue;
        }
        scratch.normalized.clear();
        scratch.normalized.push_str(&text[start..end]);
        scratch.normalized.make_ascii_lowercase();
        if scratch.normalized.bytes().all(|b| b.is_ascii_lowercase()) {
            f(&scratch.normalized);
        } else {
            chunk_tokens(&scratch.normalized, &mut scratch.tokens, &mut f);
        }
    }
}

const OTHER: u8 = 0;
const LOWER: u8 = 1;
/// Whitespace as `char::is_whitespace` sees it, on ASCII.
const SPACE: u8 = 2;

/// What the ASCII tokenizer needs to know about each byte.
static ASCII_CLASS: [u8; 256] = {
    let mut class = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = match b as u8 {
            b'a'..=b'z' => LOWER,
            b' ' | b'\t'..=b'\r' => SPACE,
            _ => OTHER,
        };
        b += 1;
    }
    class
};

/// The similarity tokens the text engine finds in one whitespace-free chunk.
fn chunk_tokens(chunk: &str, tokens: &mut Vec<Token>, f: &mut impl FnMut(&str)) {
    tokens.clear();
    tokenize_into(chunk, tokens);
    for t in tokens.iter() {
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

    type Path = fn(&str, &mut Scratch, &mut dyn FnMut(&str));

    fn tokens_by(path: Path, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        path(text, &mut Scratch::default(), &mut |t| {
            out.push(t.to_owned())
        });
        out
    }

    fn general(text: &str, scratch: &mut Scratch, f: &mut dyn FnMut(&str)) {
        general_similarity_tokens(text, scratch, f)
    }

    fn ascii(text: &str, scratch: &mut Scratch, f: &mut dyn FnMut(&str)) {
        ascii_similarity_tokens(text, scratch, f)
    }

    #[test]
    fn ascii_path_gives_the_general_tokens_in_order() {
        let fixed = [
            "",
            "   ",
            "@",
            "a@",
            "@a b",
            "x@y.org now",
            "Vote #Yes, now! https://x.example/a?b=1 @someone vote",
            "tab\there\x0bvt\x0cff\rcr\nlf end",
            "\x1c\x1f sep\x1dnot\x00nul\x7fdel",
            "MiXeD CaSe WORDS and don't l'etat covid19 3.14 x_y a-b",
            "mail: Me@Example.COM, www.example.com/A?B",
            "#Tag#two @@ @x@y ##",
        ];
        for text in fixed {
            assert_eq!(tokens_by(ascii, text), tokens_by(general, text), "{text:?}");
        }
        // Random ASCII, weighted towards the bytes that end, cut or split chunks.
        let alphabet = b"abcXYZ09 @#_.,:/'-!?\t\n\x0b\x0c\r\x1c\x00\x7f";
        let mut rng = crate::synth::Rng::new(11);
        for _ in 0..3000 {
            let len = rng.below(40) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize] as char)
                .collect();
            assert_eq!(
                tokens_by(ascii, &text),
                tokens_by(general, &text),
                "{text:?}"
            );
        }
    }
}
