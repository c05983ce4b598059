//! Deterministic synthetic archives for tests and benchmarks: Zipf account
//! activity, about 45% reposts and 15% replies, links, a mixed Arabic/English
//! vocabulary, and planted coordinated groups of every network kind whose members
//! must all be found.

use std::io::{self, Write};

use crate::escape::csv_field;
use crate::network::NetworkKind;
use crate::table::MessageRow;

/// Small, fast, seedable generator (SplitMix64); the same seed gives the same data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Samples ranks `0..n` with probability proportional to `1 / (rank + 1)^s`.
#[derive(Debug, Clone)]
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Self {
        let mut cdf = Vec::with_capacity(n);
        let mut total = 0.0;
        for k in 0..n {
            total += 1.0 / ((k + 1) as f64).powf(s);
            cdf.push(total);
        }
        for c in &mut cdf {
            *c /= total;
        }
        Self { cdf }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

#[derive(Debug, Clone)]
pub struct SynthParams {
    pub messages: usize,
    pub seed: u64,
    /// English words only, no Arabic variants: data the toolkit tokenizes as we do.
    pub ascii: bool,
    /// Add hashtags to some posts.
    pub hashtags: bool,
    /// Planted groups per network kind, members per group, coordinated events per group.
    pub groups_per_kind: usize,
    pub group_size: usize,
    pub events: usize,
    /// Members of a group act within this many seconds of each other.
    pub spread_secs: i64,
}

impl Default for SynthParams {
    fn default() -> Self {
        Self {
            messages: 10_000,
            seed: 7,
            ascii: false,
            hashtags: true,
            groups_per_kind: 2,
            group_size: 4,
            events: 5,
            spread_secs: 30,
        }
    }
}

/// Accounts that were made to coordinate in one way.
#[derive(Debug, Clone, PartialEq)]
pub struct PlantedGroup {
    pub kind: NetworkKind,
    pub members: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Synth {
    /// Sorted by time.
    pub rows: Vec<MessageRow>,
    pub planted: Vec<PlantedGroup>,
}

const BASE_SECS: i64 = 1_700_000_000;
const LATIN: [&str; 16] = [
    "ka", "lo", "mi", "ne", "ro", "ta", "vu", "si", "da", "pe", "gu", "ha", "zo", "be", "fi", "wa",
];
const ARABIC: [char; 16] = [
    'ب', 'ت', 'ج', 'د', 'ر', 'س', 'ع', 'ف', 'ق', 'ك', 'ل', 'م', 'ن', 'ه', 'و', 'ي',
];

fn latin_word(i: usize) -> String {
    let mut w = String::new();
    let mut n = i + 16;
    while n > 0 {
        w.push_str(LATIN[n % 16]);
        n /= 16;
    }
    w
}

/// An Arabic word that starts with a bare alef, so variants can add hamza forms.
fn arabic_word(i: usize) -> String {
    let mut w = String::from("ا");
    let mut n = i + 16;
    while n > 0 {
        w.push(ARABIC[n % 16]);
        n /= 16;
    }
    w
}

/// A spelling variant of Arabic text that normalizes back to it.
fn arabic_variant(text: &str, variant: usize) -> String {
    match variant % 4 {
        0 => text.to_owned(),
        1 => text
            .chars()
            .flat_map(|c| {
                let mark = ('\u{0621}'..='\u{064A}').contains(&c).then_some('\u{064E}');
                std::iter::once(c).chain(mark)
            })
            .collect(),
        2 => text.replacen('ا', "أ", 1).replacen('ب', "بـــ", 1),
        _ => text.replace(" ا", " إ").replacen('ا', "آ", 1),
    }
}

struct Vocab {
    words: Vec<String>,
    zipf: Zipf,
}

impl Vocab {
    fn new(ascii: bool) -> Self {
        let mut words: Vec<String> = (0..3000).map(latin_word).collect();
        if !ascii {
            for i in 0..3000 {
                words.insert(i * 2 + 1, arabic_word(i));
            }
        }
        let zipf = Zipf::new(words.len(), 1.0);
        Self { words, zipf }
    }

    fn sentence(&self, rng: &mut Rng, len: usize) -> String {
        let mut s = String::new();
        for _ in 0..len {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&self.words[self.zipf.sample(rng)]);
        }
        s
    }
}

/// Generates `params.messages` background messages plus the planted groups' messages.
pub fn generate(params: &SynthParams) -> Synth {
    let mut rng = Rng::new(params.seed);
    let vocab = Vocab::new(params.ascii);
    let n = params.messages;
    let accounts = (n / 10).max(50);
    let span = (2 * n as i64).max(3600);
    let who = Zipf::new(accounts, 1.1);
    let popular = Zipf::new(1000, 1.0);
    let url_pick = Zipf::new(5000, 1.0);
    let mut rows = Vec::with_capacity(n + 1000);
    let mut originals: Vec<String> = Vec::new();
    for i in 0..n {
        let user = who.sample(&mut rng);
        let ts = BASE_SECS + (i as i64 * span) / n as i64 + rng.below(3) as i64;
        let mut row = MessageRow {
            message_id: (i + 1).to_string(),
            user_id: format!("{}", 1000 + user),
            username: format!("user{user}"),
            timestamp_ms: ts * 1000,
            ..MessageRow::default()
        };
        let roll = rng.unit();
        if roll < 0.45 && !originals.is_empty() {
            let target = if rng.unit() < 0.5 {
                popular.sample(&mut rng).min(originals.len() - 1)
            } else {
                originals.len() - 1 - (rng.below(500.min(originals.len() as u64)) as usize)
            };
            row.repost_id = Some(originals[target].clone());
            row.text = format!(
                "RT @user{}: {}",
                rng.below(accounts as u64),
                vocab.sentence(&mut rng, 6)
            );
        } else {
            if roll < 0.60 && i > 0 {
                row.reply_id = Some((1 + rng.below(i as u64)).to_string());
            }
            let len = 5 + rng.below(16) as usize;
            let mut text = vocab.sentence(&mut rng, len);
            if rng.unit() < 0.2 {
                text = format!("@user{} {text}", rng.below(accounts as u64));
            }
            if params.hashtags && rng.unit() < 0.2 {
                text.push_str(&format!(" #{}", latin_word(rng.below(200) as usize)));
            }
            row.text = text;
            let links = rng.unit();
            if links < 0.3 {
                row.urls.push(format!(
                    "https://news{}.example/a",
                    url_pick.sample(&mut rng)
                ));
            }
            if links < 0.05 {
                row.urls
                    .push(format!("https://site{}.example/", rng.below(100)));
            }
            originals.push(row.message_id.clone());
        }
        rows.push(row);
    }
    let planted = plant(&mut rows, params, &vocab, &mut rng, span);
    rows.sort_by(|a, b| {
        a.timestamp_ms
            .cmp(&b.timestamp_ms)
            .then_with(|| a.message_id.cmp(&b.message_id))
    });
    Synth { rows, planted }
}

fn plant(
    rows: &mut Vec<MessageRow>,
    p: &SynthParams,
    vocab: &Vocab,
    rng: &mut Rng,
    span: i64,
) -> Vec<PlantedGroup> {
    let mut planted = Vec::new();
    for (k, kind) in NetworkKind::ALL.into_iter().enumerate() {
        for g in 0..p.groups_per_kind {
            let tag = format!("{}-{g}", kind.name());
            // A word of letters only, so every tokenizer sees one token.
            let marker = format!("zq{}", latin_word(k * 1000 + g));
            let members: Vec<String> = (0..p.group_size).map(|j| format!("{tag}-m{j}")).collect();
            for e in 0..p.events {
                let at = BASE_SECS
                    + (span * (2 * e as i64 + 1)) / (2 * p.events as i64)
                    + rng.below(60) as i64;
                let shared = vocab.sentence(rng, 15);
                for (j, member) in members.iter().enumerate() {
                    let mut row = MessageRow {
                        message_id: format!("{tag}-e{e}-m{j}"),
                        user_id: member.clone(),
                        username: member.clone(),
                        timestamp_ms: (at + rng.below(p.spread_secs.max(1) as u64) as i64) * 1000,
                        text: vocab.sentence(rng, 8),
                        ..MessageRow::default()
                    };
                    match kind {
                        NetworkKind::CoRetweet => {
                            row.repost_id = Some(format!("{tag}-e{e}-source"))
                        }
                        NetworkKind::CoReply => row.reply_id = Some(format!("{tag}-e{e}-target")),
                        NetworkKind::CoLink => {
                            row.urls.push(format!("https://planted.example/{tag}/{e}"))
                        }
                        NetworkKind::CoTweet => {
                            let text = format!("{shared} {marker}");
                            row.text = if p.ascii {
                                text
                            } else {
                                arabic_variant(&text, j)
                            };
                        }
                        NetworkKind::CoSimilarTweet => {
                            row.text = format!("{shared} {marker} {}", latin_word(j))
                        }
                        NetworkKind::CoPost => {}
                    }
                    rows.push(row);
                }
            }
            planted.push(PlantedGroup { kind, members });
        }
    }
    planted
}

/// Writes rows as the toolkit's 8-column CSV.
pub fn write_cnt_csv(out: &mut dyn Write, rows: &[MessageRow]) -> io::Result<()> {
    writeln!(
        out,
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls"
    )?;
    for r in rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            csv_field(&r.message_id),
            csv_field(&r.user_id),
            csv_field(&r.username),
            csv_field(r.repost_id.as_deref().unwrap_or("")),
            csv_field(r.reply_id.as_deref().unwrap_or("")),
            csv_field(&r.text),
            r.timestamp_ms / 1000,
            csv_field(&r.urls.join(" "))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data() {
        let p = SynthParams {
            messages: 500,
            ..SynthParams::default()
        };
        let (a, b) = (generate(&p), generate(&p));
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.planted.len(), 6 * p.groups_per_kind);
    }

    #[test]
    fn mix_is_roughly_as_documented() {
        let s = generate(&SynthParams {
            messages: 20_000,
            ..SynthParams::default()
        });
        let n = s.rows.len() as f64;
        let reposts = s.rows.iter().filter(|r| r.repost_id.is_some()).count() as f64 / n;
        let replies = s.rows.iter().filter(|r| r.reply_id.is_some()).count() as f64 / n;
        assert!((0.40..0.50).contains(&reposts), "{reposts}");
        assert!((0.12..0.18).contains(&replies), "{replies}");
        assert!(s.rows.iter().any(|r| r.text.contains('ب')));
    }
}
