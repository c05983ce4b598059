//! Benchmark companion (bench/crisis): a fast loopback SMTP sink, and two clients to measure
//! its ceiling and the ceiling of Safir's own SMTP client.
//!
//!   bench_smtp_sink sink [links-file]
//!       serve on a free port (printed first); then print once a second
//!       "<elapsed ms> <messages> <distinct Message-IDs> <first message ms> <last message ms>";
//!       on SIGINT write the check-in links found in the first 20,000 messages to links-file
//!       and exit
//!   bench_smtp_sink raw <port> <n> <connections>
//!       the sink's ceiling: n messages over `connections` sessions, each command group
//!       pipelined (MAIL, RCPT and DATA in one write); print msg/s
//!   bench_smtp_sink lettre <port> <n> <connections>
//!       the SMTP client Safir uses (safir_notify::Mailer, a pool of `connections`), no
//!       database; print msg/s
//!
//! The sink runs one task per connection and streams DATA: it keeps no message, only a count,
//! the set of Message-IDs (to count distinct ones) and the first 20,000 messages' links.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use safir_notify::testing::ParsedMessage;
use safir_notify::{EmailMessage, MailConfig, Mailer, PlainMailConfig};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How many check-in links the sink keeps for the check-in phase.
const LINKS: usize = 20_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sink") => sink(args.get(2).cloned()).await,
        Some("raw") => raw_blast(arg(&args, 2)?, arg(&args, 3)?, arg(&args, 4)?).await,
        Some("lettre") => lettre_blast(arg(&args, 2)?, arg(&args, 3)?, arg(&args, 4)?).await,
        _ => anyhow::bail!(
            "usage: bench_smtp_sink sink [links-file] | raw|lettre <port> <n> <connections>"
        ),
    }
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize) -> anyhow::Result<T> {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("argument {i} missing or invalid"))
}

/// What the sink has seen, shared by the connections.
struct Seen {
    start: Instant,
    count: AtomicU64,
    /// Milliseconds since `start` of the first and the latest message (first is 0 until one).
    first_ms: AtomicU64,
    last_ms: AtomicU64,
    ids: Mutex<HashSet<Box<[u8]>>>,
    links_wanted: AtomicUsize,
    links: Mutex<Vec<String>>,
}

impl Seen {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            count: AtomicU64::new(0),
            first_ms: AtomicU64::new(0),
            last_ms: AtomicU64::new(0),
            ids: Mutex::new(HashSet::new()),
            links_wanted: AtomicUsize::new(LINKS),
            links: Mutex::new(Vec::new()),
        }
    }

    fn received(&self, message_id: Option<Box<[u8]>>, link: Option<String>) {
        let ms = self.start.elapsed().as_millis() as u64;
        if self.count.fetch_add(1, Ordering::Relaxed) == 0 {
            self.first_ms.store(ms, Ordering::Relaxed);
        }
        self.last_ms.fetch_max(ms, Ordering::Relaxed);
        if let Some(id) = message_id {
            self.ids
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id);
        }
        if let Some(link) = link {
            self.links
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(link);
        }
    }

    /// Whether the next message should be kept whole to find its link.
    fn want_link(&self) -> bool {
        self.links_wanted
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    }
}

async fn sink(links_file: Option<String>) -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    let seen = Arc::new(Seen::new());
    {
        let seen = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    if let Err(e) = session(stream, &seen).await {
                        eprintln!("session: {e}");
                    }
                });
            }
        });
    }
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.tick().await;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = &mut stop => {
                if let Some(path) = &links_file {
                    let links = seen.links.lock().unwrap_or_else(|e| e.into_inner());
                    let mut out = links.join("\n");
                    out.push('\n');
                    std::fs::write(path, out)?;
                }
                return Ok(());
            }
        }
        let distinct = seen.ids.lock().unwrap_or_else(|e| e.into_inner()).len();
        println!(
            "{} {} {} {} {}",
            seen.start.elapsed().as_millis(),
            seen.count.load(Ordering::Relaxed),
            distinct,
            seen.first_ms.load(Ordering::Relaxed),
            seen.last_ms.load(Ordering::Relaxed),
        );
    }
}

