//! The report's figures, from one pass over the table.

use rustc_hash::{FxHashMap, FxHashSet};
use safir_text::TokenKind;
use safir_text::lang::detect;
use safir_text::sentiment::{Label, sentiment};

use super::{
    AccountReport, Buckets, ConnectionBasis, Counted, Follow, Interactions, PostCounts, Ranked,
    Rankings, Report, ReportError, ReportRequest, SentimentCounts, TopPost, round4,
};
use crate::table::{MessageTable, NONE};
use crate::time::format_iso;

const DAY_MS: i64 = 86_400_000;
/// Activity series longer than this many days are cut into wider buckets.
const MAX_BUCKETS: i64 = 120;

/// A handle or user id as it is compared: trimmed, without a leading `@`, lowercase.
fn key(name: &str) -> String {
    let name = name.trim();
    name.strip_prefix('@').unwrap_or(name).to_lowercase()
}

/// Which user a requested name means, and every handle each user wrote under.
struct Directory {
    by_id: FxHashMap<String, u32>,
    /// Lowercase handle → users who used it.
    by_handle: FxHashMap<String, Vec<u32>>,
    rows_per_user: Vec<u32>,
}

impl Directory {
    fn new(t: &MessageTable) -> Self {
        let mut rows_per_user = vec![0u32; t.users.len()];
        let mut pairs = FxHashSet::default();
        for (&user, &name) in t.user.iter().zip(&t.username) {
            rows_per_user[user as usize] += 1;
            pairs.insert((user, name));
        }
        let mut by_handle: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (user, name) in pairs {
            by_handle
                .entry(key(t.usernames.resolve(name)))
                .or_default()
                .push(user);
        }
        let by_id = (0..t.users.len() as u32)
            .map(|u| (key(t.users.resolve(u)), u))
            .collect();
        Self {
            by_id,
            by_handle,
            rows_per_user,
        }
    }

    /// Each handle (a key) a user posted under, with the user, in the order the influence
    /// graph names accounts: each user's first handle, users in order of first appearance,
    /// then handles taken later (renames), in the order of the rows.
    fn handles_in_order(&self, t: &MessageTable) -> Vec<(String, u32)> {
        let first_names = t.display_names();
        let renames = t
            .user
            .iter()
            .zip(&t.username)
            .filter(|&(&u, &name)| name != first_names[u as usize]);
        let named = (0..first_names.len() as u32)
            .map(|u| (u, first_names[u as usize]))
            .chain(renames.map(|(&u, &name)| (u, name)));
        let mut seen = FxHashSet::default();
        named
            .filter(|&(_, name)| name != NONE)
            .map(|(u, name)| (key(t.usernames.resolve(name)), u))
            .filter(|(k, _)| seen.insert(k.clone()))
            .collect()
    }

    /// The user a name means: a user id first, else the most active user of that handle.
    fn find(&self, name: &str) -> Option<u32> {
        let k = key(name);
        if k.is_empty() {
            return None;
        }
        self.by_id.get(&k).copied().or_else(|| {
            self.by_handle
                .get(&k)?
                .iter()
                .copied()
                .max_by_key(|&u| (self.rows_per_user[u as usize], std::cmp::Reverse(u)))
        })
    }
}

/// Per chosen account, what one pass over the table gathers.
#[derive(Default)]
struct Gathered {
    own_rows: Vec<u32>,
    replies_received: Vec<u32>,
    /// Accounts (indices) this one mentioned, replied to or reposted in the period.
    reached: FxHashSet<usize>,
}

