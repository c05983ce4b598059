//! The report as JSON (the [`Report`] structure, stable field names) and as CSV
//! (one row per account, every figure).

use std::io::{self, Read, Write};

use safir_text::spreadsheet::{BOM, defuse};

use super::{Counted, Report};

pub fn write_json(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

pub fn read_json(input: &mut dyn Read) -> Result<Report, serde_json::Error> {
    serde_json::from_reader(input)
}

/// The CSV columns, in order. Lists are space-separated (`value:count` where a
/// count belongs to the value); an unknown figure is an empty cell.
pub const CSV_COLUMNS: [&str; 24] = [
    "handle",
    "user_id",
    "requested",
    "followers",
    "posts",
    "original_posts",
    "reposts",
    "replies",
    "posts_per_day",
    "avg_reposts_per_post",
    "avg_likes_per_post",
    "interactions",
    "likes_received",
    "reposts_received",
    "replies_received",
    "reply_share",
    "languages",
    "top_hashtags",
    "replies_received_in_period",
    "positive_replies",
    "neutral_replies",
    "negative_replies",
    "connections",
    "top_post_ids",
];

/// The CSV for a spreadsheet, as the web exports are: a byte-order mark first, so that
/// Arabic hashtags and handles are read as UTF-8, and no cell run as a formula (a requested
/// `@mofa_example` is shown as written).
pub fn write_csv(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    out.write_all(BOM.as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    let counted = |items: &[Counted]| {
        items
            .iter()
            .map(|c| format!("{}:{}", c.value, c.count))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for a in &report.accounts {
        let s = &a.reply_sentiment;
        let record: [String; 24] = [
            a.handle.clone(),
            a.user_id.clone(),
            a.requested.clone(),
            opt(a.followers.map(|f| f.to_string())),
            a.posts.total.to_string(),
            a.posts.original.to_string(),
            a.posts.reposts.to_string(),
            a.posts.replies.to_string(),
            a.posts_per_day.to_string(),
            opt(a.avg_reposts.map(|v| v.to_string())),
            opt(a.avg_likes.map(|v| v.to_string())),
            a.interactions.total.to_string(),
            a.interactions.likes.to_string(),
            a.interactions.reposts.to_string(),
            a.interactions.replies.to_string(),
            opt(a.reply_share.map(|v| v.to_string())),
            counted(&a.languages),
            counted(&a.hashtags),
            s.replies.to_string(),
            s.positive.to_string(),
            s.neutral.to_string(),
            s.negative.to_string(),
            a.connections.join(" "),
            a.top_posts
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ];
        w.write_record(record.iter().map(|cell| defuse(cell).into_owned()))?;
    }
    w.flush()
}
