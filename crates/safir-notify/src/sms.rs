//! SMS through an HTTP gateway: a generic one (a URL and a JSON or form body template) or a
//! Twilio-compatible Messages API.
//!
//! The gateway is reached over `https://` (the public web roots, plus an optional PEM file of
//! the ministry's own certificate authority: see [`crate::tls`]) or over plain `http://` on a
//! private network.

use std::time::Duration;

use crate::NotifyError;
use crate::channel::{self, Accepted, ChannelError};

/// The `sms.send` job kind: payload `{"to": "+9715…", "body": "…", "key": "…"}`.
pub const SMS_JOB: &str = "sms.send";

/// The gateway settings as written in the configuration.
#[derive(Clone, Default)]
pub struct SmsConfig {
    /// `none`, `generic` or `twilio`.
    pub gateway: String,
    pub url: String,
    /// `json` or `form` (generic only).
    pub format: String,
    /// Body with `{to}`, `{from}`, `{body}`, `{key}` (generic only).
    pub template: String,
    pub from: String,
    pub username: String,
    pub token: String,
    /// `file` only: the directory of the outbox (`<data_dir>/sms`).
    pub file_dir: std::path::PathBuf,
    /// Whom `https://` trusts.
    pub trust: Option<crate::tls::Trust>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Form,
}

#[derive(Debug, Clone)]
enum Kind {
    None,
    Generic {
        format: Format,
        template: String,
    },
    Twilio,
    /// No gateway: each message is appended as a JSON line to `outbox.jsonl` in this
    /// directory (the demo and local trials, like the mail `file` transport).
    File(std::path::PathBuf),
}

/// One text message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SmsMessage {
    /// E.164 number.
    pub to: String,
    pub body: String,
    /// Identifies the message across retries (the gateway's reference / idempotency key).
    pub key: String,
}

/// A configured gateway. Cheap to clone (the HTTP connection pool is shared).
#[derive(Clone)]
pub struct SmsGateway {
    kind: Kind,
    url: String,
    from: String,
    username: String,
    token: String,
    client: reqwest::Client,
}

/// How a secret shows in debug output: whether it is set, never its value.
fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() { "" } else { "<redacted>" }
}

impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("gateway", &self.gateway)
            .field("url", &self.url)
            .field("format", &self.format)
            .field("template", &self.template)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("token", &redacted(&self.token))
            .field("file_dir", &self.file_dir)
            .field("trust", &self.trust)
            .finish()
    }
}

impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsGateway")
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("token", &redacted(&self.token))
            .finish_non_exhaustive()
    }
}

/// JSON string content (without the surrounding quotes the template already has).
fn json_escape(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_owned()).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// `application/x-www-form-urlencoded` escaping.
fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Fills the template in one pass (a value containing `{body}` is not expanded again).
fn fill(template: &str, values: &[(&str, &str)], escape: fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 200);
    let mut rest = template;
    'outer: while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        for (name, value) in values {
            let placeholder = format!("{{{name}}}");
            if tail.starts_with(&placeholder) {
                out.push_str(&escape(value));
                rest = &tail[placeholder.len()..];
                continue 'outer;
            }
        }
        out.push('{');
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

impl SmsGateway {
    pub fn new(config: &SmsConfig) -> Result<Self, NotifyError> {
        let kind = match config.gateway.as_str() {
            "none" | "" => Kind::None,
            "generic" => {
                let format = match config.format.as_str() {
                    "json" => Format::Json,
                    "form" => Format::Form,
                    _ => {
                        return Err(NotifyError::config(
                            "crisis.sms_gateway_format",
                            "must be json or form",
                        ));
                    }
                };
                if !config.template.contains("{to}") || !config.template.contains("{body}") {
                    return Err(NotifyError::config(
                        "crisis.sms_gateway_template",
                        "must contain {to} and {body}",
                    ));
                }
                Kind::Generic {
                    format,
                    template: config.template.clone(),
                }
            }
            "twilio" => Kind::Twilio,
            "file" => Kind::File(config.file_dir.clone()),
            _ => {
                return Err(NotifyError::config(
                    "crisis.sms_gateway",
                    "must be none, generic, twilio or file",
                ));
            }
        };
        if !matches!(kind, Kind::None | Kind::File(_)) && !crate::is_http_url(&config.url) {
            return Err(NotifyError::config(
                "crisis.sms_gateway_url",
                "must be an https:// or http:// URL",
            ));
        }
        if matches!(kind, Kind::Twilio) && config.username.is_empty() {
            return Err(NotifyError::config(
                "crisis.sms_gateway_username",
                "the Twilio account SID is required",
            ));
        }
        Ok(Self {
            kind,
            url: config.url.trim_end_matches('/').to_owned(),
            from: config.from.clone(),
            username: config.username.clone(),
            token: config.token.clone(),
            client: channel::client(&match &config.trust {
                Some(t) => t.clone(),
                None => crate::tls::Trust::public()?,
            })?,
        })
    }

