//! Analysis: repair, tokenize, normalize, drop stopwords and stem in one pass,
//! the entry point of search indexing, search queries and listening.

mod cache;

use crate::normalize::{NormalizeOptions, normalize_into};
use crate::repair::{Repaired, needs_repair, repair_into};
use crate::stem::{ArabicStemmer, stem};
use crate::stopwords::is_stopword_with;
use crate::tokenize::{Token, TokenKind, tokenize_line};
use cache::{Cached, NO_SET, StemAt, WordCache};
use std::borrow::Cow;
use std::cell::RefCell;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// Repair extraction damage on lines that show it (see [`crate::repair`]).
    pub repair: bool,
    pub normalize: NormalizeOptions,
    pub arabic_stemmer: ArabicStemmer,
    pub remove_stopwords: bool,
    /// Keep punctuation tokens (dropped by default).
    pub keep_punct: bool,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            repair: true,
            normalize: NormalizeOptions::default(),
            arabic_stemmer: ArabicStemmer::Light10,
            remove_stopwords: true,
            keep_punct: false,
        }
    }
}

/// One analyzed token. Offsets are byte offsets into the analyzed text, as
/// given (before repair); the normalized form and the stem live in the
/// [`Analyzed`] buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    normalized: (u32, u32),
    stem: (u32, u32),
}

/// The terms of one text.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    buf: String,
    terms: Vec<Term>,
}

impl Analyzed {
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The normalized form of `term`: what the exact-match field indexes.
    pub fn normalized(&self, term: &Term) -> &str {
        &self.buf[term.normalized.0 as usize..term.normalized.1 as usize]
    }

    /// The stem of `term` (its normalized form for non-words): what the
    /// stemmed field indexes.
    pub fn stem(&self, term: &Term) -> &str {
        &self.buf[term.stem.0 as usize..term.stem.1 as usize]
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn clear(&mut self) {
        self.buf.clear();
        self.terms.clear();
    }
}

/// Analyzes with the default options (through one [`Analyzer`] per thread).
pub fn analyze(text: &str) -> Analyzed {
    thread_local! {
        static ANALYZER: RefCell<Analyzer> = RefCell::new(Analyzer::new(AnalyzeOptions::default()));
    }
    ANALYZER.with_borrow_mut(|analyzer| analyzer.analyze(text))
}

/// How many words an [`Analyzer`] remembers by default, at the least (32
/// bytes each: 2 MB, taken on first use; words of the usual length take
/// less, and about twice as many fit).
pub const DEFAULT_CACHE_WORDS: usize = 65_536;

/// Reusable analysis state: keep one per thread to avoid allocation and to
/// reuse its memo of analyzed words.
#[derive(Debug, Default)]
pub struct Analyzer {
    opts: AnalyzeOptions,
    /// The line's tokens that make terms (punctuation only when kept),
    /// each with its memo set.
    tokens: Vec<Pending>,
    cache: WordCache,
    /// The last repaired line: its buffers are reused from line to line.
    repaired: Repaired,
}

/// A token of the line being analyzed and its memo set ([`NO_SET`] for
/// those the memo does not hold): one list and one push a token (24 bytes,
/// as a [`Token`] alone), where a list of tokens and one of their sets took
/// two.
#[derive(Debug, Clone, Copy)]
struct Pending {
    start: usize,
    end: usize,
    set: u32,
    kind: TokenKind,
}

/// What stemming made of a normalized word.
enum Stemmed {
    Stopword,
    /// The stem is this byte range of the word (light10 only cuts, and most
    /// stems of other stemmers are the word's start).
    Slice(usize, usize),
    Other(String),
}

impl Analyzer {
    pub fn new(opts: AnalyzeOptions) -> Self {
        Self::with_cache(opts, DEFAULT_CACHE_WORDS)
    }

    /// An analyzer that remembers what it made of `words` distinct words
    /// (normalized form, stopword or not, stem; rounded up to a power of
    /// two), more when they are short, new words replacing old ones in a
    /// fixed table of 32 bytes a word; 0 turns the memo off. The terms are
    /// the same either way.
    pub fn with_cache(opts: AnalyzeOptions, words: usize) -> Self {
        Self {
            opts,
            tokens: Vec::new(),
            cache: WordCache::new(words),
            repaired: Repaired::default(),
        }
    }

    pub fn analyze(&mut self, text: &str) -> Analyzed {
        let mut out = Analyzed::default();
        self.analyze_into(text, &mut out);
        out
    }

