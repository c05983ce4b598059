//! One SMTP connection of the sink: the command loop and the replies.

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpStream;

use super::{Answer, MAX_LINE, MAX_MESSAGE, ReceivedMessage, Shared, Stage};

/// One SMTP connection.
pub(super) struct Session<'a> {
    shared: &'a Shared,
    helo: Option<String>,
    auth_user: Option<String>,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
    /// A stall fault fired: read and ignore everything until the client hangs up.
    stalled: bool,
}

enum Next {
    Continue,
    Close,
}

impl<'a> Session<'a> {
    pub(super) fn new(shared: &'a Shared) -> Self {
        Self {
            shared,
            helo: None,
            auth_user: None,
            mail_from: None,
            rcpt_to: Vec::new(),
            stalled: false,
        }
    }

    /// A fault's answer: an error reply, or silence from now on.
    async fn answer<W>(&mut self, out: &mut W, a: Answer) -> std::io::Result<()>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        match a {
            Answer::Reply(code, text) => reply(out, code, &text).await,
            Answer::Stall => {
                self.stalled = true;
                Ok(())
            }
        }
    }

    pub(super) async fn serve(mut self, stream: TcpStream) -> std::io::Result<()> {
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        let mut reader = BufReader::new(read);
        let mut out = BufWriter::new(write);
        let greeting_fault = {
            let mut s = self.shared.state();
            s.connections += 1;
            s.take_fault(Stage::Connect, None)
        };
        match greeting_fault {
            Some(Answer::Reply(code, text)) => return reply(&mut out, code, &text).await,
            Some(Answer::Stall) => self.stalled = true,
            None => reply(&mut out, 220, "safir-sink ESMTP ready").await?,
        }
        let mut line = Vec::new();
        loop {
            line.clear();
            if read_line(&mut reader, &mut line).await? == 0 {
                return Ok(());
            }
            if self.stalled {
                continue;
            }
            let text = String::from_utf8_lossy(&line);
            let command = text.trim_end_matches(['\r', '\n']);
            match self.command(command, &mut reader, &mut out).await? {
                Next::Continue => {}
                Next::Close => return Ok(()),
            }
        }
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }

    async fn command<R, W>(
        &mut self,
        command: &str,
        reader: &mut R,
        out: &mut W,
    ) -> std::io::Result<Next>
    where
        R: tokio::io::AsyncBufRead + Unpin,
        W: tokio::io::AsyncWrite + Unpin,
    {
        let (verb, arg) = match command.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim()),
            None => (command.to_ascii_uppercase(), ""),
        };
        match verb.as_str() {
            "EHLO" | "HELO" if arg.is_empty() => {
                reply(out, 501, "a domain or address is required").await?
            }
            "EHLO" => {
                self.reset();
                self.helo = Some(arg.to_owned());
                let mut lines = vec![
                    "safir-sink".to_owned(),
                    "8BITMIME".to_owned(),
                    "SMTPUTF8".to_owned(),
                    format!("SIZE {MAX_MESSAGE}"),
                ];
                if self.shared.state().credentials.is_some() {
                    lines.push("AUTH PLAIN".to_owned());
                }
                reply_multi(out, 250, &lines).await?
            }
            "HELO" => {
                self.reset();
                self.helo = Some(arg.to_owned());
                reply(out, 250, "safir-sink").await?
            }
            "AUTH" => self.auth(arg, reader, out).await?,
            "MAIL" => self.mail(arg, out).await?,
            "RCPT" => self.rcpt(arg, out).await?,
            "DATA" => self.data(reader, out).await?,
            "RSET" => {
                self.reset();
                reply(out, 250, "OK").await?
            }
            "NOOP" => reply(out, 250, "OK").await?,
            "VRFY" => reply(out, 252, "cannot verify, will accept").await?,
            "QUIT" => {
                reply(out, 221, "bye").await?;
                return Ok(Next::Close);
            }
            _ => reply(out, 500, "command not recognised").await?,
        }
        Ok(Next::Continue)
    }

    async fn auth<R, W>(&mut self, arg: &str, reader: &mut R, out: &mut W) -> std::io::Result<()>
    where
        R: tokio::io::AsyncBufRead + Unpin,
        W: tokio::io::AsyncWrite + Unpin,
    {
        let (mechanism, initial) = arg.split_once(' ').unwrap_or((arg, ""));
        if !mechanism.eq_ignore_ascii_case("PLAIN") {
            return reply(out, 504, "only AUTH PLAIN").await;
        }
        if self.auth_user.is_some() {
            return reply(out, 503, "already authenticated").await;
        }
        let response = if initial.is_empty() {
            reply(out, 334, "").await?;
            let mut line = Vec::new();
            read_line(reader, &mut line).await?;
            String::from_utf8_lossy(&line)
                .trim_end_matches(['\r', '\n'])
                .to_owned()
        } else {
            initial.to_owned()
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(response.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let Some(decoded) = decoded else {
            return reply(out, 501, "cannot decode the response").await;
        };
        // authzid \0 authcid \0 password
        let mut parts = decoded.split('\0').skip(1);
        let (user, password) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let expected = self.shared.state().credentials.clone();
        match expected {
            Some((u, p)) if u == user && p == password => {
                self.auth_user = Some(user.to_owned());
                reply(out, 235, "2.7.0 authentication succeeded").await
            }
            _ => reply(out, 535, "5.7.8 authentication credentials invalid").await,
        }
    }

    async fn mail<W>(&mut self, arg: &str, out: &mut W) -> std::io::Result<()>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        let Some(address) = path_arg(arg, "FROM:") else {
            return reply(out, 501, "syntax: MAIL FROM:<address>").await;
        };
        if self.helo.is_none() {
            return reply(out, 503, "EHLO first").await;
        }
        if self.mail_from.is_some() {
            return reply(out, 503, "nested MAIL command").await;
        }
        let (fault, needs_auth) = {
            let mut s = self.shared.state();
            (s.take_fault(Stage::Mail, None), s.credentials.is_some())
        };
        if needs_auth && self.auth_user.is_none() {
            return reply(out, 530, "5.7.0 authentication required").await;
        }
        if let Some(a) = fault {
            return self.answer(out, a).await;
        }
        self.mail_from = Some(address);
        reply(out, 250, "OK").await
    }

    async fn rcpt<W>(&mut self, arg: &str, out: &mut W) -> std::io::Result<()>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        let Some(address) = path_arg(arg, "TO:") else {
            return reply(out, 501, "syntax: RCPT TO:<address>").await;
        };
        if self.mail_from.is_none() {
            return reply(out, 503, "MAIL first").await;
        }
        let fault = self.shared.state().take_fault(Stage::Rcpt, Some(&address));
        if let Some(a) = fault {
            return self.answer(out, a).await;
        }
        self.rcpt_to.push(address);
        reply(out, 250, "OK").await
    }

    async fn data<R, W>(&mut self, reader: &mut R, out: &mut W) -> std::io::Result<()>
    where
        R: tokio::io::AsyncBufRead + Unpin,
        W: tokio::io::AsyncWrite + Unpin,
    {
        if self.mail_from.is_none() || self.rcpt_to.is_empty() {
            return reply(out, 503, "need MAIL and RCPT first").await;
        }
        reply(out, 354, "end data with <CR><LF>.<CR><LF>").await?;
        let mut data = Vec::new();
        let mut line = Vec::new();
        let mut too_big = false;
        loop {
            line.clear();
            if read_line(reader, &mut line).await? == 0 {
                // The client went away mid-message: nothing is recorded.
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let content = line.strip_suffix(b"\n").unwrap_or(&line);
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if content == b"." {
                break;
            }
            // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
            let content = content.strip_prefix(b".").unwrap_or(content);
            if data.len() + content.len() + 2 > MAX_MESSAGE {
                too_big = true;
                continue;
            }
            data.extend_from_slice(content);
            data.extend_from_slice(b"\r\n");
        }
        let (from, to) = (
            self.mail_from.take().unwrap_or_default(),
            std::mem::take(&mut self.rcpt_to),
        );
        if too_big {
            return reply(out, 552, "5.3.4 message too big").await;
        }
        let queued = {
            let mut s = self.shared.state();
            if let Some(a) = s.take_fault(Stage::Data, None) {
                Err(a)
            } else {
                s.messages.push(ReceivedMessage {
                    helo: self.helo.clone().unwrap_or_default(),
                    auth_user: self.auth_user.clone(),
                    mail_from: from,
                    rcpt_to: to,
                    data,
                });
                Ok(s.messages.len())
            }
        };
        match queued {
            Ok(n) => {
                self.shared.arrived.notify_waiters();
                reply(out, 250, &format!("OK queued as {n}")).await
            }
            Err(a) => self.answer(out, a).await,
        }
    }
}