    /// Whether SMS is switched on.
    pub fn is_enabled(&self) -> bool {
        !matches!(self.kind, Kind::None)
    }

    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if !self.username.is_empty() {
            request.basic_auth(&self.username, Some(&self.token))
        } else if !self.token.is_empty() {
            request.bearer_auth(&self.token)
        } else {
            request
        }
    }

    /// Sends one message, once. The answer is classified; the caller decides about retries.
    pub async fn send(&self, sms: &SmsMessage) -> Result<Accepted, ChannelError> {
        if sms.to.trim().is_empty() {
            return Err(ChannelError::Permanent("no phone number".to_owned()));
        }
        let request = match &self.kind {
            Kind::None => {
                return Err(ChannelError::Permanent(
                    "SMS is switched off (crisis.sms_gateway = none)".to_owned(),
                ));
            }
            Kind::Generic { format, template } => {
                let values = [
                    ("to", sms.to.as_str()),
                    ("from", self.from.as_str()),
                    ("body", sms.body.as_str()),
                    ("key", sms.key.as_str()),
                ];
                let (body, content_type) = match format {
                    Format::Json => (fill(template, &values, json_escape), "application/json"),
                    Format::Form => (
                        fill(template, &values, form_escape),
                        "application/x-www-form-urlencoded",
                    ),
                };
                self.client
                    .post(&self.url)
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .header("Idempotency-Key", &sms.key)
                    .body(body)
            }
            Kind::File(dir) => return append_to_outbox(dir, &self.from, sms).await,
            Kind::Twilio => self
                .client
                .post(format!("{}/Messages.json", self.url))
                .header("Idempotency-Key", &sms.key)
                .form(&[
                    ("To", sms.to.as_str()),
                    ("From", self.from.as_str()),
                    ("Body", sms.body.as_str()),
                ]),
        };
        channel::send(self.authorize(request)).await
    }

    /// Sends with up to `attempts` tries in this call, waiting the gateway's Retry-After (or
    /// `backoff`, doubled each time) between temporary failures, never more than `max_wait`
    /// at once. Returns the last error when every try failed.
    pub async fn send_retrying(
        &self,
        sms: &SmsMessage,
        attempts: u32,
        backoff: Duration,
        max_wait: Duration,
    ) -> Result<Accepted, ChannelError> {
        let mut wait = backoff;
        let mut tries = 0;
        loop {
            tries += 1;
            match self.send(sms).await {
                Ok(a) => return Ok(a),
                Err(e) if e.is_permanent() || tries >= attempts.max(1) => return Err(e),
                Err(e) => {
                    let pause = e.retry_after().unwrap_or(wait).min(max_wait);
                    tracing::info!(key = %sms.key, error = %e, ?pause, "SMS gateway busy, retrying");
                    tokio::time::sleep(pause).await;
                    wait = wait.saturating_mul(2);
                }
            }
        }
    }
}

/// The `file` gateway: one JSON line per message in `<dir>/outbox.jsonl`; the key is the
/// provider id. Lines are written whole, one writer at a time.
async fn append_to_outbox(
    dir: &std::path::Path,
    from: &str,
    sms: &SmsMessage,
) -> Result<Accepted, ChannelError> {
    use tokio::io::AsyncWriteExt;
    static WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let line = serde_json::json!({
        "to": sms.to,
        "from": from,
        "body": sms.body,
        "key": sms.key,
        "at_unix": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    })
    .to_string()
        + "\n";
    let failed = |e: std::io::Error| ChannelError::Temporary {
        message: format!("SMS outbox {}: {e}", dir.display()),
        retry_after: None,
    };
    let _guard = WRITER.lock().await;
    tokio::fs::create_dir_all(dir).await.map_err(failed)?;
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("outbox.jsonl"))
        .await
        .map_err(failed)?;
    file.write_all(line.as_bytes()).await.map_err(failed)?;
    // A tokio file hands the write to a blocking thread; flushing waits until it is done,
    // so the line is in the file before the message counts as accepted (and before the
    // next message, under the same lock, appends its own).
    file.flush().await.map_err(failed)?;
    Ok(Accepted {
        provider_id: Some(sms.key.clone()),
    })
}

