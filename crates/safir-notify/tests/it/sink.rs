//! The loopback SMTP server itself, driven by hand over TCP.

use std::time::Duration;

use safir_notify::testing::{Fault, SmtpSink, Stage};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Client {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Client {
    async fn connect(sink: &SmtpSink) -> (Self, String) {
        let (r, w) = TcpStream::connect(sink.addr()).await.unwrap().into_split();
        let mut c = Self {
            reader: BufReader::new(r),
            writer: w,
        };
        let greeting = c.reply().await;
        (c, greeting)
    }

    /// The whole reply (all lines of a multi-line one), joined by newlines.
    async fn reply(&mut self) -> String {
        let mut all = Vec::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(5), self.reader.read_line(&mut line))
                .await
                .expect("reply in time")
                .unwrap();
            if n == 0 {
                break;
            }
            let line = line.trim_end().to_owned();
            let last = line.as_bytes().get(3) != Some(&b'-');
            all.push(line);
            if last {
                break;
            }
        }
        all.join("\n")
    }

    async fn send(&mut self, line: &str) -> String {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
        self.reply().await
    }
}

fn code(reply: &str) -> &str {
    reply.get(..3).unwrap_or(reply)
}

#[tokio::test]
async fn speaks_smtp_and_unstuffs_dots() {
    let sink = SmtpSink::start().await.unwrap();
    let (mut c, greeting) = Client::connect(&sink).await;
    assert_eq!(code(&greeting), "220");
    assert_eq!(
        code(&c.send("MAIL FROM:<a@example.org>").await),
        "503",
        "EHLO first"
    );
    let ehlo = c.send("EHLO client.example").await;
    assert!(
        ehlo.starts_with("250-") && ehlo.contains("8BITMIME"),
        "{ehlo}"
    );
    assert_eq!(
        code(&c.send("RCPT TO:<b@example.org>").await),
        "503",
        "MAIL first"
    );
    assert_eq!(
        code(&c.send("MAIL FROM:<a@example.org> BODY=8BITMIME").await),
        "250"
    );
    assert_eq!(code(&c.send("RCPT TO:<b@example.org>").await), "250");
    assert_eq!(code(&c.send("RSET").await), "250");
    assert_eq!(
        code(&c.send("DATA").await),
        "503",
        "RSET forgot the transaction"
    );
    assert_eq!(code(&c.send("NOOP").await), "250");
    assert_eq!(
        code(&c.send("mail from:<a@example.org>").await),
        "250",
        "verbs are case-insensitive"
    );
    assert_eq!(code(&c.send("RCPT TO:<b@example.org>").await), "250");
    assert_eq!(code(&c.send("RCPT TO:<c@example.org>").await), "250");
    assert_eq!(code(&c.send("DATA").await), "354");
    c.writer
        .write_all(b"Subject: dots\r\n\r\n..starts with a dot\r\n...\r\nend\r\n.\r\n")
        .await
        .unwrap();
    assert_eq!(code(&c.reply().await), "250");
    assert_eq!(code(&c.send("BOGUS").await), "500");
    assert_eq!(code(&c.send("QUIT").await), "221");

    let m = &sink.messages()[0];
    assert_eq!(m.helo, "client.example");
    assert_eq!(m.mail_from, "a@example.org");
    assert_eq!(m.rcpt_to, ["b@example.org", "c@example.org"]);
    assert_eq!(
        m.data,
        b"Subject: dots\r\n\r\n.starts with a dot\r\n..\r\nend\r\n"
    );
}

#[tokio::test]
async fn faults_fire_the_given_number_of_times() {
    let sink = SmtpSink::start().await.unwrap();
    sink.add_fault(Fault::new(Stage::Connect, 421, "4.3.2 shutting down").times(1));
    let (_, greeting) = Client::connect(&sink).await;
    assert_eq!(code(&greeting), "421");
    let (mut c, greeting) = Client::connect(&sink).await;
    assert_eq!(code(&greeting), "220");

    sink.add_fault(Fault::new(Stage::Data, 554, "5.6.0 content rejected").times(1));
    c.send("HELO client.example").await;
    for expected in ["554", "250"] {
        c.send("MAIL FROM:<a@example.org>").await;
        c.send("RCPT TO:<b@example.org>").await;
        c.send("DATA").await;
        c.writer
            .write_all(b"Subject: x\r\n\r\nbody\r\n.\r\n")
            .await
            .unwrap();
        assert_eq!(code(&c.reply().await), expected);
    }
    assert_eq!(sink.count(), 1, "a rejected message is not recorded");
}

#[tokio::test]
async fn down_refuses_connections_and_closes_open_ones() {
    let sink = SmtpSink::start().await.unwrap();
    let (mut open, _) = Client::connect(&sink).await;
    sink.go_down().await;
    assert!(
        TcpStream::connect(sink.addr()).await.is_err(),
        "refused while down"
    );
    let mut rest = String::new();
    let n = tokio::time::timeout(Duration::from_secs(5), open.reader.read_line(&mut rest))
        .await
        .expect("closed in time")
        .unwrap_or(0);
    assert_eq!(n, 0, "open session closed: {rest:?}");

    sink.come_up().await.unwrap();
    let (_, greeting) = Client::connect(&sink).await;
    assert_eq!(code(&greeting), "220");
}

#[tokio::test]
async fn many_clients_at_once() {
    let sink = SmtpSink::start().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..40 {
        let addr = sink.addr();
        tasks.push(tokio::spawn(async move {
            let (r, mut w) = TcpStream::connect(addr).await.unwrap().into_split();
            let mut lines = BufReader::new(r).lines();
            // Pipelined: the whole session in one write, then read every reply.
            let script = format!(
                "HELO c{i}\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<r{i}@example.org>\r\nDATA\r\nSubject: {i}\r\n\r\nbody {i}\r\n.\r\nQUIT\r\n"
            );
            w.write_all(script.as_bytes()).await.unwrap();
            let mut codes = Vec::new();
            while let Some(l) = lines.next_line().await.unwrap() {
                codes.push(l[..3].to_owned());
            }
            codes
        }));
    }
    for t in tasks {
        assert_eq!(
            t.await.unwrap(),
            ["220", "250", "250", "250", "354", "250", "221"]
        );
    }
    assert!(sink.wait_for(40, Duration::from_secs(5)).await);
    assert_eq!(sink.messages_to("r17@example.org").len(), 1);
}

#[tokio::test]
async fn a_stalled_session_stays_silent_and_the_next_one_is_served() {
    let sink = SmtpSink::start().await.unwrap();
    sink.add_fault(Fault::stall(Stage::Mail).times(1));
    let (mut c, _) = Client::connect(&sink).await;
    c.send("HELO client.example").await;
    c.writer
        .write_all(b"MAIL FROM:<a@example.org>\r\nNOOP\r\n")
        .await
        .unwrap();
    let mut line = String::new();
    let wait = tokio::time::timeout(Duration::from_millis(300), c.reader.read_line(&mut line));
    assert!(wait.await.is_err(), "answered {line:?}");
    drop(c);

    let (mut c, greeting) = Client::connect(&sink).await;
    assert_eq!(code(&greeting), "220");
    c.send("HELO client.example").await;
    assert_eq!(code(&c.send("MAIL FROM:<a@example.org>").await), "250");
}
