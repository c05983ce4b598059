//! The SMS gateway and webhook channels against a real HTTP receiver on loopback.

use std::time::Duration;

use safir_notify::ChannelError;
use safir_notify::sms::{SmsConfig, SmsGateway, SmsMessage};
use safir_notify::testing::HttpReceiver;
use safir_notify::tls::Trust;
use safir_notify::webhook::{self, WebhookSender};

fn generic(receiver: &HttpReceiver) -> SmsGateway {
    SmsGateway::new(&SmsConfig {
        gateway: "generic".into(),
        url: receiver.url("/sms/send"),
        format: "json".into(),
        template: r#"{"to":"{to}","from":"{from}","text":"{body}","reference":"{key}"}"#.into(),
        from: "Safir".into(),
        username: String::new(),
        token: "tok-123".into(),
        file_dir: Default::default(),
        trust: None,
    })
    .expect("gateway")
}

fn sms(key: &str) -> SmsMessage {
    SmsMessage {
        to: "+971501234567".into(),
        body: "تنبيه: \"ابقوا\" في أماكنكم\nAlert".into(),
        key: key.into(),
    }
}

#[tokio::test]
async fn generic_json_gateway_gets_an_escaped_body_and_the_key() {
    let rx = HttpReceiver::start().await.expect("receiver");
    let accepted = generic(&rx).send(&sms("d-1")).await.expect("sent");
    assert_eq!(accepted.provider_id.as_deref(), Some("SM1"));
    let got = rx.requests();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.path, "/sms/send");
    assert_eq!(r.header("authorization"), Some("Bearer tok-123"));
    assert_eq!(r.header("idempotency-key"), Some("d-1"));
    let v = r.json().expect("JSON body");
    assert_eq!(v["to"], "+971501234567");
    assert_eq!(v["text"], "تنبيه: \"ابقوا\" في أماكنكم\nAlert");
    assert_eq!(v["reference"], "d-1");
}

#[tokio::test]
async fn twilio_preset_posts_a_form_with_basic_auth() {
    let rx = HttpReceiver::start().await.expect("receiver");
    let gw = SmsGateway::new(&SmsConfig {
        gateway: "twilio".into(),
        url: rx.url("/2010-04-01/Accounts/AC123"),
        format: "json".into(),
        template: String::new(),
        from: "+15005550006".into(),
        username: "AC123".into(),
        token: "secret".into(),
        file_dir: Default::default(),
        trust: None,
    })
    .expect("gateway");
    let a = gw.send(&sms("d-2")).await.expect("sent");
    assert_eq!(a.provider_id.as_deref(), Some("SM1"));
    let r = &rx.requests()[0];
    assert_eq!(r.path, "/2010-04-01/Accounts/AC123/Messages.json");
    // base64("AC123:secret")
    assert_eq!(r.header("authorization"), Some("Basic QUMxMjM6c2VjcmV0"));
    assert_eq!(r.form_field("To").as_deref(), Some("+971501234567"));
    assert_eq!(r.form_field("From").as_deref(), Some("+15005550006"));
    assert_eq!(
        r.form_field("Body").as_deref(),
        Some("تنبيه: \"ابقوا\" في أماكنكم\nAlert")
    );
}

