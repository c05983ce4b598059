//! Checks every HTML page the tests receive must pass, whatever the test is about: each
//! `id` appears once, each field error is announced with its field (`aria-describedby`
//! names it), each `aria-describedby` or `for` names an element of the page, each
//! control a user fills in has a label, nothing inline is left for the content security
//! policy to block (`style` attributes and elements, inline scripts, `on…` handlers), and
//! on Arabic pages no date follows Arabic words in a way that shows it backwards. A screen reader user hears a field's error only
//! through that link; the browser walk's checker cannot tell whether it is there, and sees
//! only the pages it walks, not every state the tests put a form in.

use std::collections::{HashMap, HashSet};

/// One start tag's name and attributes, values unescaped only as far as these checks need.
struct Tag<'a> {
    name: &'a str,
    attrs: Vec<(&'a str, &'a str)>,
}

impl Tag<'_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }
}

/// The start tags of `html`, outside comments, scripts and styles.
fn start_tags(html: &str) -> Vec<Tag<'_>> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        if let Some(after) = rest.strip_prefix("/label") {
            tags.push(Tag {
                name: "/label",
                attrs: Vec::new(),
            });
            rest = after;
            continue;
        }
        let Some(first) = rest.chars().next() else {
            break;
        };
        if !first.is_ascii_alphabetic() {
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            break;
        };
        let (tag, len) = tag;
        rest = &rest[len..];
        if matches!(tag.name, "script" | "style") {
            let close = format!("</{}", tag.name);
            rest = rest.find(&close).map_or("", |end| &rest[end..]);
        }
        tags.push(tag);
    }
    tags
}

/// A start tag at the start of `s` (just after `<`) and its length up to and with `>`.
fn parse_tag(s: &str) -> Option<(Tag<'_>, usize)> {
    let bytes = s.as_bytes();
    let name_end = s
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(s.len());
    let name = &s[..name_end];
    let mut attrs = Vec::new();
    let mut i = name_end;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        if bytes[i] == b'>' {
            return Some((Tag { name, attrs }, i + 1));
        }
        let key_start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b' ' | b'\t' | b'\n' | b'/') {
            i += 1;
        }
        let key = &s[key_start..i];
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let (value, next) = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = s[i + 1..].find(q as char)? + i + 1;
                    (&s[i + 1..end], end + 1)
                }
                _ => {
                    let end = s[i..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(s.len(), |e| e + i);
                    (&s[i..end], end)
                }
            };
            attrs.push((key, value));
            i = next;
        } else {
            attrs.push((key, ""));
        }
    }
}

/// The runs of text in which a date (`2026-11-30`) follows Arabic letters with no
/// left-to-right mark between: the bidirectional algorithm takes its digits for Arabic
/// numbers, does not join their hyphens, and shows `30-11-2026`. A date in an element of its
/// own (`<span dir="ltr">`, `<bdi>`) starts a run of its own and is not reported.
fn reversed_dates(html: &str) -> Vec<String> {
    let is_arabic_letter = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c) && c.is_alphabetic();
    let mut found = Vec::new();
    for run in html
        .split('<')
        .filter_map(|part| part.split_once('>').map(|(_, text)| text))
    {
        let chars: Vec<char> = run.chars().collect();
        for i in 0..chars.len().saturating_sub(9) {
            let is_date = (0..10).all(|k| match k {
                4 | 7 => chars[i + k] == '-',
                _ => chars[i + k].is_ascii_digit(),
            });
            if !is_date || (i > 0 && chars[i - 1].is_ascii_digit()) {
                continue;
            }
            let before = &chars[..i];
            if let Some(p) = before.iter().rposition(|&c| is_arabic_letter(c))
                && !before[p..].contains(&'\u{200E}')
            {
                found.push(format!(
                    "a date after Arabic words reads backwards: {:?}",
                    run.trim().chars().take(80).collect::<String>()
                ));
            }
        }
    }
    found
}

