//! Stopwords for Arabic and English: function words that carry no topic.
//! The lists are Safir's own. They are written the way people type them and
//! normalized with [`crate::normalize`] when first used, so a lookup takes a
//! normalized token.

use crate::normalize::normalize;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

type Set = HashSet<String, BuildHasherDefault<Fnv>>;

/// FNV-1a with a final mix: the keys are a few bytes long and fixed, so
/// SipHash's resistance to chosen keys buys nothing here.
#[derive(Debug)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        let h = self.0 ^ (self.0 >> 33);
        h.wrapping_mul(0xff51_afd7_ed55_8ccd) ^ (h >> 29)
    }
}

/// Longer normalized tokens cannot be stopwords: skip the lookup.
const MAX_LEN: usize = 24;

/// Arabic: particles, prepositions (alone and with attached pronouns),
/// pronouns, demonstratives, relatives, conjunctions, common auxiliaries and
/// adverbs of Modern Standard Arabic, plus frequent dialect function words.
const ARABIC: &str = "
من إلى الى عن على علي في فى مع منذ مذ حتى عند لدى لدي نحو دون بين خلال ضد حول عبر
لكن لكنّ بل أو او أم ام ثم إذ إذا اذا إذن لو لولا لوما كي لكي لئلا إن ان أن إنّ أنّ لأن لان
كأن كأنّ ليت لعل لا لم لن ما لما ليس ليست ليسوا قد لقد سوف هل
هو هي هم هن هما أنا انا نحن أنت انت أنتِ أنتم انتم أنتن أنتما إياه إياها إياهم إياي إياك إيانا
هذا هذه هذان هاتان هؤلاء ذلك ذاك تلك أولئك اولئك هناك هنا هنالك ذا ذي ذو
الذي التي الذين اللذان اللتان اللاتي اللواتي اللائي من ما
كل بعض غير أي اي أية أيضا ايضا كذلك كما مثل جدا فقط قبل بعد أمام امام خلف فوق تحت وراء
حيث حين عندما بينما كيف أين اين متى لماذا ماذا كم أيان
كان كانت كانوا يكون تكون أصبح اصبح أصبحت صار ظل بات أمسى ما زال مازال لا يزال
له لها لهم لهن لهما لك لكم لنا لي به بها بهم بك بكم بنا بي فيه فيها فيهم فيك فينا
منه منها منهم منك منكم منا مني عنه عنها عنهم عليه عليها عليهم إليه إليها إليهم اليه
ولا وما ومن وفي وعلى وعن وإلى والى وقد ولم ولن وهو وهي وهم وكان وكانت وأن وان وإن ثم
فإن فان فقد فلا فما فهو فهي وذلك وهذا وهذه
يا أيها ايها عليك سوى إلا الا إما اما أما
شو ايش إيش مش مو هاد هاي اللي الي دي ده دا ديه كده كدا بس
";

/// English: determiners, pronouns, prepositions, conjunctions, auxiliaries.
const ENGLISH: &str = "
a an the this that these those there here
i me my mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves
what which who whom whose when where why how
and or but nor so yet if then else than because while although though unless until
of to in on at by for with from into onto about above below over under after before
between through during without within against among around up down out off again further
am is are was were be been being have has had having do does did doing done
will would shall should can could may might must ought
not no only own same too very just also each every both few more most other some such any all
as s t don doesn didn isn aren wasn weren won wouldn shouldn couldn can't don't won't it's i'm
";

fn set(list: &str) -> Set {
    list.split_whitespace().map(normalize).collect()
}

fn arabic() -> &'static Set {
    static SET: OnceLock<Set> = OnceLock::new();
    SET.get_or_init(|| set(ARABIC))
}

fn english() -> &'static Set {
    static SET: OnceLock<Set> = OnceLock::new();
    SET.get_or_init(|| set(ENGLISH))
}

/// Bits of [`Filter`]: 4,096.
const FILTER_BITS: u32 = 12;

/// One bit for each value of [`filter_bit`] that a stopword of either list
/// has: most words that are not stopwords find theirs clear and skip the
/// set lookup (hashing every byte, probing, comparing). The analyzer asks
/// for every word its memo does not hold, nearly all of them no stopword.
type Filter = [u64; 1 << (FILTER_BITS - 6)];

fn filter() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| {
        let mut bits = [0; 1 << (FILTER_BITS - 6)];
        for w in arabic().iter().chain(english()) {
            let bit = filter_bit(w.as_bytes());
            bits[bit / 64] |= 1 << (bit % 64);
        }
        bits
    })
}

