//! The message table: one `Vec` per column, strings interned, rows named by `u32`.
//!
//! A row's index is also the interned id of its message id, so a duplicate id is
//! detected by the interner and re-importing a file adds nothing.

use crate::intern::Interner;

/// Marks an absent reference (no repost, no reply).
pub const NONE: u32 = u32::MAX;

/// One message as an importer hands it over, before interning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageRow {
    pub message_id: String,
    pub user_id: String,
    pub username: String,
    /// Id of the message this one reposts verbatim (retweet, boost), if any.
    pub repost_id: Option<String>,
    /// Id of the message this one replies to, if any.
    pub reply_id: Option<String>,
    pub text: String,
    /// Milliseconds since the Unix epoch (or any consistent origin).
    pub timestamp_ms: i64,
    pub urls: Vec<String>,
    /// What the archive says beyond the eight coordination columns (all optional).
    pub meta: RowMeta,
}

/// Optional per-message facts some archives carry (engagement counts, the author's
/// follower count, the declared language, the handle of the reposted or replied-to
/// account). Absent means unknown, never zero.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowMeta {
    /// Language the platform declared (BCP 47 tag such as `ar`, `en`, `fr`).
    pub lang: Option<String>,
    pub likes: Option<u32>,
    /// Times this message was reposted (retweets, boosts).
    pub reposts: Option<u32>,
    pub replies: Option<u32>,
    /// The author's follower count when the message was collected.
    pub followers: Option<u32>,
    /// Handle (username) of the author of the reposted message.
    pub repost_of_username: Option<String>,
    /// Handle (username) of the author of the replied-to message.
    pub reply_to_username: Option<String>,
}

/// Columnar, append-only message table.
#[derive(Debug, Default, Clone)]
pub struct MessageTable {
    /// Message ids; the id of row `r` is `r`.
    pub message_ids: Interner,
    /// User ids as in the input.
    pub users: Interner,
    /// Display names.
    pub usernames: Interner,
    /// Repost and reply targets.
    pub refs: Interner,
    pub urls: Interner,
    /// Declared languages.
    pub langs: Interner,

    pub user: Vec<u32>,
    pub username: Vec<u32>,
    pub repost: Vec<u32>,
    pub reply: Vec<u32>,
    pub timestamp_ms: Vec<i64>,
    text_buf: String,
    text_end: Vec<usize>,
    /// Row `r`'s URLs are `url_ids[url_end[r - 1]..url_end[r]]`.
    url_end: Vec<usize>,
    url_ids: Vec<u32>,
    /// Interned declared language per row, or [`NONE`].
    pub lang: Vec<u32>,
    /// Engagement counts and follower count per row; [`NONE`] when unknown.
    pub likes: Vec<u32>,
    pub repost_count: Vec<u32>,
    pub reply_count: Vec<u32>,
    pub followers: Vec<u32>,
    /// Interned handle (in `usernames`) of the reposted / replied-to author, or [`NONE`].
    pub repost_of_user: Vec<u32>,
    pub reply_to_user: Vec<u32>,
}