pub fn build_report(t: &MessageTable, req: &ReportRequest) -> Result<Report, ReportError> {
    if req.accounts.iter().all(|a| key(a).is_empty()) {
        return Err(ReportError::NoAccounts);
    }
    let dir = Directory::new(t);
    let mut users: Vec<u32> = Vec::new();
    let mut requested = Vec::new();
    let mut not_found = Vec::new();
    for name in req.accounts.iter().filter(|a| !key(a).is_empty()) {
        match dir.find(name) {
            Some(u) if !users.contains(&u) => {
                users.push(u);
                requested.push(name.trim().to_owned());
            }
            Some(_) => {}
            None => not_found.push(name.trim().to_owned()),
        }
    }
    if users.is_empty() {
        return Err(ReportError::AccountsNotFound(not_found));
    }

    // By default, the whole days (UTC) from the first message to the last.
    let (first, last) = t.time_span_ms().unwrap_or((0, 0));
    let from = req
        .from_ms
        .unwrap_or_else(|| first.div_euclid(DAY_MS) * DAY_MS);
    let to = req
        .to_ms
        .unwrap_or_else(|| (last.div_euclid(DAY_MS) + 1) * DAY_MS);
    if from >= to {
        return Err(ReportError::EmptyPeriod {
            from: format_iso(from),
            to: format_iso(to),
        });
    }
    let days = ((to - from + DAY_MS - 1) / DAY_MS).max(1);
    // Activity buckets start at midnight UTC, so that a bucket is a calendar day.
    let start = from.div_euclid(DAY_MS) * DAY_MS;
    let calendar_days = (to - start + DAY_MS - 1) / DAY_MS;
    let bucket_days = ((calendar_days + MAX_BUCKETS - 1) / MAX_BUCKETS).max(1);
    let bucket_count = (calendar_days + bucket_days - 1) / bucket_days;

    // Account index of each user, and of each handle.
    let mut acct_of_user = vec![NONE; t.users.len()];
    for (i, &u) in users.iter().enumerate() {
        acct_of_user[u as usize] = i as u32;
    }
    let mut acct_of_key: FxHashMap<String, usize> = FxHashMap::default();
    for (k, us) in &dir.by_handle {
        if let Some(i) = us.iter().find_map(|&u| index(acct_of_user[u as usize])) {
            acct_of_key.insert(k.clone(), i);
        }
    }
    // A mention may name the local part of a fediverse handle (`@embassy` for
    // `embassy@social.example`), as the influence graph reads it: unless an account
    // with that handle posted, and for the first account to post when several servers
    // have it. The local part credits a chosen account only when it names one.
    let mut aliases = FxHashSet::default();
    for (k, u) in dir.handles_in_order(t) {
        let Some(local) = local_part(&k) else {
            continue;
        };
        if dir.by_handle.contains_key(local) || !aliases.insert(local.to_owned()) {
            continue;
        }
        if let Some(i) = index(acct_of_user[u as usize]) {
            acct_of_key.insert(local.to_owned(), i);
        }
    }
    let acct_of_name: Vec<u32> = (0..t.usernames.len() as u32)
        .map(|n| {
            acct_of_key
                .get(&key(t.usernames.resolve(n)))
                .map_or(NONE, |&i| i as u32)
        })
        .collect();
    // The row a repost or reply points at, when that message is in the table.
    let target_row =
        |r: u32| -> Option<u32> { (r != NONE).then(|| t.message_ids.get(t.refs.resolve(r)))? };
    // The account a repost or reply credits: the author of the message it points at
    // when the table holds that message (an account not chosen credits none), else
    // the declared handle.
    let target_acct = |reference: u32, handle: u32| -> Option<usize> {
        match target_row(reference) {
            Some(row) => index(acct_of_user[t.user[row as usize] as usize]),
            None => (handle != NONE).then(|| index(acct_of_name[handle as usize]))?,
        }
    };

    let mut gathered: Vec<Gathered> = (0..users.len()).map(|_| Gathered::default()).collect();
    // Reposts and replies of the chosen accounts' messages seen in the table, by others.
    let mut seen: FxHashMap<u32, (u64, u64)> = FxHashMap::default();
    for row in 0..t.len() as u32 {
        let r = row as usize;
        let author = index(acct_of_user[t.user[r] as usize]);
        for (reference, is_repost) in [(t.repost[r], true), (t.reply[r], false)] {
            if let Some(target) = target_row(reference)
                && let Some(owner) = index(acct_of_user[t.user[target as usize] as usize])
                && author != Some(owner)
            {
                let entry = seen.entry(target).or_default();
                if is_repost {
                    entry.0 += 1;
                } else {
                    entry.1 += 1;
                }
            }
        }
        if !(from..to).contains(&t.timestamp_ms[r]) {
            continue;
        }
        if t.reply[r] != NONE
            && let Some(owner) = target_acct(t.reply[r], t.reply_to_user[r])
            && author != Some(owner)
        {
            gathered[owner].replies_received.push(row);
        }
        let Some(a) = author else { continue };
        gathered[a].own_rows.push(row);
        let mut reached = Vec::new();
        reached.extend(target_acct(t.repost[r], t.repost_of_user[r]));
        reached.extend(target_acct(t.reply[r], t.reply_to_user[r]));
        if !t.is_repost(row) {
            let text = t.text(row);
            for token in safir_text::tokenize(text) {
                if token.kind == TokenKind::Mention
                    && let Some(&b) = acct_of_key.get(&key(token.text(text)))
                {
                    reached.push(b);
                }
            }
        }
        gathered[a]
            .reached
            .extend(reached.into_iter().filter(|&b| b != a));
    }

    let connections = match &req.follows {
        Some(follows) => mutual_follows(follows, &dir, &acct_of_user, users.len()),
        None => (0..users.len())
            .map(|a| {
                (0..users.len())
                    .filter(|&b| {
                        gathered[a].reached.contains(&b) && gathered[b].reached.contains(&a)
                    })
                    .collect()
            })
            .collect(),
    };

    let handles: Vec<String> = users.iter().map(|&u| latest_handle(t, u)).collect();
    let accounts: Vec<AccountReport> = gathered
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let buckets = (start, bucket_days * DAY_MS, bucket_count);
            let mut a = account_report(t, req, users[i], g, &seen, days, buckets);
            a.handle = handles[i].clone();
            a.requested = requested[i].clone();
            a.connections = connections[i]
                .iter()
                .map(|&b: &usize| handles[b].clone())
                .collect();
            a.connections.sort();
            a
        })
        .collect();
    let rankings = rankings(&accounts);
    Ok(Report {
        lang: req.lang,
        from: format_iso(from),
        to: format_iso(to),
        days: days as u32,
        connections_from: if req.follows.is_some() {
            ConnectionBasis::MutualFollows
        } else {
            ConnectionBasis::MutualMentionsReposts
        },
        not_found,
        buckets: Buckets {
            start: format_iso(start),
            start_ms: start,
            days_per_bucket: bucket_days as u32,
            count: bucket_count as u32,
        },
        accounts,
        rankings,
    })
}

