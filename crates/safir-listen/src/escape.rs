//! Escaping for the engine's text outputs (CSV fields, XML text and attributes, lines for a
//! terminal), shared by the network, interaction-graph and generator writers and by the
//! command line.

use std::borrow::Cow;

/// A CSV field, quoted only when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// XML text or attribute value; the characters XML 1.0 cannot hold (C0 controls but tab and
/// line ends, U+FFFE, U+FFFF) are dropped.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if forbidden_in_xml(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether XML 1.0 cannot hold `c` at all, not even as a character reference: the C0
/// controls but tab and line ends, and the non-characters U+FFFE and U+FFFF.
pub(crate) fn forbidden_in_xml(c: char) -> bool {
    ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Archive text as a terminal may show it: line breaks (a CRLF or a lone carriage return,
/// which would overwrite the line, included) and tabs become a space, and the other control
/// characters (C0, DEL, C1: an escape sequence's `ESC`, a bell) are written as a visible
/// escape (`\u{1b}`). A hostile archive can then neither clear the analyst's lines nor
/// retitle the terminal.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' | '\t' | '\u{b}' | '\u{c}' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(
            xml("<a & 'b'>\u{1}\u{FFFF}"),
            "&lt;a &amp; &apos;b&apos;&gt;"
        );
    }

    #[test]
    fn terminal_lines_carry_no_control_characters() {
        assert_eq!(terminal("زيارة رسمية #عمان"), "زيارة رسمية #عمان");
        assert_eq!(terminal("two\nlines\tand a tab"), "two lines and a tab");
        assert_eq!(terminal("crlf\r\nline\rover"), "crlf line over");
        assert_eq!(
            terminal("\u{1b}[2K\u{1b}]0;owned\u{7}\u{7f}\u{9b}31m\u{85}"),
            "\\u{1b}[2K\\u{1b}]0;owned\\u{7}\\u{7f}\\u{9b}31m\\u{85}"
        );
        assert!(!terminal("a\u{0}b\u{9f}c").chars().any(char::is_control));
    }
}