/// What is wrong with `html` by the checks above; empty when nothing is.
pub fn problems(html: &str) -> Vec<String> {
    let tags = start_tags(html);
    let mut problems = Vec::new();
    if html.contains("<html lang=\"ar\"") {
        problems.extend(reversed_dates(html));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for tag in &tags {
        if let Some(id) = tag.attr("id") {
            *seen.entry(id).or_default() += 1;
        }
    }
    for (id, n) in &seen {
        if *n > 1 {
            problems.push(format!("id \"{id}\" appears {n} times"));
        }
    }
    let mut described: HashSet<&str> = HashSet::new();
    for tag in &tags {
        if let Some(ids) = tag.attr("aria-describedby") {
            for id in ids.split_ascii_whitespace() {
                described.insert(id);
                if !seen.contains_key(id) {
                    problems.push(format!(
                        "<{}> is described by \"{id}\", which is not on the page",
                        tag.name
                    ));
                }
            }
        }
        if tag.name == "label"
            && let Some(id) = tag.attr("for")
            && !seen.contains_key(id)
        {
            problems.push(format!("a label is for \"{id}\", which is not on the page"));
        }
    }
    // The content security policy allows no inline style or script: what it blocks would
    // silently not apply (a map drawn at full size, a handler that never runs).
    for tag in &tags {
        if matches!(tag.name, "style") {
            problems.push("a <style> element (blocked by the page's policy)".to_owned());
        }
        if tag.name == "script" && tag.attr("src").is_none() {
            problems.push("an inline <script> (blocked by the page's policy)".to_owned());
        }
        for (name, _) in &tag.attrs {
            if *name == "style" || (name.starts_with("on") && name.len() > 2) {
                problems.push(format!(
                    "<{}> has a {name} attribute (blocked by the page's policy)",
                    tag.name
                ));
            }
        }
    }
    let labelled_by_for: HashSet<&str> = tags
        .iter()
        .filter(|t| t.name == "label")
        .filter_map(|t| t.attr("for"))
        .collect();
    let mut open_labels = 0usize;
    for tag in &tags {
        match tag.name {
            "label" => open_labels += 1,
            "/label" => open_labels = open_labels.saturating_sub(1),
            "input" | "select" | "textarea" => {
                let kind = tag.attr("type").unwrap_or("text");
                let fills_in = tag.name != "input"
                    || !matches!(kind, "hidden" | "submit" | "button" | "reset" | "image");
                let labelled = open_labels > 0
                    || tag
                        .attr("id")
                        .is_some_and(|id| labelled_by_for.contains(id))
                    || tag.attr("aria-label").is_some_and(|l| !l.trim().is_empty())
                    || tag.attr("aria-labelledby").is_some();
                if fills_in && !labelled {
                    problems.push(format!(
                        "<{} name=\"{}\"> has no label",
                        tag.name,
                        tag.attr("name").unwrap_or("")
                    ));
                }
            }
            _ => {}
        }
    }
    for tag in &tags {
        let is_field_error = tag
            .attr("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == "field-error"));
        // An error of the whole form, not of one field, is announced when it appears.
        if !is_field_error || tag.attr("role") == Some("alert") {
            continue;
        }
        match tag.attr("id") {
            None => problems.push("a field error has no id to be announced by".to_owned()),
            Some(id) if !described.contains(id) => problems.push(format!(
                "the field error \"{id}\" is not named by any aria-describedby"
            )),
            Some(_) => {}
        }
    }
    problems.sort();
    problems
}

#[cfg(test)]
mod tests {
    use super::problems;

    #[test]
    fn a_date_after_arabic_words_needs_its_own_run_or_marks() {
        let page = |body: &str| format!("<html lang=\"ar\" dir=\"rtl\"><body>{body}</body></html>");
        for good in [
            "<h1>مواعيد اليوم — الاثنين \u{200E}2026-11-30\u{200E}</h1>",
            "<p>أُرسل <span dir=\"ltr\">2026-11-30 14:25 UTC</span></p>",
            "<td>2026-11-30</td><td>مقدَّم</td>",
            "<p>PAR-2026-000123 مقدَّم</p>",
        ] {
            assert_eq!(problems(&page(good)), Vec::<String>::new(), "{good}");
        }
        let bad = problems(&page("<h1>مواعيد اليوم — الاثنين 2026-11-30</h1>"));
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].contains("reads backwards"));
        // The same text on an English page is not checked.
        assert!(problems("<html lang=\"en\"><p>الاثنين 2026-11-30</p></html>").is_empty());
    }

    #[test]
    fn a_linked_error_passes_and_each_fault_is_named() {
        let good = r#"<label for="a">A</label><input id="a" aria-describedby="a-error">
            <p class="field-error" id="a-error">Wrong</p><!-- <p id="a"> -->
            <script src="/static/a.js">let s = '<p id="a">';</script>"#;
        assert_eq!(problems(good), Vec::<String>::new());
        let bad = r#"<label for="b">B</label><select id="a"></select><p id=a></p>
            <p class="field-error" id="a-error">Wrong</p><p class="hint field-error">x</p>
            <p class="field-error" role="alert">Whole form</p>
            <input aria-describedby="gone"><label>C <input name="c"></label>
            <input type="hidden" name="t"><textarea name="d"></textarea>
            <svg style="max-height:2rem"></svg><button onclick="go()">Go</button>"#;
        assert_eq!(
            problems(bad),
            vec![
                "<button> has a onclick attribute (blocked by the page's policy)",
                "<input name=\"\"> has no label",
                "<input> is described by \"gone\", which is not on the page",
                "<select name=\"\"> has no label",
                "<svg> has a style attribute (blocked by the page's policy)",
                "<textarea name=\"d\"> has no label",
                "a field error has no id to be announced by",
                "a label is for \"b\", which is not on the page",
                "id \"a\" appears 2 times",
                "the field error \"a-error\" is not named by any aria-describedby",
            ]
        );
    }
}
