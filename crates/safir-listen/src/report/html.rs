//! The report as one self-contained HTML page: inline CSS, inline SVG charts, no
//! scripts and nothing fetched. Every piece of text from the data is escaped; the
//! markup is also well-formed XML, so XML tools can read it.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{AccountReport, ConnectionBasis, Labels, Ranked, Report, ReportLang, charts};
use crate::escape::forbidden_in_xml;

const STYLE: &str = "body{font-family:system-ui,'Noto Sans','Noto Sans Arabic',Tahoma,sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#1d1d1f;line-height:1.5}\
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:start;vertical-align:top}\
th{background:#f4f4f6;font-weight:600}.rankings{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1rem}\
.rankings ol{margin:.2rem 0;padding-inline-start:1.4rem}figure{margin:1rem 0}svg{max-width:100%;height:auto;direction:ltr}\
.post{border-inline-start:3px solid #ccd;padding:.2rem .8rem;margin:.6rem 0}.post p{margin:.2rem 0;white-space:pre-wrap}\
.meta{color:#666;font-size:.9em}.muted{color:#666}";

/// Escapes text for HTML element content and attribute values. Characters XML
/// cannot hold are dropped, so that the page stays well-formed XML: a post may
/// carry a stray control character, which no reader of the page would see anyway.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if forbidden_in_xml(c) => {}
            c => out.push(c),
        }
    }
    out
}

pub fn write_html(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let l = Labels::of(report.lang);
    let dir = match report.lang {
        ReportLang::Ar => "rtl",
        ReportLang::En => "ltr",
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        report.lang.code(),
        escape(l.title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", escape(l.title));
    let (first, last) = period(&report.from, &report.to);
    let _ = writeln!(
        h,
        "<p>{}: <bdi>{first}</bdi> – <bdi>{last}</bdi> ({} {})</p>",
        escape(l.period),
        report.days,
        escape((l.days)(report.days))
    );
    let handles: Vec<String> = report
        .accounts
        .iter()
        .map(|a| format!("<bdi>{}</bdi>", escape(&a.handle)))
        .collect();
    let _ = writeln!(
        h,
        "<p>{}: {}</p>",
        escape(l.accounts),
        handles.join(l.list_separator)
    );
    if !report.not_found.is_empty() {
        let missing: Vec<String> = report
            .not_found
            .iter()
            .map(|a| format!("<bdi>{}</bdi>", escape(a)))
            .collect();
        let _ = writeln!(
            h,
            "<p class=\"muted\">{}: {}</p>",
            escape(l.not_found),
            missing.join(l.list_separator)
        );
    }

    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<div class=\"rankings\">",
        escape(l.rankings)
    );
    let r = &report.rankings;
    ranking(&mut h, l.most_followed, &r.most_followed, &|v| {
        format!("{v:.0}")
    });
    ranking(&mut h, l.most_effective, &r.most_effective, &|v| {
        format!("{v:.2}")
    });
    ranking(&mut h, l.most_interactions, &r.most_interactions, &|v| {
        format!("{v:.0}")
    });
    ranking(
        &mut h,
        l.most_conversational,
        &r.most_conversational,
        &percent,
    );
    ranking(&mut h, l.best_connected, &r.best_connected, &|v| {
        format!("{v:.0}")
    });
    h.push_str("</div>\n");

    for chart in [
        charts::activity(report, l)?,
        charts::interactions(report, l)?,
        charts::sentiment(report, l)?,
    ] {
        let _ = writeln!(h, "<figure>\n{}</figure>", chart.trim_end());
    }

    let _ = writeln!(h, "<h2>{}</h2>", escape(l.accounts));
    for a in &report.accounts {
        account(&mut h, l, a);
    }

    let basis = match report.connections_from {
        ConnectionBasis::MutualFollows => l.connections_follows,
        ConnectionBasis::MutualMentionsReposts => l.connections_mentions,
    };
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<ul>\n<li>{}</li>\n<li>{}</li>\n<li>{}</li>\n</ul>\n</body>\n</html>",
        escape(l.notes),
        escape(basis),
        escape(l.note_counts),
        escape(l.note_languages)
    );
    out.write_all(h.as_bytes())
}