/// The local part of a fediverse handle key (`embassy` of `embassy@social.example`).
fn local_part(handle: &str) -> Option<&str> {
    match handle.split_once('@') {
        Some((local, host))
            if !local.is_empty()
                && !host.is_empty()
                && !host.contains('@')
                && !handle.contains(|c: char| c == '/' || c.is_whitespace()) =>
        {
            Some(local)
        }
        _ => None,
    }
}

fn index(i: u32) -> Option<usize> {
    (i != NONE).then_some(i as usize)
}

fn latest_handle(t: &MessageTable, user: u32) -> String {
    let row = (0..t.len())
        .filter(|&r| t.user[r] == user)
        .max_by_key(|&r| (t.timestamp_ms[r], r))
        .unwrap_or(0);
    t.usernames.resolve(t.username[row]).to_owned()
}

fn mutual_follows(
    follows: &[Follow],
    dir: &Directory,
    acct_of_user: &[u32],
    n: usize,
) -> Vec<Vec<usize>> {
    let acct = |name: &str| dir.find(name).and_then(|u| index(acct_of_user[u as usize]));
    let edges: FxHashSet<(usize, usize)> = follows
        .iter()
        .filter_map(|f| Some((acct(&f.follower)?, acct(&f.followed)?)))
        .filter(|(a, b)| a != b)
        .collect();
    (0..n)
        .map(|a| {
            (0..n)
                .filter(|&b| edges.contains(&(a, b)) && edges.contains(&(b, a)))
                .collect()
        })
        .collect()
}

