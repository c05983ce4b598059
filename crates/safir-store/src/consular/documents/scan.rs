//! The virus-scan hook: an operator-chosen command run with the stored file's path.
//! Exit 0 is clean, 1 is infected (the convention of ClamAV and most scanners), anything
//! else, a crash or a time-out is a failure to scan.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use safir_domain::consular::documents::ScanStatus;

/// How to scan uploads; [`ScanConfig::none`] when no scanner is configured.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// The program and its arguments; the file's path is appended.
    command: Option<(String, Vec<String>)>,
    timeout: Duration,
}

impl Default for ScanConfig {
    fn default() -> Self {
        Self::none()
    }
}

impl ScanConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

    pub fn none() -> Self {
        Self {
            command: None,
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }

    /// From the configured command line, split on whitespace (no shell, no quoting: wrap a
    /// complex command in a script). An empty line means no scanner.
    pub fn from_command(line: &str, timeout: Duration) -> Self {
        let mut words = line.split_whitespace().map(str::to_owned);
        let command = words.next().map(|program| (program, words.collect()));
        Self { command, timeout }
    }

    pub fn is_enabled(&self) -> bool {
        self.command.is_some()
    }

    /// Runs the scanner on `path`. Blocking: call it from `spawn_blocking`.
    pub(super) fn scan(&self, path: &Path) -> ScanStatus {
        let Some((program, args)) = &self.command else {
            return ScanStatus::NotScanned;
        };
        let child = Command::new(program)
            .args(args)
            .arg(path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(%program, error = %e, "the virus scanner could not be started");
                return ScanStatus::Failed;
            }
        };
        let deadline = Instant::now() + self.timeout;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    return match status.code() {
                        Some(0) => ScanStatus::Clean,
                        Some(1) => ScanStatus::Infected,
                        code => {
                            tracing::warn!(%program, ?code, "the virus scanner failed");
                            ScanStatus::Failed
                        }
                    };
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    tracing::warn!(%program, timeout = ?self.timeout, "the virus scanner timed out");
                    let _ = child.kill();
                    let _ = child.wait();
                    return ScanStatus::Failed;
                }
                Err(e) => {
                    tracing::error!(%program, error = %e, "waiting for the virus scanner failed");
                    return ScanStatus::Failed;
                }
            }
        }
    }
}