/// The `sms.send` job: one message through the gateway. A few quick tries inside the job
/// honour the gateway's Retry-After; after that the queue's own backoff takes over. With
/// `crisis.sms_gateway = none` the job fails permanently with a clear message.
#[derive(Debug, Clone)]
pub struct SmsJob {
    gateway: SmsGateway,
    bucket: std::sync::Arc<crate::ratelimit::TokenBucket>,
}

impl SmsJob {
    pub fn new(gateway: SmsGateway, bucket: std::sync::Arc<crate::ratelimit::TokenBucket>) -> Self {
        Self { gateway, bucket }
    }

    async fn run_job(
        &self,
        job: &safir_store::jobs::ClaimedJob,
    ) -> Result<(), safir_store::jobs::JobError> {
        use safir_store::jobs::JobError;
        let sms: SmsMessage = job
            .payload_json()
            .map_err(|e| JobError::Permanent(format!("bad sms.send payload: {e}")))?;
        self.bucket.acquire().await;
        match self
            .gateway
            .send_retrying(&sms, 3, Duration::from_secs(1), Duration::from_secs(30))
            .await
        {
            Ok(a) => {
                tracing::info!(key = %sms.key, provider_id = ?a.provider_id, "SMS sent");
                Ok(())
            }
            Err(e) if e.is_permanent() => Err(JobError::Permanent(e.to_string())),
            Err(e) => Err(JobError::Retry(e.to_string())),
        }
    }
}

impl safir_store::jobs::JobHandler for SmsJob {
    fn run<'a>(
        &'a self,
        job: &'a safir_store::jobs::ClaimedJob,
    ) -> safir_store::jobs::HandlerFuture<'a> {
        Box::pin(self.run_job(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_template_escapes_values() {
        let out = fill(
            r#"{"to":"{to}","text":"{body}","ref":"{key}"}"#,
            &[("to", "+971"), ("body", "say \"hi\"\n{key}"), ("key", "k1")],
            json_escape,
        );
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(v["text"], "say \"hi\"\n{key}");
        assert_eq!(v["ref"], "k1");
    }

    #[test]
    fn form_template_escapes_values() {
        let out = fill(
            "To={to}&Body={body}",
            &[("to", "+971 50"), ("body", "آمن & well=yes")],
            form_escape,
        );
        assert_eq!(out, "To=%2B971+50&Body=%D8%A2%D9%85%D9%86+%26+well%3Dyes");
    }

    /// The gateway's token is a password: debug output (a log line, a panic message) shows
    /// whether it is set, never what it is.
    #[test]
    fn the_token_never_shows_in_debug_output() {
        let config = SmsConfig {
            gateway: "twilio".into(),
            url: "http://127.0.0.1:1/2010-04-01/Accounts/AC1".into(),
            from: "+15550100".into(),
            username: "AC1".into(),
            token: "tok-very-secret-42".into(),
            ..SmsConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("tok-very-secret-42"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("AC1"),
            "{shown}"
        );
        let gateway = SmsGateway::new(&config).expect("a Twilio gateway");
        for shown in [format!("{gateway:?}"), format!("{gateway:#?}")] {
            assert!(!shown.contains("tok-very-secret-42"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
    }

    #[test]
    fn configuration_errors_name_the_key() {
        let bad = SmsConfig {
            gateway: "generic".into(),
            url: "http://127.0.0.1:1/send".into(),
            format: "xml".into(),
            template: "{to}{body}".into(),
            ..SmsConfig::default()
        };
        let e = SmsGateway::new(&bad).expect_err("bad format");
        assert!(e.to_string().contains("sms_gateway_format"), "{e}");
        let twilio = SmsConfig {
            gateway: "twilio".into(),
            url: "http://127.0.0.1:1/2010-04-01/Accounts/AC1".into(),
            ..SmsConfig::default()
        };
        let e = SmsGateway::new(&twilio).expect_err("no SID");
        assert!(e.to_string().contains("sms_gateway_username"), "{e}");
    }
}