impl MessageTable {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.user.len()
    }

    pub fn is_empty(&self) -> bool {
        self.user.is_empty()
    }

    /// Appends `row` unless its message id is already present; returns whether it was added.
    pub fn push(&mut self, row: &MessageRow) -> bool {
        let (_, new) = self.message_ids.intern(&row.message_id);
        if !new {
            return false;
        }
        self.user.push(self.users.intern(&row.user_id).0);
        self.username.push(self.usernames.intern(&row.username).0);
        self.repost
            .push(intern_opt(&mut self.refs, row.repost_id.as_deref()));
        self.reply
            .push(intern_opt(&mut self.refs, row.reply_id.as_deref()));
        self.timestamp_ms.push(row.timestamp_ms);
        self.text_buf.push_str(&row.text);
        self.text_end.push(self.text_buf.len());
        for url in &row.urls {
            self.url_ids.push(self.urls.intern(url).0);
        }
        self.url_end.push(self.url_ids.len());
        let m = &row.meta;
        self.lang
            .push(intern_opt(&mut self.langs, m.lang.as_deref()));
        self.likes.push(m.likes.unwrap_or(NONE));
        self.repost_count.push(m.reposts.unwrap_or(NONE));
        self.reply_count.push(m.replies.unwrap_or(NONE));
        self.followers.push(m.followers.unwrap_or(NONE));
        self.repost_of_user.push(intern_opt(
            &mut self.usernames,
            m.repost_of_username.as_deref(),
        ));
        self.reply_to_user.push(intern_opt(
            &mut self.usernames,
            m.reply_to_username.as_deref(),
        ));
        true
    }

    pub fn message_id(&self, row: u32) -> &str {
        self.message_ids.resolve(row)
    }

    pub fn user_id(&self, row: u32) -> &str {
        self.users.resolve(self.user[row as usize])
    }

    pub fn text(&self, row: u32) -> &str {
        let r = row as usize;
        let start = if r == 0 { 0 } else { self.text_end[r - 1] };
        &self.text_buf[start..self.text_end[r]]
    }

    /// Interned URL ids of `row`, in input order.
    pub fn url_ids(&self, row: u32) -> &[u32] {
        let r = row as usize;
        let start = if r == 0 { 0 } else { self.url_end[r - 1] };
        &self.url_ids[start..self.url_end[r]]
    }

    pub fn is_repost(&self, row: u32) -> bool {
        self.repost[row as usize] != NONE
    }

    /// For each account (interned user id), the interned display name on its first message.
    pub fn display_names(&self) -> Vec<u32> {
        let mut names = vec![NONE; self.users.len()];
        for (row, &user) in self.user.iter().enumerate() {
            if names[user as usize] == NONE {
                names[user as usize] = self.username[row];
            }
        }
        names
    }

    /// Earliest and latest timestamp, if the table is not empty.
    pub fn time_span_ms(&self) -> Option<(i64, i64)> {
        let min = self.timestamp_ms.iter().copied().min()?;
        let max = self.timestamp_ms.iter().copied().max()?;
        Some((min, max))
    }

    /// The optional facts of `row`.
    pub fn meta(&self, row: u32) -> RowMeta {
        let r = row as usize;
        let count = |v: &[u32]| (v[r] != NONE).then_some(v[r]);
        let name = |id: u32| (id != NONE).then(|| self.usernames.resolve(id).to_owned());
        RowMeta {
            lang: (self.lang[r] != NONE).then(|| self.langs.resolve(self.lang[r]).to_owned()),
            likes: count(&self.likes),
            reposts: count(&self.repost_count),
            replies: count(&self.reply_count),
            followers: count(&self.followers),
            repost_of_username: name(self.repost_of_user[r]),
            reply_to_username: name(self.reply_to_user[r]),
        }
    }

    /// Rebuilds a row as an importer would have handed it over.
    pub fn row(&self, row: u32) -> MessageRow {
        let r = row as usize;
        let opt = |id: u32| (id != NONE).then(|| self.refs.resolve(id).to_owned());
        MessageRow {
            message_id: self.message_id(row).to_owned(),
            user_id: self.user_id(row).to_owned(),
            username: self.usernames.resolve(self.username[r]).to_owned(),
            repost_id: opt(self.repost[r]),
            reply_id: opt(self.reply[r]),
            text: self.text(row).to_owned(),
            timestamp_ms: self.timestamp_ms[r],
            urls: self
                .url_ids(row)
                .iter()
                .map(|&u| self.urls.resolve(u).to_owned())
                .collect(),
            meta: self.meta(row),
        }
    }

    /// Replaces each distinct URL by `f(url)`, or keeps it where `f` returns `None`
    /// (for instance short links by their final destination). URLs that become equal
    /// share one id, so co_link and every other consumer see them as one; a row that
    /// now names the same URL twice keeps it once, in first-seen order. Returns how
    /// many distinct URLs changed.
    pub fn map_urls(&mut self, mut f: impl FnMut(&str) -> Option<String>) -> usize {
        let mut urls = Interner::new();
        let mut changed = 0;
        let new_id: Vec<u32> = (0..self.urls.len() as u32)
            .map(|id| {
                let old = self.urls.resolve(id);
                match f(old) {
                    Some(new) if new != old => {
                        changed += 1;
                        urls.intern(&new).0
                    }
                    _ => urls.intern(old).0,
                }
            })
            .collect();
        let mut url_ids = Vec::with_capacity(self.url_ids.len());
        let mut start = 0;
        for end in &mut self.url_end {
            let first = url_ids.len();
            for &old in &self.url_ids[start..*end] {
                let id = new_id[old as usize];
                if !url_ids[first..].contains(&id) {
                    url_ids.push(id);
                }
            }
            start = *end;
            *end = url_ids.len();
        }
        self.urls = urls;
        self.url_ids = url_ids;
        changed
    }
}