    /// Appends the terms of `text` to `out`.
    pub fn analyze_into(&mut self, text: &str, out: &mut Analyzed) {
        // A line at a time: repair works on lines. The tokenizer finds the
        // line's end and notes whether the line may need repair, so the
        // repair check only reads the lines where it can say yes.
        let mut from = 0;
        while from < text.len() {
            self.tokens.clear();
            let line = tokenize_line(text, from, self.collector(text));
            let body = &text[from..line.end];
            if self.opts.repair && line.may_need_repair && needs_repair(body) {
                self.tokens.clear();
                // Out of `self` while its text is tokenized, then back.
                let mut repaired = std::mem::take(&mut self.repaired);
                repair_into(body, &mut repaired);
                let mut at = 0;
                while at < repaired.text.len() {
                    at = tokenize_line(&repaired.text, at, self.collector(&repaired.text)).end;
                }
                self.terms(&repaired.text, out, |s, e| {
                    let (s, e) = repaired.original_span(s, e);
                    (from + s, from + e)
                });
                self.repaired = repaired;
            } else {
                self.terms(text, out, |s, e| (s, e));
            }
            from = line.end;
        }
    }

    /// What takes the tokens of `text` from the tokenizer (but punctuation
    /// that is dropped): each with its memo set, whose cache line is prefetched right away, so that memory
    /// fetches it while the tokenizer reads on (the lookups that follow
    /// the line's tokenization then find their lines in the processor's
    /// cache instead of waiting for them).
    fn collector<'a>(&'a mut self, text: &'a str) -> impl FnMut(Token) + 'a {
        let (tokens, cache) = (&mut self.tokens, &self.cache);
        let keep_punct = self.opts.keep_punct;
        move |t| {
            // Punctuation makes no term unless kept: not even collected.
            if t.kind == TokenKind::Punct && !keep_punct {
                return;
            }
            let set = cache.set_of(&text.as_bytes()[t.start..t.end], is_word(t.kind));
            cache.prefetch(set);
            tokens.push(Pending {
                start: t.start,
                end: t.end,
                set,
                kind: t.kind,
            });
        }
    }

    /// The terms of the tokens of `text` (with their memo sets in
    /// `self.tokens`), `span` mapping a token's range to the term's offsets.
    fn terms(
        &mut self,
        text: &str,
        out: &mut Analyzed,
        span: impl Fn(usize, usize) -> (usize, usize),
    ) {
        for k in 0..self.tokens.len() {
            let t = self.tokens[k];
            let (start, end) = span(t.start, t.end);
            let token = &text[t.start..t.end];
            match t.set {
                NO_SET => push_term(&self.opts, t.kind, token, start, end, out),
                set => self.cached_term(set, t.kind, token, start, end, out),
            }
        }
    }

    /// A token through the memo: the stored result on a hit, the full path
    /// (remembered) on a miss.
    fn cached_term(
        &mut self,
        set: u32,
        kind: TokenKind,
        text: &str,
        start: usize,
        end: usize,
        out: &mut Analyzed,
    ) {
        let from = out.buf.len();
        match self.cache.get(set, text, is_word(kind)) {
            Some(Cached::Dropped) => {}
            Some(Cached::Term {
                patch_at,
                lowered,
                text: stored,
                normalized_len,
                stem,
            }) => {
                match patch_at {
                    // The word, the bytes that differ replaced (or followed
                    // by the stem when they are at its end).
                    Some(at) => {
                        out.buf.push_str(&text[..at]);
                        if lowered {
                            out.buf[from..].make_ascii_lowercase();
                        }
                        out.buf.push_str(stored);
                        if at < text.len() {
                            out.buf.push_str(&text[at + stored.len()..]);
                        }
                    }
                    None => out.buf.push_str(stored),
                }
                let to = from + normalized_len;
                let stem = match stem {
                    StemAt::Slice(s, e) => (from + s, from + e),
                    StemAt::After => (to, out.buf.len()),
                };
                out.terms.push(Term {
                    kind,
                    start,
                    end,
                    normalized: (from as u32, to as u32),
                    stem: (stem.0 as u32, stem.1 as u32),
                });
            }
            None => {
                let terms = out.terms.len();
                push_term(&self.opts, kind, text, start, end, out);
                let cached = match out.terms.get(terms) {
                    None => Cached::Dropped,
                    Some(t) => {
                        let at = |x: u32| x as usize - from;
                        let stem = if t.stem.0 >= t.normalized.1 {
                            StemAt::After
                        } else {
                            StemAt::Slice(at(t.stem.0), at(t.stem.1))
                        };
                        Cached::Term {
                            patch_at: None,
                            lowered: false,
                            text: &out.buf[from..],
                            normalized_len: at(t.normalized.1),
                            stem,
                        }
                    }
                };
                self.cache.insert(set, text, is_word(kind), cached);
            }
        }
    }
}

/// Words are stemmed and may be stopwords; other tokens are only normalized.
fn is_word(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::Word | TokenKind::HashtagPart)
}

