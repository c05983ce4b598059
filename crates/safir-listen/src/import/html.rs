//! Just enough HTML for post bodies (Mastodon, ActivityPub, feeds): visible text
//! and the links that are not mentions or hashtags.

/// Visible text of an HTML fragment, and its outbound links.
pub(crate) fn html_to_text(html: &str) -> (String, Vec<String>) {
    let mut text = String::with_capacity(html.len());
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_entities(&rest[..lt], &mut text);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            decode_entities(&rest[lt..], &mut text);
            rest = "";
            break;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "br" | "p" | "div" | "li" if !text.is_empty() && !text.ends_with('\n') => {
                text.push('\n');
            }
            "a" if !tag.starts_with('/') => {
                let class = attribute(tag, "class").unwrap_or_default();
                if !class.contains("mention")
                    && !class.contains("hashtag")
                    && let Some(href) = attribute(tag, "href")
                    && (href.starts_with("http://") || href.starts_with("https://"))
                {
                    let mut url = String::new();
                    decode_entities(&href, &mut url);
                    links.push(url);
                }
            }
            _ => {}
        }
    }
    decode_entities(rest, &mut text);
    (text.trim().to_owned(), links)
}

/// The value of attribute `name` in the inside of a start tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let value = tag[value_start..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_owned(),
            _ => value.split_whitespace().next().unwrap_or("").to_owned(),
        });
    }
    None
}

/// Appends `s` to `out` with character references decoded.
pub(crate) fn decode_entities(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let name = &after[..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name.strip_prefix('#').and_then(|n| {
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_content_becomes_text_and_links() {
        let html = r#"<p>Hello <span class="h-card"><a href="https://m.example/@bob" class="u-url mention">@<span>bob</span></a></span> &amp; <a href="https://m.example/tags/news" class="mention hashtag" rel="tag">#<span>news</span></a></p><p>see <a href="https://news.example/a?x=1&amp;y=2" rel="nofollow"><span class="invisible">https://</span>news.example/a</a></p>"#;
        let (text, links) = html_to_text(html);
        assert_eq!(text, "Hello @bob & #news\nsee https://news.example/a");
        assert_eq!(links, vec!["https://news.example/a?x=1&y=2"]);
    }

    #[test]
    fn entities_and_broken_markup() {
        let mut out = String::new();
        decode_entities("a &lt;b&gt; &#1587;&#x644; & c &unknown;", &mut out);
        assert_eq!(out, "a <b> سل & c &unknown;");
        assert_eq!(html_to_text("x < y").0, "x < y");
    }
}