#[tokio::test]
async fn answers_are_classified() {
    let rx = HttpReceiver::start().await.expect("receiver");
    let gw = generic(&rx);
    rx.too_many_requests(1, 7);
    match gw.send(&sms("a")).await {
        Err(ChannelError::Temporary { retry_after, .. }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("429 should be temporary: {other:?}"),
    }
    rx.fail_next(1, 503);
    let e = gw.send(&sms("b")).await.expect_err("503");
    assert!(!e.is_permanent(), "{e}");
    assert_eq!(e.retry_after(), None);
    rx.fail_next(1, 400);
    let e = gw.send(&sms("c")).await.expect_err("400");
    assert!(e.is_permanent(), "{e}");
    assert!(e.to_string().contains("400"), "{e}");
    rx.fail_next(1, 404);
    let e = gw.send(&sms("c2")).await.expect_err("404");
    assert!(e.is_permanent(), "{e}");
    // Credentials refused (a rotated token) or a timeout on the gateway's side: the message
    // waits for the configuration to be fixed or the gateway to answer.
    for status in [401, 403, 408] {
        rx.fail_next(1, status);
        let e = gw.send(&sms("c3")).await.expect_err("refused");
        assert!(!e.is_permanent(), "{status}: {e}");
        assert!(e.to_string().contains(&status.to_string()), "{e}");
    }
    rx.go_down().await;
    let e = gw.send(&sms("d")).await.expect_err("down");
    assert!(!e.is_permanent(), "{e}");
    rx.come_up().await.expect("up again");
    gw.send(&sms("e")).await.expect("back");
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_and_nothing_is_lost() {
    let rx = HttpReceiver::start().await.expect("receiver");
    let gw = generic(&rx);
    rx.too_many_requests(2, 1);
    let a = gw
        .send_retrying(
            &sms("k-429"),
            5,
            Duration::from_millis(10),
            Duration::from_secs(5),
        )
        .await
        .expect("delivered after the 429s");
    assert!(a.provider_id.is_some());
    let all = rx.requests();
    assert_eq!(
        all.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 429, 200]
    );
    assert!(
        all.iter()
            .all(|r| r.json().expect("json")["reference"] == "k-429")
    );
}

#[tokio::test]
async fn a_500_backs_off_and_a_400_is_not_retried() {
    let rx = HttpReceiver::start().await.expect("receiver");
    let gw = generic(&rx);
    rx.fail_next(3, 500);
    gw.send_retrying(
        &sms("k-500"),
        5,
        Duration::from_millis(10),
        Duration::from_secs(1),
    )
    .await
    .expect("delivered after the 500s");
    assert_eq!(rx.requests().len(), 4);
    assert_eq!(rx.accepted_count(), 1);

    rx.fail_next(5, 400);
    let e = gw
        .send_retrying(
            &sms("k-400"),
            5,
            Duration::from_millis(10),
            Duration::from_secs(1),
        )
        .await
        .expect_err("400 is permanent");
    assert!(e.is_permanent());
    // One try only for the 400.
    assert_eq!(rx.requests().len(), 5);
}

#[tokio::test]
async fn sms_switched_off_is_a_permanent_failure() {
    let gw = SmsGateway::new(&SmsConfig {
        gateway: "none".into(),
        ..SmsConfig::default()
    })
    .expect("none");
    assert!(!gw.is_enabled());
    let e = gw.send(&sms("x")).await.expect_err("off");
    assert!(e.is_permanent());
    assert!(e.to_string().contains("sms_gateway = none"), "{e}");
}

#[tokio::test]
async fn webhooks_are_signed() {
    let rx = HttpReceiver::start().await.expect("receiver");
    let body = serde_json::json!({"identifier": "A-1", "headline": "Shelter in place"});
    // The receiver listens on loopback: a sender for public addresses refuses it for good.
    let public = WebhookSender::new(&Trust::public().expect("trust")).expect("sender");
    let e = public
        .send(&rx.url("/hook"), b"whsec", "d-8", &body)
        .await
        .expect_err("loopback");
    assert!(
        e.is_permanent() && e.to_string().contains("not a public address"),
        "{e}"
    );
    assert!(rx.requests().is_empty());
    let sender =
        WebhookSender::reaching_private_networks(&Trust::public().expect("trust")).expect("sender");
    sender
        .send(&rx.url("/hook"), b"whsec", "d-9", &body)
        .await
        .expect("sent");
    let r = &rx.requests()[0];
    let sig = r.header("safir-signature").expect("signature header");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    assert!(webhook::verify(b"whsec", sig, &r.body, now, 300), "{sig}");
    assert!(!webhook::verify(b"wrong", sig, &r.body, now, 300));
    assert_eq!(r.header("idempotency-key"), Some("d-9"));
    assert_eq!(r.json().expect("json"), body);

    // A URL the client cannot read fails for good; before, it was retried as a lost
    // connection until the job gave up.
    for bad in [
        "http://exa mple.org/hook",
        "http://[::1/hook",
        "http://host:99999/",
    ] {
        let e = sender
            .send(bad, b"whsec", "d-11", &body)
            .await
            .expect_err("unreadable URL");
        assert!(e.is_permanent(), "{bad}: {e}");
    }

    rx.too_many_requests(1, 3);
    let e = sender
        .send(&rx.url("/hook"), b"whsec", "d-10", &body)
        .await
        .expect_err("429");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn the_file_gateway_appends_one_json_line_per_message() {
    let dir = std::env::temp_dir().join(format!("safir-sms-outbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let gw = SmsGateway::new(&SmsConfig {
        gateway: "file".into(),
        from: "Safir".into(),
        file_dir: dir.clone(),
        ..SmsConfig::default()
    })
    .expect("gateway");
    assert!(gw.is_enabled());
    let a = gw.send(&sms("d-7")).await.expect("written");
    assert_eq!(a.provider_id.as_deref(), Some("d-7"));
    gw.send(&sms("d-8")).await.expect("written");
    let text = std::fs::read_to_string(dir.join("outbox.jsonl")).expect("outbox");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["to"], "+971501234567");
    assert_eq!(lines[0]["body"], sms("d-7").body);
    assert_eq!(lines[1]["key"], "d-8");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

/// A certificate authority and a `localhost` certificate it signed, made by the openssl
/// command; `None` (the test is skipped) when openssl is missing, unless
/// `SAFIR_TEST_REQUIRE` names it.
fn test_pki(dir: &std::path::Path) -> Option<()> {
    let required = std::env::var("SAFIR_TEST_REQUIRE")
        .is_ok_and(|v| v.split(',').any(|t| t.trim() == "openssl"));
    let openssl = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
    };
    match openssl(&["version"]) {
        Ok(o) if o.status.success() => {}
        _ => {
            assert!(
                !required,
                "SAFIR_TEST_REQUIRE includes openssl but it is not installed"
            );
            eprintln!("openssl not installed: HTTPS channel test skipped");
            return None;
        }
    }
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext file");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    for args in [
        [
            &["req", "-x509"][..],
            &ec[..],
            &["-keyout", "ca.key", "-out", "ca.pem"],
        ]
        .concat(),
        [
            &["req"][..],
            &ec[..],
            &["-keyout", "leaf.key", "-out", "leaf.csr"],
        ]
        .concat(),
    ] {
        let mut args = args;
        args.extend(["-days", "2", "-subj"]);
        args.push(if args.contains(&"ca.pem") {
            "/CN=Safir Test CA"
        } else {
            "/CN=localhost"
        });
        let out = openssl(&args).expect("openssl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ])
    .expect("openssl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(())
}

#[tokio::test]
async fn https_gateways_and_webhooks_trust_the_configured_authority_only() {
    let dir = std::env::temp_dir().join(format!("safir-https-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    if test_pki(&dir).is_none() {
        return;
    }
    let rx = HttpReceiver::start_tls(&dir.join("leaf.pem"), &dir.join("leaf.key"))
        .await
        .expect("TLS receiver");
    assert!(rx.url("/sms/send").starts_with("https://localhost:"));
    let trusted = Trust::with_ca_file(Some(&dir.join("ca.pem")), "tls_ca_file").expect("CA file");
    let config = |trust: Trust| SmsConfig {
        gateway: "generic".into(),
        url: rx.url("/sms/send"),
        format: "json".into(),
        template: r#"{"to":"{to}","text":"{body}"}"#.into(),
        trust: Some(trust),
        ..SmsConfig::default()
    };

    // The public roots do not know the test authority: the handshake fails, nothing is
    // received, and the failure is temporary (a certificate can be fixed and the job retried).
    let public = SmsGateway::new(&config(Trust::public().expect("public"))).expect("gateway");
    let e = public.send(&sms("d-1")).await.expect_err("untrusted");
    assert!(!e.is_permanent(), "{e}");
    assert_eq!(rx.accepted_count(), 0);

    let gw = SmsGateway::new(&config(trusted.clone())).expect("gateway");
    let accepted = gw.send(&sms("d-2")).await.expect("sent over TLS");
    assert_eq!(accepted.provider_id.as_deref(), Some("SM1"));
    assert_eq!(
        rx.requests().last().expect("request").json().expect("json")["to"],
        "+971501234567"
    );

    let body = serde_json::json!({"identifier": "A-1"});
    WebhookSender::reaching_private_networks(&trusted)
        .expect("sender")
        .send(&rx.url("/hook"), b"whsec", "d-3", &body)
        .await
        .expect("webhook over TLS");
    let r = rx.requests().last().expect("request").clone();
    assert_eq!(r.path, "/hook");
    assert_eq!(r.json().expect("json"), body);
    std::fs::remove_dir_all(&dir).ok();
}

/// A gateway (or a partner's endpoint) that answers with an endless body is read no further
/// than the first bytes the answer needs: the send ends, and most of the body is never taken.
#[tokio::test]
async fn an_endless_answer_is_not_read_whole() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const BODY: usize = 256 * 1024 * 1024;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut request = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut request).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{{\"id\":\"SM9\",\"pad\":\"",
            BODY + 19
        );
        socket.write_all(head.as_bytes()).await.expect("head");
        let chunk = vec![b'x'; 64 * 1024];
        while counter.load(Ordering::Relaxed) < BODY {
            if socket.write_all(&chunk).await.is_err() {
                break;
            }
            counter.fetch_add(chunk.len(), Ordering::Relaxed);
        }
    });
    let gw = SmsGateway::new(&SmsConfig {
        gateway: "generic".into(),
        url: format!("http://127.0.0.1:{port}/sms/send"),
        format: "json".into(),
        template: r#"{"to":"{to}","text":"{body}"}"#.into(),
        from: "Safir".into(),
        username: String::new(),
        token: String::new(),
        file_dir: Default::default(),
        trust: None,
    })
    .expect("gateway");
    let accepted = gw.send(&sms("big")).await.expect("sent");
    // The answer is cut, so no id can be read from it: the message counts as sent, without
    // an id for receipts.
    assert_eq!(accepted.provider_id, None);
    drop(gw);
    server.await.expect("server");
    let taken = written.load(Ordering::Relaxed);
    assert!(taken < BODY / 4, "{taken} bytes of {BODY} were taken");
}

/// A port on loopback that nothing listens on.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A gateway URL with its key in the query, or a partner's URL with a secret path, that
/// cannot be reached: the error (written to the log, the delivery and the job) names the
/// host and port it tried, never the rest of the URL.
#[tokio::test]
async fn errors_do_not_show_the_secret_part_of_a_url() {
    let port = closed_port().await;
    let gw = SmsGateway::new(&SmsConfig {
        gateway: "generic".into(),
        url: format!("http://127.0.0.1:{port}/sms/send?api_key=SECRET-KEY-1"),
        format: "json".into(),
        template: r#"{"to":"{to}","text":"{body}"}"#.into(),
        from: "Safir".into(),
        username: String::new(),
        token: String::new(),
        file_dir: Default::default(),
        trust: None,
    })
    .expect("gateway");
    let e = gw.send(&sms("k-1")).await.expect_err("nothing listens");
    assert!(!e.is_permanent(), "{e}");
    let text = e.to_string();
    assert!(!text.contains("SECRET-KEY-1"), "{text}");
    assert!(!text.contains("/sms/send"), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    let e = gw
        .send_retrying(
            &sms("k-2"),
            2,
            Duration::from_millis(1),
            Duration::from_millis(1),
        )
        .await
        .expect_err("nothing listens");
    assert!(!e.to_string().contains("SECRET-KEY-1"), "{e}");

    let twilio = SmsGateway::new(&SmsConfig {
        gateway: "twilio".into(),
        url: format!("http://AC1:SECRET-PW-3@127.0.0.1:{port}/Accounts/SECRET-PATH-4"),
        username: "AC1".into(),
        ..SmsConfig::default()
    })
    .expect("twilio");
    let text = twilio
        .send(&sms("k-3"))
        .await
        .expect_err("closed")
        .to_string();
    assert!(!text.contains("SECRET"), "{text}");

    let sender =
        WebhookSender::reaching_private_networks(&Trust::public().expect("trust")).expect("sender");
    let body = serde_json::json!({"identifier": "A-1"});
    let text = sender
        .send(
            &format!("http://127.0.0.1:{port}/hooks/SECRET-PATH-2?token=SECRET-TOKEN"),
            b"whsec",
            "d-1",
            &body,
        )
        .await
        .expect_err("nothing listens")
        .to_string();
    assert!(!text.contains("SECRET"), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");

    // Refused before any request: the message names the origin only.
    let public = WebhookSender::new(&Trust::public().expect("trust")).expect("sender");
    for url in [
        format!("http://127.0.0.1:{port}/hooks/SECRET-PATH-5"),
        "ftp://partner.example/SECRET-PATH-6".to_owned(),
    ] {
        let e = public
            .send(&url, b"whsec", "d-2", &body)
            .await
            .expect_err("refused");
        assert!(e.is_permanent() && !e.to_string().contains("SECRET"), "{e}");
    }
}
