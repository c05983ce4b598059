//! Running the real binary: temporary data directories, servers on free ports, a tiny
//! cookie-keeping HTTP client.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_safir")
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Seeds the demo ministry (`safir demo --seed-only` with `env`) and writes what it prints, the
/// accounts with their passwords and TOTP secrets, to `dir/accounts.txt`, whose path it returns
/// for `bench/consular/sign_in.py`.
pub fn seed_demo(dir: &Path, env: &[(&str, &str)]) -> String {
    let seeded = run(&["demo", "--seed-only"], env);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let accounts = dir.join("accounts.txt");
    std::fs::write(&accounts, &seeded.stdout).unwrap();
    accounts.display().to_string()
}

/// The demo, seeded in a new data directory (named after `prefix`) and served, mail written
/// to files: the directory (removed when dropped), the accounts file [`seed_demo`] wrote, and
/// the server. `extra` adds to the environment of both.
pub fn serve_demo(prefix: &str, extra: &[(&str, &str)]) -> (TempDir, String, Server) {
    let dir = TempDir::new(prefix);
    let data_dir = dir.path().display().to_string();
    let mut env = vec![
        ("SAFIR_DATA_DIR", data_dir.as_str()),
        ("SAFIR_MAIL_TRANSPORT", "file"),
    ];
    env.extend_from_slice(extra);
    let accounts = seed_demo(dir.path(), &env);
    let server = Server::start(&["serve"], &env);
    (dir, accounts, server)
}

/// Runs the Python script `bench/consular/NAME` with `args`: its output, or, when it fails, its
/// output and errors.
pub fn bench_script(name: &str, args: &[&str]) -> Result<String, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../bench/consular")
        .join(name);
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Signs a demo account in through the real forms (`sign_in.py`: password, then the TOTP code
/// when the account has a secret) and returns its session cookie's value.
pub fn sign_in_demo(base: &str, accounts: &str, email: &str) -> String {
    bench_script("sign_in.py", &[base, accounts, email])
        .unwrap_or_else(|e| panic!("signing in {email}: {e}"))
        .trim()
        .to_owned()
}

/// Runs `safir ARGS` with a clean `SAFIR_*` environment plus `env`.
pub fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    for (k, _) in std::env::vars() {
        if k.starts_with("SAFIR_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    cmd.output().expect("run safir")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `safir serve` process, killed on drop.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub base: String,
}

impl Server {
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        Self::start_with_stderr(args, env, Stdio::inherit())
    }

    /// A server whose log (at `warn`, as text) goes to the file `log` rather than the test's
    /// own stderr, for the test to read.
    pub fn start_logged(args: &[&str], env: &[(&str, &str)], log: &Path) -> Server {
        let file = std::fs::File::create(log).expect("create the server's log file");
        Self::start_with_stderr(args, env, Stdio::from(file))
    }

    fn start_with_stderr(args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Server {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(bin());
        for (k, _) in std::env::vars() {
            if k.starts_with("SAFIR_") {
                cmd.env_remove(k);
            }
        }
        cmd.args(args)
            .env("SAFIR_BIND", &bind)
            .env("SAFIR_LOG_LEVEL", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        let child = cmd.spawn().expect("start safir");
        let server = Server {
            child,
            port,
            base: format!("http://{bind}"),
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("safir did not start listening on {}", self.port);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain-HTTP client for the tests. The workspace builds reqwest with rustls but no crypto
/// provider of its own choosing (the notification channels hand it theirs), so the test
/// process installs ring, the provider the rest of Safir uses, before building one.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The kind of page a path is: its segments with a digit in them (ids, references, numbers)
/// folded, so that a walk reads a few pages of each kind.
pub fn page_shape(href: &str) -> String {
    let path = href.split(['?', '#']).next().unwrap_or("");
    path.split('/')
        .map(|seg| {
            if seg.chars().any(|c| c.is_ascii_digit()) {
                "_"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