fn intern_opt(interner: &mut Interner, s: Option<&str>) -> u32 {
    match s {
        Some(s) if !s.is_empty() => interner.intern(s).0,
        _ => NONE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, user: &str, text: &str) -> MessageRow {
        MessageRow {
            message_id: id.into(),
            user_id: user.into(),
            username: format!("@{user}"),
            text: text.into(),
            timestamp_ms: 1000,
            urls: vec!["https://a.example".into()],
            ..MessageRow::default()
        }
    }

    #[test]
    fn rows_round_trip_and_duplicates_are_ignored() {
        let mut t = MessageTable::new();
        assert!(t.push(&row("1", "u", "first")));
        assert!(t.push(&row("2", "v", "سلام")));
        assert!(!t.push(&row("1", "w", "again")));
        assert_eq!(t.len(), 2);
        assert_eq!(t.row(0), row("1", "u", "first"));
        assert_eq!(t.text(1), "سلام");
        assert_eq!(t.url_ids(0), t.url_ids(1));
    }

    #[test]
    fn optional_facts_round_trip_and_absent_stays_unknown() {
        let mut t = MessageTable::new();
        let mut r = row("1", "u", "x");
        r.meta = RowMeta {
            lang: Some("ar".into()),
            likes: Some(0),
            reposts: Some(12),
            replies: None,
            followers: Some(5000),
            repost_of_username: Some("mofa".into()),
            reply_to_username: None,
        };
        t.push(&r);
        t.push(&row("2", "v", "y"));
        assert_eq!(t.row(0), r);
        assert_eq!(t.meta(1), RowMeta::default());
    }

    #[test]
    fn mapped_urls_merge_and_unmapped_ones_stay() {
        let mut t = MessageTable::new();
        let mut a = row("1", "u", "x");
        a.urls = vec!["https://t.example/a".into(), "https://t.example/b".into()];
        let mut b = row("2", "v", "y");
        b.urls = vec!["https://t.example/b".into(), "https://kept.example".into()];
        let c = row("3", "w", "z");
        for r in [&a, &b, &c] {
            t.push(r);
        }
        let changed = t.map_urls(|u| match u {
            "https://t.example/a" | "https://t.example/b" => Some("https://final.example/".into()),
            "https://kept.example" => Some(u.to_owned()),
            _ => None,
        });
        assert_eq!(changed, 2);
        assert_eq!(t.row(0).urls, ["https://final.example/"]);
        assert_eq!(
            t.row(1).urls,
            ["https://final.example/", "https://kept.example"]
        );
        assert_eq!(t.row(2).urls, ["https://a.example"]);
        assert_eq!(t.url_ids(0), &t.url_ids(1)[..1]);
        assert_eq!(t.urls.len(), 3, "{:?}", t.urls);
        assert_eq!(t.row(1).text, "y", "other columns untouched");
    }

    #[test]
    fn empty_reference_means_none() {
        let mut t = MessageTable::new();
        let mut r = row("1", "u", "x");
        r.repost_id = Some(String::new());
        r.reply_id = Some("9".into());
        t.push(&r);
        assert!(!t.is_repost(0));
        assert_eq!(t.row(0).reply_id.as_deref(), Some("9"));
    }
}