/// The first and the last moment of a period whose end `to` is exclusive, both included:
/// whole days (UTC) when both ends are at midnight (`2024-03-01`, `2024-03-31 UTC`), else
/// to the minute (`2024-02-29 21:00 UTC`, `2024-03-31 20:59 UTC`), so that a period given
/// in another zone is not shown as days it does not cover.
fn period(from: &str, to: &str) -> (String, String) {
    let parse = |iso: &str| chrono::DateTime::parse_from_rfc3339(iso).ok();
    let (Some(start), Some(end)) = (parse(from), parse(to)) else {
        return (
            prefix(from, 10).to_owned(),
            format!("{} UTC", prefix(to, 10)),
        );
    };
    let last = end - chrono::TimeDelta::milliseconds(1);
    let midnight =
        |t: &chrono::DateTime<chrono::FixedOffset>| t.to_utc().time() == chrono::NaiveTime::MIN;
    if midnight(&start) && midnight(&end) {
        (
            start.to_utc().format("%Y-%m-%d").to_string(),
            last.to_utc().format("%Y-%m-%d UTC").to_string(),
        )
    } else {
        (
            start.to_utc().format("%Y-%m-%d %H:%M UTC").to_string(),
            last.to_utc().format("%Y-%m-%d %H:%M UTC").to_string(),
        )
    }
}

/// The first `n` bytes of an ISO 8601 time (the date, or date and minutes).
fn prefix(iso: &str, n: usize) -> &str {
    iso.get(..n).unwrap_or(iso)
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn ranking(h: &mut String, title: &str, list: &[Ranked], show: &dyn Fn(f64) -> String) {
    let _ = write!(h, "<section>\n<h3>{}</h3>\n<ol>\n", escape(title));
    for r in list {
        let _ = writeln!(
            h,
            "<li><bdi>{}</bdi>: {}</li>",
            escape(&r.handle),
            show(r.value)
        );
    }
    h.push_str("</ol>\n</section>\n");
}

fn account(h: &mut String, l: &Labels, a: &AccountReport) {
    let na = |v: Option<String>| v.unwrap_or_else(|| l.not_available.to_owned());
    let listed = |items: &[super::Counted]| {
        if items.is_empty() {
            return l.none.to_owned();
        }
        items
            .iter()
            .map(|c| format!("<bdi>{}</bdi> ({})", escape(&c.value), c.count))
            .collect::<Vec<_>>()
            .join(l.list_separator)
    };
    let s = &a.reply_sentiment;
    let sentiment = match s.shares() {
        Some([pos, neu, neg]) => format!(
            "{} {} · {} {} · {} {} ({} {})",
            escape(l.positive),
            percent(pos),
            escape(l.neutral),
            percent(neu),
            escape(l.negative),
            percent(neg),
            s.replies,
            escape(l.replies)
        ),
        None => l.none.to_owned(),
    };
    let connections = if a.connections.is_empty() {
        l.none.to_owned()
    } else {
        a.connections
            .iter()
            .map(|c| format!("<bdi>{}</bdi>", escape(c)))
            .collect::<Vec<_>>()
            .join(l.list_separator)
    };
    let p = &a.posts;
    let i = &a.interactions;
    let rows: [(&str, String); 11] = [
        (
            l.followers,
            a.followers
                .map_or_else(|| l.none.to_owned(), |f| f.to_string()),
        ),
        (
            l.posts,
            format!(
                "{} ({} {}, {} {}, {} {})",
                p.total,
                p.original,
                escape(l.original),
                p.reposts,
                escape(l.reposts),
                p.replies,
                escape(l.replies)
            ),
        ),
        (l.posts_per_day, format!("{:.2}", a.posts_per_day)),
        (l.avg_reposts, na(a.avg_reposts.map(|v| format!("{v:.2}")))),
        (l.avg_likes, na(a.avg_likes.map(|v| format!("{v:.2}")))),
        (
            l.interactions,
            format!(
                "{} ({} {}, {} {}, {} {})",
                i.total,
                i.likes,
                escape(l.likes),
                i.reposts,
                escape(l.reposts),
                i.replies,
                escape(l.replies)
            ),
        ),
        (l.reply_share, na(a.reply_share.map(percent))),
        (l.languages, listed(&a.languages)),
        (l.hashtags, listed(&a.hashtags)),
        (l.reply_sentiment, sentiment),
        (l.connections, connections),
    ];
    let _ = writeln!(
        h,
        "<section>\n<h3><bdi>{}</bdi> <span class=\"muted\">(<bdi>{}</bdi>)</span></h3>\n<table>",
        escape(&a.handle),
        escape(&a.user_id)
    );
    for (label, value) in rows {
        let _ = writeln!(h, "<tr><th>{}</th><td>{value}</td></tr>", escape(label));
    }
    h.push_str("</table>\n");
    if !a.top_posts.is_empty() {
        let _ = writeln!(h, "<h4>{}</h4>", escape(l.top_posts));
        for post in &a.top_posts {
            let _ = writeln!(
                h,
                "<div class=\"post\"><p dir=\"auto\">{}</p><div class=\"meta\"><bdi>{} UTC</bdi> · {} {} · {} {} · {} {}</div></div>",
                escape(&post.text),
                prefix(&post.time, 16).replace('T', " "),
                post.likes,
                escape(l.likes),
                post.reposts,
                escape(l.reposts),
                post.replies,
                escape(l.replies)
            );
        }
    }
    h.push_str("</section>\n");
}