/// One account's figures; `buckets` is (start, width, count) of the activity series.
fn account_report(
    t: &MessageTable,
    req: &ReportRequest,
    user: u32,
    g: &Gathered,
    seen: &FxHashMap<u32, (u64, u64)>,
    days: i64,
    (start, bucket_ms, bucket_count): (i64, i64, i64),
) -> AccountReport {
    let mut posts = PostCounts::default();
    let mut activity = vec![0u32; bucket_count as usize];
    let (mut likes_sum, mut likes_n, mut reposts_sum, mut reposts_n) = (0u64, 0u64, 0u64, 0u64);
    let mut interactions = Interactions::default();
    let mut ranked_posts: Vec<(u64, i64, u32, [u64; 3])> = Vec::new();
    let mut languages: FxHashMap<String, u32> = FxHashMap::default();
    let mut tags: FxHashMap<String, (String, u32, usize)> = FxHashMap::default();
    for &row in &g.own_rows {
        let r = row as usize;
        let bucket = ((t.timestamp_ms[r] - start) / bucket_ms).clamp(0, bucket_count - 1);
        activity[bucket as usize] += 1;
        if t.is_repost(row) {
            posts.reposts += 1;
            continue;
        }
        if t.reply[r] != NONE {
            posts.replies += 1;
        } else {
            posts.original += 1;
            if t.likes[r] != NONE {
                likes_sum += u64::from(t.likes[r]);
                likes_n += 1;
            }
            if t.repost_count[r] != NONE {
                reposts_sum += u64::from(t.repost_count[r]);
                reposts_n += 1;
            }
        }
        // A count the archive gives wins; else what the table shows of it.
        let (seen_reposts, seen_replies) = seen.get(&row).copied().unwrap_or_default();
        let known = |v: &[u32], fallback: u64| {
            if v[r] == NONE {
                fallback
            } else {
                u64::from(v[r])
            }
        };
        let got = [
            known(&t.likes, 0),
            known(&t.repost_count, seen_reposts),
            known(&t.reply_count, seen_replies),
        ];
        interactions.likes += got[0];
        interactions.reposts += got[1];
        interactions.replies += got[2];
        ranked_posts.push((got.iter().sum(), t.timestamp_ms[r], row, got));

        let text = t.text(row);
        let lang = if t.lang[r] != NONE {
            let tag = t.langs.resolve(t.lang[r]);
            Some(tag.split('-').next().unwrap_or(tag).to_ascii_lowercase())
        } else {
            detect(text).map(|(l, _)| l.code().to_owned())
        };
        if let Some(lang) = lang {
            *languages.entry(lang).or_default() += 1;
        }
        for token in safir_text::tokenize(text) {
            if token.kind == TokenKind::Hashtag {
                let shown = token.text(text);
                let n = tags.len();
                let e = tags
                    .entry(safir_text::normalize(shown))
                    .or_insert_with(|| (shown.to_owned(), 0, n));
                e.1 += 1;
            }
        }
    }
    posts.total = posts.original + posts.reposts + posts.replies;
    interactions.total = interactions.likes + interactions.reposts + interactions.replies;

    ranked_posts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let top_posts = ranked_posts
        .iter()
        .take(req.top_posts)
        .map(|&(total, ms, row, [likes, reposts, replies])| TopPost {
            id: t.message_id(row).to_owned(),
            time: format_iso(ms),
            text: t.text(row).to_owned(),
            likes,
            reposts,
            replies,
            interactions: total,
        })
        .collect();

    let mut languages: Vec<Counted> = languages
        .into_iter()
        .map(|(value, count)| Counted { value, count })
        .collect();
    languages.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    let mut tags: Vec<(String, u32, usize)> = tags.into_values().collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let hashtags = tags
        .into_iter()
        .take(req.top_hashtags)
        .map(|(value, count, _)| Counted { value, count })
        .collect();

    let mut reply_sentiment = SentimentCounts::default();
    for &row in &g.replies_received {
        reply_sentiment.replies += 1;
        match sentiment(t.text(row)).label {
            Label::Pos => reply_sentiment.positive += 1,
            Label::Neu => reply_sentiment.neutral += 1,
            Label::Neg => reply_sentiment.negative += 1,
        }
    }

    let own = posts.original + posts.replies;
    let mean = |sum: u64, n: u64| (n > 0).then(|| round4(sum as f64 / n as f64));
    AccountReport {
        handle: String::new(),
        user_id: t.users.resolve(user).to_owned(),
        requested: String::new(),
        followers: latest_followers(t, user, &g.own_rows),
        posts,
        posts_per_day: round4(f64::from(posts.total) / days as f64),
        avg_reposts: mean(reposts_sum, reposts_n),
        avg_likes: mean(likes_sum, likes_n),
        interactions,
        reply_share: (own > 0).then(|| round4(f64::from(posts.replies) / f64::from(own))),
        languages,
        hashtags,
        top_posts,
        reply_sentiment,
        connections: Vec::new(),
        activity,
    }
}

/// The follower count on the latest message that carries one: in the period,
/// else at any time.
fn latest_followers(t: &MessageTable, user: u32, in_period: &[u32]) -> Option<u32> {
    let latest = |rows: &mut dyn Iterator<Item = usize>| {
        rows.filter(|&r| t.followers[r] != NONE)
            .max_by_key(|&r| (t.timestamp_ms[r], r))
            .map(|r| t.followers[r])
    };
    latest(&mut in_period.iter().map(|&r| r as usize))
        .or_else(|| latest(&mut (0..t.len()).filter(|&r| t.user[r] == user)))
}

fn rankings(accounts: &[AccountReport]) -> Rankings {
    let rank = |value: &dyn Fn(&AccountReport) -> Option<f64>| {
        let mut list: Vec<Ranked> = accounts
            .iter()
            .filter_map(|a| {
                value(a).map(|v| Ranked {
                    handle: a.handle.clone(),
                    value: v,
                })
            })
            .collect();
        list.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.handle.cmp(&b.handle)));
        list
    };
    Rankings {
        most_followed: rank(&|a| a.followers.map(f64::from)),
        most_effective: rank(&|a| a.avg_reposts),
        most_interactions: rank(&|a| Some(a.interactions.total as f64)),
        most_conversational: rank(&|a| a.reply_share),
        best_connected: rank(&|a| Some(a.connections.len() as f64)),
    }
}