/// The general path: normalize, drop stopwords, stem.
fn push_term(
    o: &AnalyzeOptions,
    kind: TokenKind,
    text: &str,
    start: usize,
    end: usize,
    out: &mut Analyzed,
) {
    let from = out.buf.len();
    // A link, an address or a handle names one thing: `@aaa_bbb` is not `@aa_bb`.
    let names_one_thing = matches!(kind, TokenKind::Url | TokenKind::Email | TokenKind::Mention);
    let normalize = if names_one_thing {
        NormalizeOptions {
            collapse_repeats: false,
            ..o.normalize
        }
    } else {
        o.normalize
    };
    normalize_into(text, &normalize, &mut out.buf);
    let to = out.buf.len();
    if to == from {
        return;
    }
    let normalized = (from as u32, to as u32);
    let stem = if is_word(kind) {
        let word = &out.buf[from..];
        let stemmed = stem_word(word, o);
        match stemmed {
            Stemmed::Stopword => {
                out.buf.truncate(from);
                return;
            }
            Stemmed::Slice(s, e) => ((from + s) as u32, (from + e) as u32),
            Stemmed::Other(s) => {
                out.buf.push_str(&s);
                (to as u32, out.buf.len() as u32)
            }
        }
    } else {
        normalized
    };
    out.terms.push(Term {
        kind,
        start,
        end,
        normalized,
        stem,
    });
}

