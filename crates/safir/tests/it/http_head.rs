//! HEAD as it reaches a real server: the answer's headers are the GET's, its length
//! included, and no body follows them on the connection, for pages and for error pages.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::{Server, TempDir};

/// Sends `requests` on one connection (the last one closes it) and reads all that comes back.
fn exchange(server: &Server, requests: &[(&str, &str)]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut wire = String::new();
    for (i, (method, path)) in requests.iter().enumerate() {
        let close = if i + 1 == requests.len() {
            "Connection: close\r\n"
        } else {
            ""
        };
        wire.push_str(&format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n{close}\r\n"
        ));
    }
    stream.write_all(wire.as_bytes()).unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The status line and the `Content-Length` of an answer's head.
fn status_and_length(head: &str) -> (String, usize) {
    let status = head.lines().next().unwrap().to_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no length: {head}"));
    (status, length)
}

#[test]
fn head_answers_carry_the_get_length_and_no_body() {
    let dir = TempDir::new("safir-head");
    let data_dir = dir.path().display().to_string();
    let env = [
        ("SAFIR_DATA_DIR", data_dir.as_str()),
        ("SAFIR_MAIL_TRANSPORT", "file"),
    ];
    let server = Server::start(&["serve"], &env);
    // A page, an unknown page (the HTML error page) and an unknown API path (problem+json).
    for path in ["/sign-in", "/no-such-page", "/api/v1/no-such-thing"] {
        // HEAD, then GET of the same path on the same connection: were a body sent after
        // the HEAD's headers, it would be read as the start of the GET's answer.
        let wire = exchange(&server, &[("HEAD", path), ("GET", path)]);
        let (head, rest) = wire.split_once("\r\n\r\n").unwrap();
        assert!(rest.starts_with("HTTP/1.1 "), "{path}: {rest:.80}");
        let (get_head, get_body) = rest.split_once("\r\n\r\n").unwrap();
        let (head_status, head_length) = status_and_length(head);
        let (get_status, get_length) = status_and_length(get_head);
        assert_eq!(head_status, get_status, "{path}");
        assert_eq!(get_length, get_body.len(), "{path}");
        assert_eq!(head_length, get_length, "{path}");
        assert!(head_length > 0, "{path}");
    }
}
