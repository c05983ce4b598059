//! Atom feeds (RFC 4287) of published versions: one per country and one for every country,
//! in the language asked for (`?lang=`, else the usual negotiation). Each version is an entry;
//! its content is the whole advice as escaped HTML.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use safir_domain::consular::advice::AdviceSection;
use safir_store::consular::advice::{self, AdviceVersion};

use super::{LevelBadge, content_lang, country_param, paragraphs};
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::state::AppState;

/// Entries in the per-country feed (its whole history in practice).
const COUNTRY_ENTRIES: i64 = 50;
/// Entries in the all-countries feed.
const ALL_ENTRIES: i64 = 100;

pub const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";

pub async fn country_feed(
    State(state): State<AppState>,
    lang: Lang,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let country = country_param(&raw)?;
    let versions = advice::history(&state.db, &country, COUNTRY_ENTRIES)
        .await
        .map_err(AppError::internal)?;
    if versions.is_empty() {
        return Err(AppError::NotFound);
    }
    let base = &state.config.public_url;
    let code = country.as_str();
    let name = country.name(content_lang(lang));
    let feed = Feed {
        lang,
        title: format!("{name} — {}", I18n::global().t(lang, "advice-title")),
        self_href: format!("{base}/travel-advice/{code}/feed.atom?lang={}", lang.code()),
        alternate_href: format!("{base}/travel-advice/{code}?lang={}", lang.code()),
    };
    Ok(atom_response(feed.render(base, &versions)))
}

pub async fn all_countries_feed(
    State(state): State<AppState>,
    lang: Lang,
) -> Result<Response, AppError> {
    let versions = advice::recent(&state.db, ALL_ENTRIES)
        .await
        .map_err(AppError::internal)?;
    let base = &state.config.public_url;
    let feed = Feed {
        lang,
        title: I18n::global().t(lang, "advice-feed-all-title"),
        self_href: format!("{base}/travel-advice/feed.atom?lang={}", lang.code()),
        alternate_href: format!("{base}/travel-advice?lang={}", lang.code()),
    };
    Ok(atom_response(feed.render(base, &versions)))
}

fn atom_response(body: String) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

struct Feed {
    lang: Lang,
    title: String,
    self_href: String,
    alternate_href: String,
}

/// Escapes text for XML element content and attribute values alike, dropping the
/// characters XML cannot hold (a noncharacter pasted into advice would break the feed).
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    safir_domain::crisis::escape_xml(s, &mut out);
    out
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The host of the public address, the naming authority of the entries' `tag:` ids.
fn authority(public_url: &str) -> &str {
    let rest = public_url
        .split_once("://")
        .map(|(_, r)| r)
        .unwrap_or(public_url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    // Drop a port; an IPv6 literal keeps its brackets' content intact.
    match host.rsplit_once(':') {
        Some((h, port)) if !h.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

impl Feed {
    fn render(&self, base: &str, versions: &[AdviceVersion]) -> String {
        let i18n = I18n::global();
        let updated = versions
            .iter()
            .map(|v| v.published_at)
            .max()
            .unwrap_or_else(safir_store::now);
        let mut out = String::with_capacity(4096 + versions.len() * 2048);
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        out.push_str(&format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
            self.lang.code()
        ));
        out.push_str(&format!("  <id>{}</id>\n", xml(&self.self_href)));
        out.push_str(&format!("  <title>{}</title>\n", xml(&self.title)));
        out.push_str(&format!("  <updated>{}</updated>\n", time(updated)));
        out.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            xml(&self.self_href)
        ));
        out.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&self.alternate_href)
        ));
        out.push_str(&format!(
            "  <author><name>{}</name></author>\n",
            xml(&i18n.t(self.lang, "advice-feed-author"))
        ));
        for v in versions {
            self.entry(&mut out, base, v);
        }
        out.push_str("</feed>\n");
        out
    }

    fn entry(&self, out: &mut String, base: &str, v: &AdviceVersion) {
        let lang = self.lang;
        let content = content_lang(lang);
        let code = v.country.as_str();
        let level = LevelBadge::new(lang, v.level);
        // Stable across both feeds that carry the version, distinct per language.
        let id = format!(
            "tag:{},{}:travel-advice/{code}/{}/{}",
            authority(base),
            v.published_at.format("%Y-%m-%d"),
            v.version,
            lang.code()
        );
        let title = format!("{} — {}", v.country.name(content), level.text);
        let page = format!("{base}/travel-advice/{code}?lang={}", lang.code());
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", xml(&id)));
        out.push_str(&format!("    <title>{}</title>\n", xml(&title)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&page)
        ));
        out.push_str(&format!(
            "    <published>{}</published>\n",
            time(v.published_at)
        ));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            time(v.published_at)
        ));
        out.push_str(&format!(
            "    <summary>{}</summary>\n",
            xml(v.change.get(content))
        ));
        out.push_str(&format!(
            "    <content type=\"html\">{}</content>\n",
            xml(&self.content_html(v))
        ));
        out.push_str("  </entry>\n");
    }

    /// The advice as an HTML fragment; every piece of text is escaped once here and the whole
    /// fragment once more as the element's text.
    fn content_html(&self, v: &AdviceVersion) -> String {
        let lang = self.lang;
        let i18n = I18n::global();
        let text = v.text(content_lang(lang));
        let mut html = format!("<div dir=\"{}\">", lang.dir());
        html.push_str(&format!(
            "<p><strong>{}</strong></p>",
            xml(&LevelBadge::new(lang, v.level).text)
        ));
        for p in paragraphs(text.summary()) {
            html.push_str(&format!("<p>{}</p>", xml(&p)));
        }
        for section in AdviceSection::ALL {
            let body = paragraphs(text.section(section));
            if body.is_empty() {
                continue;
            }
            let heading = i18n.t(
                lang,
                &format!("advice-section-{}", section.key().replace('_', "-")),
            );
            html.push_str(&format!("<h2>{}</h2>", xml(&heading)));
            for p in body {
                html.push_str(&format!("<p>{}</p>", xml(&p)));
            }
        }
        html.push_str("</div>");
        html
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_authority_is_the_bare_host() {
        assert_eq!(authority("https://ministry.example"), "ministry.example");
        assert_eq!(authority("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(authority("https://gov.example/safir"), "gov.example");
    }

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            xml(r#"<b>"R&D"</b> 'x'"#),
            "&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt; &apos;x&apos;"
        );
    }
}
