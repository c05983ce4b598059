//! The virus-scan hook: an operator-chosen command run with the stored file's path.
//! Exit 0 is clean, 1 is infected (the convention of ClamAV and most scanners), anything
//! else, a crash or a time-out is a failure to scan.

use std::os::unix::process::CommandExt;
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
            // Its own process group, whose id is its pid: what it starts (a wrapper script's
            // `clamdscan`) is in it too, and a time-out stops them all.
            .process_group(0)
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
                    // The group first, while the scanner is not yet waited for: its pid (the
                    // group's id) cannot have been given to another process.
                    kill_group(child.id());
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

/// Sends `SIGKILL` to every process of the group `pgid`.
#[allow(unsafe_code)]
fn kill_group(pgid: u32) {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return;
    };
    if pgid <= 1 {
        return;
    }
    // SAFETY: `kill` takes two integers and touches no memory of this process; a negative
    // pid names a process group. `pgid` is the id of a child started with `process_group(0)`
    // and not yet waited for, so the group is the scanner's and no other.
    let rc = unsafe { libc::kill(-pgid, libc::SIGKILL) };
    if rc != 0 {
        tracing::warn!(
            pgid,
            error = %std::io::Error::last_os_error(),
            "stopping the virus scanner's processes failed"
        );
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// Whether the process `pid` still runs (a zombie waiting for its parent has stopped).
    fn running(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // `pid (comm) state …`: the state follows the command's closing parenthesis.
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X'])),
            Err(_) => false,
        }
    }

    /// A wrapper script whose scanner hangs: the time-out used to stop the script alone, and
    /// the scanner it started ran on.
    #[test]
    fn a_timed_out_scan_stops_what_the_scanner_started() {
        let dir = crate::testing::tempdir::Dir::new("safir-scan").unwrap();
        let pid_file = dir.path().join("scanner.pid");
        let script = dir.path().join("wrapper.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nsleep 600 &\necho $! > '{}'\nwait\n",
                pid_file.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let scan = ScanConfig::from_command(
            &format!("sh {}", script.display()),
            Duration::from_millis(500),
        );
        let file = dir.path().join("upload.pdf");
        std::fs::write(&file, b"%PDF-1.7\n%%EOF\n").unwrap();

        assert_eq!(scan.scan(&file), ScanStatus::Failed);
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let pid = pid.trim();
        assert!(!pid.is_empty());
        let deadline = Instant::now() + Duration::from_secs(5);
        while running(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let still = running(pid);
        if still {
            // Not left behind by a failing run either.
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
        assert!(!still, "the scanner's child {pid} still runs");
    }
}