/// One SMTP session: replies are buffered and written when no pipelined input is waiting.
async fn session(stream: TcpStream, seen: &Seen) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::with_capacity(64 * 1024, read);
    let mut out: Vec<u8> = Vec::with_capacity(4096);
    out.extend_from_slice(b"220 sink.localhost ESMTP\r\n");
    write.write_all(&out).await?;
    out.clear();
    let mut line = Vec::with_capacity(1024);
    let mut whole = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let verb: [u8; 4] = match line.get(..4) {
            Some(v) => [v[0], v[1], v[2], v[3]].map(|b| b.to_ascii_uppercase()),
            None => *b"????",
        };
        match &verb {
            b"EHLO" => out.extend_from_slice(
                b"250-sink.localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n",
            ),
            b"HELO" => out.extend_from_slice(b"250 sink.localhost\r\n"),
            b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => out.extend_from_slice(b"250 OK\r\n"),
            b"QUIT" => {
                out.extend_from_slice(b"221 Bye\r\n");
                write.write_all(&out).await?;
                return Ok(());
            }
            b"DATA" => {
                out.extend_from_slice(b"354 End data with <CR><LF>.<CR><LF>\r\n");
                write.write_all(&out).await?;
                out.clear();
                let keep = seen.want_link();
                whole.clear();
                let mut headers = true;
                let mut message_id: Option<Box<[u8]>> = None;
                loop {
                    line.clear();
                    if reader.read_until(b'\n', &mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    let data = if line.first() == Some(&b'.') {
                        &line[1..]
                    } else {
                        &line[..]
                    };
                    if headers {
                        if data.trim_ascii().is_empty() {
                            headers = false;
                        } else if data.len() > 11 && data[..11].eq_ignore_ascii_case(b"message-id:")
                        {
                            message_id = Some(data[11..].trim_ascii().into());
                        }
                    }
                    if keep {
                        whole.extend_from_slice(data);
                    }
                }
                let link = if keep { checkin_link(&whole) } else { None };
                seen.received(message_id, link);
                out.extend_from_slice(b"250 OK queued\r\n");
            }
            _ => out.extend_from_slice(b"502 Command not implemented\r\n"),
        }
        if reader.buffer().is_empty() && !out.is_empty() {
            write.write_all(&out).await?;
            out.clear();
        }
    }
}

/// The personal check-in link in a message's text, if any.
fn checkin_link(message: &[u8]) -> Option<String> {
    let text = ParsedMessage::parse(message).and_then(|p| p.text()).ok()?;
    let at = text.find("/crisis/checkin/")?;
    Some(
        text[at..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect(),
    )
}

fn sample(i: usize) -> EmailMessage {
    EmailMessage {
        to: format!("person{i}@example.org"),
        lang: "ar".into(),
        subject: "تنبيه: إخلاء المنطقة".into(),
        text: "توجهوا إلى نقطة التجمع. Go to the assembly point.\nhttp://127.0.0.1/crisis/checkin/token".into(),
        attachments: Vec::new(),
        headers: Vec::new(),
    }
}

fn report(n: usize, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!("{n} messages in {secs:.2} s: {:.0} msg/s", n as f64 / secs);
}

/// Reads one reply (possibly multi-line) and checks its code's first digit.
async fn reply(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    expect: u8,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            anyhow::bail!("connection closed");
        }
        anyhow::ensure!(
            line.first() == Some(&expect),
            "unexpected reply {:?}",
            String::from_utf8_lossy(&line)
        );
        if line.get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

fn mail_config(port: u16) -> anyhow::Result<MailConfig> {
    Ok(MailConfig::from_plain(&PlainMailConfig {
        transport: "smtp",
        from: "Safir <no-reply@safir.localhost>",
        smtp_host: "127.0.0.1",
        smtp_port: port,
        smtp_tls: "none",
        ..PlainMailConfig::default()
    })?)
}

async fn raw_blast(port: u16, n: usize, connections: usize) -> anyhow::Result<()> {
    let from = mail_config(port)?.from().clone();
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let next = next.clone();
        let from = from.clone();
        tasks.spawn(async move {
            let stream = TcpStream::connect(("127.0.0.1", port)).await?;
            stream.set_nodelay(true)?;
            let (read, mut write) = stream.into_split();
            let mut reader = BufReader::new(read);
            reply(&mut reader, b'2').await?;
            write.write_all(b"EHLO blast.localhost\r\n").await?;
            reply(&mut reader, b'2').await?;
            let mut buf = Vec::with_capacity(8192);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    write.write_all(b"QUIT\r\n").await?;
                    let mut rest = Vec::new();
                    let _ = reader.read_to_end(&mut rest).await;
                    return Ok::<_, anyhow::Error>(());
                }
                let body = sample(i)
                    .to_lettre(&from, &format!("blast-{i}"))
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .formatted();
                buf.clear();
                buf.extend_from_slice(
                    format!(
                        "MAIL FROM:<no-reply@safir.localhost>\r\nRCPT TO:<person{i}@example.org>\r\nDATA\r\n"
                    )
                    .as_bytes(),
                );
                write.write_all(&buf).await?;
                reply(&mut reader, b'2').await?;
                reply(&mut reader, b'2').await?;
                reply(&mut reader, b'3').await?;
                buf.clear();
                for l in body.split_inclusive(|&b| b == b'\n') {
                    if l.first() == Some(&b'.') {
                        buf.push(b'.');
                    }
                    buf.extend_from_slice(l);
                }
                if !buf.ends_with(b"\r\n") {
                    buf.extend_from_slice(b"\r\n");
                }
                buf.extend_from_slice(b".\r\n");
                write.write_all(&buf).await?;
                reply(&mut reader, b'2').await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    report(n, start);
    Ok(())
}

async fn lettre_blast(port: u16, n: usize, connections: usize) -> anyhow::Result<()> {
    let config = mail_config(port)?.with_pool_size(connections as u32);
    let mailer = Arc::new(Mailer::new(&config)?);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let next = Arc::new(AtomicUsize::new(0));
    for _ in 0..connections {
        let mailer = mailer.clone();
        let next = next.clone();
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, anyhow::Error>(());
                }
                mailer.send(&sample(i), &format!("blast-{i}")).await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    report(n, start);
    Ok(())
}