fn stem_word(word: &str, o: &AnalyzeOptions) -> Stemmed {
    if o.remove_stopwords && is_stopword_with(word, &o.normalize) {
        return Stemmed::Stopword;
    }
    match stem(word, o.arabic_stemmer) {
        // Light10 and unchanged words are a slice of the word.
        Cow::Borrowed(s) => {
            let off = s.as_ptr() as usize - word.as_ptr() as usize;
            Stemmed::Slice(off, off + s.len())
        }
        // Snowball's stems are new strings, but most of them are the start
        // of the word (embassies → embassi): then they are stored as a
        // range of it too, and the memo keeps less text a word (often none:
        // a hit then copies only the word).
        Cow::Owned(s) if word.starts_with(s.as_str()) => Stemmed::Slice(0, s.len()),
        Cow::Owned(s) => Stemmed::Other(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_dropped_under_every_folding() {
        let folded = AnalyzeOptions {
            normalize: NormalizeOptions {
                fold_teh_marbuta: false,
                fold_hamza_carriers: true,
                collapse_repeats: false,
            },
            ..AnalyzeOptions::default()
        };
        let a = Analyzer::new(folded).analyze("هؤلاء لئلا أية السفارة");
        let kept: Vec<String> = a
            .terms()
            .iter()
            .map(|t| a.normalized(t).to_string())
            .collect();
        assert_eq!(kept, ["السفارة"], "ة kept");
    }

    fn stems(text: &str) -> Vec<String> {
        let a = analyze(text);
        a.terms().iter().map(|t| a.stem(t).to_string()).collect()
    }

    /// The analyzer repairs what `repair` would: a line in visual order whose reversed
    /// words touch brackets, quotes or a full stop, and a dateline's lone tatweel.
    #[test]
    fn the_same_terms_as_after_repair() {
        for line in [
            "(ةرازولا) ماع",
            "\"ةرازولا\" ماع",
            "«ةرازولا» ماع",
            "ماع (ةرازولا)",
            ".ةسردملا يف ةرازولا",
            "الرياض ـ واس",
            "المادة ـ أ",
            "البند ـ ب ـ من",
        ] {
            let repaired = crate::repair(line);
            assert_eq!(stems(line), stems(&repaired), "{line} / {repaired}");
            assert_eq!(crate::repair(&repaired), repaired, "{line}");
        }
        assert_eq!(crate::repair("(ةرازولا) ماع"), "عام (الوزارة)");
        assert_eq!(crate::repair("الرياض ـ واس"), "الرياض واس");
    }

    #[test]
    fn social_collapse_leaves_links_addresses_and_handles_alone() {
        let opts = AnalyzeOptions {
            normalize: NormalizeOptions::social(),
            ..AnalyzeOptions::default()
        };
        let text =
            "جمييييل www.mofa.gov.sa @aaa_bbb info@ccc.com https://example.com/aaa #رااااائع";
        let a = Analyzer::new(opts).analyze(text);
        let normalized: Vec<&str> = a.terms().iter().map(|t| a.normalized(t)).collect();
        assert_eq!(
            normalized,
            vec![
                "جميل",
                "www.mofa.gov.sa",
                "@aaa_bbb",
                "info@ccc.com",
                "https://example.com/aaa",
                "#رائع",
                "رائع"
            ]
        );
    }

    #[test]
    fn post_in_arabic_and_english() {
        let text = "زارت السفيرة المدارسَ في #الدبلوماسية_الرقمية with the Embassies 👍";
        assert_eq!(
            stems(text),
            vec![
                "زارت",
                "سفير",
                "مدارس",
                "#الدبلوماسيه_الرقميه",
                "دبلوماس",
                "رقم",
                "embassi",
                "👍"
            ]
        );
    }

    #[test]
    fn offsets_point_into_the_original_even_after_repair() {
        let text = "أهداف الدبلوماسـية  العامـة\nتحقيـق أهـداف";
        let a = analyze(text);
        let spans: Vec<&str> = a.terms().iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(
            spans,
            vec!["أهداف", "الدبلوماسـية", "العامـة", "تحقيـق", "أهـداف"]
        );
        let normalized: Vec<&str> = a.terms().iter().map(|t| a.normalized(t)).collect();
        assert_eq!(
            normalized,
            vec!["اهداف", "الدبلوماسيه", "العامه", "تحقيق", "اهداف"]
        );
    }

    #[test]
    fn stopwords_and_punctuation_are_dropped_unless_asked() {
        assert_eq!(
            stems("ذهب إلى السفارة، ثم عاد."),
            vec!["ذهب", "سفار", "عاد"]
        );
        let mut keep = Analyzer::new(AnalyzeOptions {
            remove_stopwords: false,
            keep_punct: true,
            ..AnalyzeOptions::default()
        });
        assert_eq!(keep.analyze("إلى السفارة،").len(), 3);
    }

    #[test]
    fn same_terms_at_index_and_query_time() {
        let indexed = analyze("الدبلوماسِيّة الرقمية");
        let query = analyze("الدبلوماسيه الرقميّة");
        let a: Vec<&str> = indexed.terms().iter().map(|t| indexed.stem(t)).collect();
        let b: Vec<&str> = query.terms().iter().map(|t| query.stem(t)).collect();
        assert_eq!(a, b);
    }

    /// The invisible characters that join (a soft hyphen from a word processor, the word
    /// joiner, the zero-width no-break space) are dropped by normalization, so they do not
    /// cut the word either: the query without them finds it. The zero-width space and the
    /// bidi marks, which posts put between words, still separate them, and a mark before a
    /// hashtag still lets it start one.
    #[test]
    fn invisible_characters_inside_words_keep_them_whole() {
        let normalized = |text: &str| {
            let a = analyze(text);
            a.terms()
                .iter()
                .map(|t| a.normalized(t).to_owned())
                .collect::<Vec<_>>()
        };
        for (text, word) in [
            ("Minis\u{AD}try", "ministry"),
            ("السفا\u{2060}رة", "السفاره"),
            ("السفا\u{FEFF}رة", "السفاره"),
        ] {
            assert_eq!(normalized(text), vec![word], "{text:?}");
            assert_eq!(crate::normalize(text), word, "{text:?}");
        }
        assert_eq!(
            normalized("للعهد\u{200B}عقدت #قانون\u{2069}محمد"),
            vec!["للعهد", "عقدت", "#قانون", "قانون", "محمد"]
        );
        assert_eq!(
            normalized("\u{200F}#السعودية\u{200F} رائع"),
            vec!["#السعوديه", "السعوديه", "رائع"]
        );
    }

    #[test]
    fn edge_inputs() {
        assert!(analyze("").is_empty());
        assert!(analyze("\u{064E}").is_empty());
        assert_eq!(analyze(&"سلام ".repeat(100_000)).len(), 100_000);
    }
}