/// A hash of a non-empty word's length, second byte (its first when it
/// has one: the first byte of an Arabic word is nearly always D8 or D9) and
/// last byte, to [`FILTER_BITS`] bits.
fn filter_bit(word: &[u8]) -> usize {
    let n = word.len();
    let key = (n as u32) << 16 | u32::from(word[1.min(n - 1)]) << 8 | u32::from(word[n - 1]);
    (key.wrapping_mul(0x9E37_79B1) >> (32 - FILTER_BITS)) as usize
}

/// Whether a normalized token is an Arabic or English stopword.
pub fn is_stopword(normalized: &str) -> bool {
    let Some(&first) = normalized.as_bytes().first() else {
        return false;
    };
    if normalized.len() > MAX_LEN {
        return false;
    }
    let bit = filter_bit(normalized.as_bytes());
    if filter()[bit / 64] & 1 << (bit % 64) == 0 {
        return false;
    }
    if first < 0x80 {
        english().contains(normalized)
    } else {
        arabic().contains(normalized)
    }
}

/// Whether a token normalized with `options` is a stopword: the lists are normalized with
/// the same folding of ة and of hamza carriers (`هؤلاء` is `هولاء` when carriers are folded,
/// `أية` is `اية` when ة is kept).
#[inline]
pub fn is_stopword_with(normalized: &str, options: &crate::normalize::NormalizeOptions) -> bool {
    let (teh, hamza) = (options.fold_teh_marbuta, options.fold_hamza_carriers);
    if teh && !hamza {
        return is_stopword(normalized);
    }
    static SETS: [OnceLock<Set>; 4] = [const { OnceLock::new() }; 4];
    let set = SETS[usize::from(teh) << 1 | usize::from(hamza)].get_or_init(|| {
        let opts = crate::normalize::NormalizeOptions {
            fold_teh_marbuta: teh,
            fold_hamza_carriers: hamza,
            collapse_repeats: false,
        };
        ARABIC
            .split_whitespace()
            .chain(ENGLISH.split_whitespace())
            .map(|w| crate::normalize::normalize_with(w, &opts))
            .collect()
    });
    set.contains(normalized)
}

/// The normalized Arabic list, sorted (for documentation and tools).
pub fn arabic_list() -> Vec<&'static str> {
    sorted(arabic())
}

/// The normalized English list, sorted.
pub fn english_list() -> Vec<&'static str> {
    sorted(english())
}

fn sorted(set: &'static Set) -> Vec<&'static str> {
    let mut v: Vec<&str> = set.iter().map(String::as_str).collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_take_normalized_tokens() {
        assert!(is_stopword(&normalize("إلى")));
        assert!(is_stopword("الي"));
        assert!(is_stopword(&normalize("هؤلاء")));
        assert!(is_stopword(&normalize("The")));
        assert!(!is_stopword(&normalize("سفارة")));
        assert!(!is_stopword("embassy"));
        assert!(!is_stopword(""));
        use crate::normalize::{NormalizeOptions, normalize_with};
        let hamza = NormalizeOptions {
            fold_hamza_carriers: true,
            ..NormalizeOptions::default()
        };
        for w in ["هؤلاء", "لئلا", "اللائي", "إلى", "the"] {
            assert!(is_stopword_with(&normalize_with(w, &hamza), &hamza), "{w}");
        }
        let teh = NormalizeOptions {
            fold_teh_marbuta: false,
            ..NormalizeOptions::default()
        };
        assert!(is_stopword_with(&normalize_with("أية", &teh), &teh));
        assert!(!is_stopword_with(&normalize_with("سفارة", &teh), &teh));
    }

    #[test]
    fn the_filter_lets_every_stopword_through() {
        for w in arabic_list().into_iter().chain(english_list()) {
            assert!(is_stopword(w), "{w}");
        }
        // And keeps most other words away from the sets.
        let words = ["embassy", "سفاره", "رقميه", "visa", "دبلوماسيه", "today"];
        let through = words
            .iter()
            .filter(|w| {
                let bit = filter_bit(w.as_bytes());
                filter()[bit / 64] & 1 << (bit % 64) != 0
            })
            .count();
        assert!(through < words.len());
    }

    #[test]
    fn lists_are_normalized_fixed_points() {
        for w in arabic_list().into_iter().chain(english_list()) {
            assert_eq!(normalize(w), w);
        }
        assert!(arabic_list().len() > 200);
        assert!(
            arabic_list()
                .iter()
                .chain(&english_list())
                .all(|w| w.len() <= MAX_LEN)
        );
    }
}
