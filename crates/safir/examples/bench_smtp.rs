//! Benchmark companion (bench/crisis): a loopback SMTP server that counts what it receives,
//! and the ceiling it is measured against — the same SMTP client Safir uses, sending as fast
//! as it can with no database work.
//!
//!   bench_smtp sink [links-file]           serve on a free port (printed first); then print
//!                                          "<elapsed ms> <count> <distinct Message-IDs>" per second;
//!                                          on SIGINT write the check-in links found in the
//!                                          messages (up to 20,000) to links-file and exit
//!   bench_smtp blast <port> <n> <parallel> send n messages through safir_notify::Mailer; print msg/s

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use safir_notify::testing::SmtpSink;
use safir_notify::{EmailMessage, MailConfig, Mailer, PlainMailConfig};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("sink") => sink(args.get(2).cloned()).await,
        Some("blast") => blast(arg(&args, 2)?, arg(&args, 3)?, arg(&args, 4)?).await,
        _ => anyhow::bail!("usage: bench_smtp sink | blast <port> <n> <parallel>"),
    }
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize) -> anyhow::Result<T> {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("argument {i} missing or invalid"))
}

async fn sink(links_file: Option<String>) -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    println!("{}", sink.port());
    let start = Instant::now();
    // One listener for the whole run: a signal that arrives while the counts are being
    // computed is not lost.
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = &mut stop => {
                if let Some(path) = &links_file {
                    write_links(&sink, path)?;
                }
                return Ok(());
            }
        }
        let messages = sink.messages();
        let distinct: HashSet<_> = messages
            .iter()
            .filter_map(|m| message_id(&m.data))
            .collect();
        println!(
            "{} {} {}",
            start.elapsed().as_millis(),
            messages.len(),
            distinct.len()
        );
    }
}

async fn blast(port: u16, n: usize, parallel: usize) -> anyhow::Result<()> {
    let config = MailConfig::from_plain(&PlainMailConfig {
        transport: "smtp",
        from: "Safir <no-reply@safir.localhost>",
        smtp_host: "127.0.0.1",
        smtp_port: port,
        smtp_tls: "none",
        ..PlainMailConfig::default()
    })?
    .with_pool_size(parallel as u32);
    let mailer = Arc::new(Mailer::new(&config)?);
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..parallel {
        let mailer = mailer.clone();
        let next = next.clone();
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, anyhow::Error>(());
                }
                let email = EmailMessage {
                    to: format!("person{i}@example.org"),
                    lang: "ar".into(),
                    subject: "تنبيه: إخلاء المنطقة".into(),
                    text: "توجهوا إلى نقطة التجمع. Go to the assembly point.\nhttp://127.0.0.1/crisis/checkin/token".into(),
                    attachments: Vec::new(),
                    headers: Vec::new(),
                };
                mailer.send(&email, &format!("blast-{i}")).await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    let secs = start.elapsed().as_secs_f64();
    println!("{n} messages in {secs:.2} s: {:.0} msg/s", n as f64 / secs);
    Ok(())
}

/// The Message-ID header's value, read from the raw message.
fn message_id(data: &[u8]) -> Option<&[u8]> {
    data.split(|&b| b == b'\n')
        .take_while(|line| line.len() > 1)
        .find(|line| line.len() > 11 && line[..11].eq_ignore_ascii_case(b"message-id:"))
        .map(|line| line[11..].trim_ascii())
}

/// The personal check-in links in the received messages, one per line.
fn write_links(sink: &SmtpSink, path: &str) -> anyhow::Result<()> {
    let mut out = String::new();
    for m in sink.messages().iter().take(20_000) {
        let text = m.parse().and_then(|p| p.text()).unwrap_or_default();
        if let Some(at) = text.find("/crisis/checkin/") {
            let link: String = text[at..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            out.push_str(&link);
            out.push('\n');
        }
    }
    std::fs::write(path, out)?;
    Ok(())
}