/// `FROM:<a@b> SIZE=1` → `a@b` (also without angle brackets; `<>` is the null path).
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let path = match rest.strip_prefix('<') {
        Some(r) => &r[..r.find('>')?],
        None => rest.split(' ').next()?,
    };
    Some(path.to_owned())
}

/// Reads one line (up to LF) with a bound on its length.
async fn read_line<R>(reader: &mut R, line: &mut Vec<u8>) -> std::io::Result<usize>
where
    R: tokio::io::AsyncBufRead + Unpin,
{
    let n = tokio::io::AsyncReadExt::take(&mut *reader, MAX_LINE as u64)
        .read_until(b'\n', line)
        .await?;
    if n == MAX_LINE && !line.ends_with(b"\n") {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long",
        ));
    }
    Ok(n)
}

async fn reply<W>(out: &mut W, code: u16, text: &str) -> std::io::Result<()>
where
    W: tokio::io::AsyncWrite + Unpin,
{
    out.write_all(format!("{code} {text}\r\n").as_bytes())
        .await?;
    out.flush().await
}

async fn reply_multi<W>(out: &mut W, code: u16, lines: &[String]) -> std::io::Result<()>
where
    W: tokio::io::AsyncWrite + Unpin,
{
    let mut buf = String::new();
    for (i, l) in lines.iter().enumerate() {
        let sep = if i + 1 == lines.len() { ' ' } else { '-' };
        buf.push_str(&format!("{code}{sep}{l}\r\n"));
    }
    out.write_all(buf.as_bytes()).await?;
    out.flush().await
}
