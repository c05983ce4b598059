//! Twiplomacy-style report over a chosen set of accounts (leaders, ministries,
//! embassies) for a period: followers, activity, effectiveness, interactions,
//! conversation, connections among the accounts, with rankings as in the study.
//!
//! [`build_report`] computes a [`Report`]; [`write_html`], [`write_json`] and
//! [`write_csv`] render it. Labels exist in Arabic and English ([`Labels`]).

mod charts;
mod compute;
mod export;
mod html;
mod labels;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use compute::build_report;
pub use export::{CSV_COLUMNS, read_json, write_csv, write_json};
pub use html::write_html;
pub use labels::Labels;

/// The language of the report's labels (the posts stay as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportLang {
    Ar,
    #[default]
    En,
}

impl ReportLang {
    pub fn code(self) -> &'static str {
        match self {
            ReportLang::Ar => "ar",
            ReportLang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ar" => Some(ReportLang::Ar),
            "en" => Some(ReportLang::En),
            _ => None,
        }
    }
}

/// `follower` follows `followed` (handles or user ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follow {
    pub follower: String,
    pub followed: String,
}

/// What to report on.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// Handles or user ids; case-insensitive, `@` optional.
    pub accounts: Vec<String>,
    /// Start of the period (epoch ms, inclusive); midnight (UTC) before the first
    /// message when `None`.
    pub from_ms: Option<i64>,
    /// End of the period (epoch ms, exclusive); midnight (UTC) after the last
    /// message when `None`.
    pub to_ms: Option<i64>,
    pub lang: ReportLang,
    /// Who follows whom; connections are mutual follows when given, else mutual
    /// mentions, replies or reposts in the period.
    pub follows: Option<Vec<Follow>>,
    /// Top posts listed per account.
    pub top_posts: usize,
    /// Top hashtags listed per account.
    pub top_hashtags: usize,
}

impl ReportRequest {
    pub fn new(accounts: Vec<String>) -> Self {
        Self {
            accounts,
            from_ms: None,
            to_ms: None,
            lang: ReportLang::En,
            follows: None,
            top_posts: 3,
            top_hashtags: 5,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no accounts were given")]
    NoAccounts,
    #[error("none of the accounts is in the data: {}", .0.join(", "))]
    AccountsNotFound(Vec<String>),
    #[error("the period is empty: {from} is not before {to}")]
    EmptyPeriod { from: String, to: String },
    #[error("follows list, line {line}: {message}")]
    Follows { line: u64, message: String },
}

/// Where the connections among the accounts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionBasis {
    /// Mutual follows, from a follows list.
    MutualFollows,
    /// Each mentioned, replied to or reposted the other in the period.
    MutualMentionsReposts,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub lang: ReportLang,
    /// The period, ISO 8601 UTC, `to` exclusive.
    pub from: String,
    pub to: String,
    /// Length of the period in days (rounded up, at least 1).
    pub days: u32,
    pub connections_from: ConnectionBasis,
    /// Requested accounts that are not in the data.
    pub not_found: Vec<String>,
    /// How the activity series are cut.
    pub buckets: Buckets,
    pub accounts: Vec<AccountReport>,
    pub rankings: Rankings,
}

/// Time buckets of the activity series: `count` buckets of `days_per_bucket`
/// days from `start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Buckets {
    pub start: String,
    pub start_ms: i64,
    pub days_per_bucket: u32,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountReport {
    /// The handle on the account's latest message.
    pub handle: String,
    pub user_id: String,
    /// As it was asked for.
    pub requested: String,
    /// Latest known follower count; `None` when no message carries it.
    pub followers: Option<u32>,
    pub posts: PostCounts,
    pub posts_per_day: f64,
    /// Average reposts and likes per original post, over the posts whose counts
    /// the archive gives; `None` when it gives none.
    pub avg_reposts: Option<f64>,
    pub avg_likes: Option<f64>,
    pub interactions: Interactions,
    /// Share of the account's own posts (originals and replies) that are replies.
    pub reply_share: Option<f64>,
    /// Languages of its own posts (declared, else detected), most used first.
    pub languages: Vec<Counted>,
    pub hashtags: Vec<Counted>,
    pub top_posts: Vec<TopPost>,
    /// Sentiment of the replies it received in the period.
    pub reply_sentiment: SentimentCounts,
    /// Handles of the chosen accounts it is connected with.
    pub connections: Vec<String>,
    /// Posts (reposts included) per bucket, see [`Report::buckets`].
    pub activity: Vec<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PostCounts {
    pub original: u32,
    pub reposts: u32,
    pub replies: u32,
    pub total: u32,
}

/// Likes, reposts and replies received by the account's own posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Interactions {
    pub likes: u64,
    pub reposts: u64,
    pub replies: u64,
    pub total: u64,
}

/// A value (language code, hashtag) and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    pub value: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopPost {
    pub id: String,
    pub time: String,
    pub text: String,
    pub likes: u64,
    pub reposts: u64,
    pub replies: u64,
    pub interactions: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SentimentCounts {
    pub replies: u32,
    pub positive: u32,
    pub neutral: u32,
    pub negative: u32,
}

impl SentimentCounts {
    /// Positive, neutral and negative shares; `None` without replies.
    pub fn shares(&self) -> Option<[f64; 3]> {
        (self.replies > 0).then(|| {
            let n = f64::from(self.replies);
            [self.positive, self.neutral, self.negative].map(|c| f64::from(c) / n)
        })
    }
}

/// The study's rankings, best first; accounts whose value is unknown are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rankings {
    pub most_followed: Vec<Ranked>,
    /// By average reposts per original post.
    pub most_effective: Vec<Ranked>,
    pub most_interactions: Vec<Ranked>,
    /// By share of replies.
    pub most_conversational: Vec<Ranked>,
    /// By number of connections among the chosen accounts.
    pub best_connected: Vec<Ranked>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub handle: String,
    pub value: f64,
}

/// Reads a follows list: CSV `follower,followed` (handles or user ids), with or
/// without that header line. A byte-order mark (a file saved as "UTF-8 with BOM") is
/// not part of the first follower: the csv reader skips it.
pub fn parse_follows(text: &str) -> Result<Vec<Follow>, ReportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut follows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i as u64 + 1, |p| p.line());
        let record = record.map_err(|e| ReportError::Follows {
            line,
            message: e.to_string(),
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != 2 {
            return Err(ReportError::Follows {
                line,
                message: format!(
                    "expected 2 columns (follower,followed), found {}",
                    record.len()
                ),
            });
        }
        let (follower, followed) = (&record[0], &record[1]);
        if i == 0
            && follower.eq_ignore_ascii_case("follower")
            && followed.eq_ignore_ascii_case("followed")
        {
            continue;
        }
        if follower.is_empty() || followed.is_empty() {
            return Err(ReportError::Follows {
                line,
                message: "both columns need a handle or user id".into(),
            });
        }
        follows.push(Follow {
            follower: follower.to_owned(),
            followed: followed.to_owned(),
        });
    }
    Ok(follows)
}

impl fmt::Display for ReportLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Rounds a ratio to 4 decimals, so that it reads well and survives JSON exactly.
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
