//! Escaping for the engine's text outputs (CSV fields, XML text and attributes), shared by
//! the network, interaction-graph and generator writers and by the command line.

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
}
