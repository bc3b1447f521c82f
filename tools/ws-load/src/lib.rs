//! What Kefu's load tools share: a `kefu` they start on 127.0.0.1 with a fresh data dir (and
//! stop when dropped), and a tiny REST client. Traffic goes to loopback only.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

/// A running `kefu serve --demo`, killed and its data dir removed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    dir: PathBuf,
}

impl Server {
    /// Start `kefu` with the demo organisation; `config` is the TOML the tool needs (raised
    /// per-address limits: every client of a load tool comes from 127.0.0.1).
    pub async fn start(kefu: &str, port: u16, tool: &str, config: &str) -> Result<Server> {
        Server::start_on(kefu, port, tool, config, Backend::default()).await
    }

    /// Same, on the given backend (its own SQLite file by default).
    pub async fn start_on(kefu: &str, port: u16, tool: &str, config: &str, backend: Backend<'_>) -> Result<Server> {
        let dir = std::env::temp_dir().join(format!("kefu-{tool}-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let config_file = dir.join("kefu.toml");
        std::fs::write(&config_file, config)?;
        let mut command = Command::new(kefu);
        if let Some(url) = backend.database_url {
            command.env("KEFU_DATABASE_URL", url);
        }
        if let Some(url) = backend.nats_url {
            // Nodes of one cluster on one machine: each its own media port.
            command.env("KEFU_NATS_URL", url).env("KEFU_MEDIA_UDP", "127.0.0.1:0");
        }
        let child = command
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--config"])
            .arg(&config_file)
            .arg("--data-dir")
            .arg(dir.join("data"))
            // Quiet unless the caller asks for more (e.g. `KEFU_LOG=info` to see why calls end).
            .env("KEFU_LOG", std::env::var("KEFU_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(Stdio::from(std::fs::File::create(dir.join("kefu.log"))?))
            .spawn()
            .with_context(|| format!("failed to start {kefu}"))?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}"), dir };
        eprintln!("server log: {}", server.dir.join("kefu.log").display());
        server.wait_ready(&reqwest::Client::new()).await?;
        Ok(server)
    }

    /// The server's process id (for /proc readings).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_ready(&self, http: &reqwest::Client) -> Result<()> {
        for _ in 0..200 {
            if http.get(format!("{}/readyz", self.base)).send().await.is_ok_and(|r| r.status() == 200) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("kefu did not become ready")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where a started kefu keeps its state: its own SQLite file by default; a PostgreSQL database
/// (`KEFU_DATABASE_URL`; under `scripts/with-postgres.sh` that is `$KEFU_TEST_POSTGRES_URL`); and,
/// for several nodes of one cluster on that database, a NATS server.
#[derive(Debug, Default, Clone, Copy)]
pub struct Backend<'a> {
    pub database_url: Option<&'a str>,
    pub nats_url: Option<&'a str>,
}

/// A `nats-server` (Debian's package) on a loopback port for a tool's cluster, killed on drop.
pub struct Nats {
    child: Child,
    /// `nats://127.0.0.1:<port>`.
    pub url: String,
}

impl Nats {
    pub async fn start(port: u16) -> Result<Nats> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let bin = std::env::split_paths(&path)
            .chain(["/usr/sbin".into(), "/usr/bin".into()])
            .map(|d| d.join("nats-server"))
            .find(|p| p.is_file())
            .context("nats-server not found (apt install nats-server), or pass --nats-url")?;
        let child = Command::new(bin)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("failed to start nats-server")?;
        let nats = Nats { child, url: format!("nats://127.0.0.1:{port}") };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Ok(nats);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("nats-server did not listen on port {port}")
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One REST call; the body parsed as JSON (null when it is not).
pub async fn call(
    http: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<(u16, Value)> {
    let mut req = http.request(method.parse()?, format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    let text = resp.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// A staff session token.
pub async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> Result<String> {
    let (_, v) = call(http, base, "POST", "/api/v1/auth/login", None, Some(json!({ "email": email, "password": password }))).await?;
    v["token"].as_str().map(str::to_string).context("login failed")
}

/// A new anonymous visitor's token.
pub async fn visitor(http: &reqwest::Client, base: &str, name: &str) -> Result<String> {
    let (_, v) = call(http, base, "POST", "/api/v1/visitors", None, Some(json!({ "name": name }))).await?;
    v["token"].as_str().map(str::to_string).with_context(|| format!("no visitor token: {v}"))
}

/// CPU time (user + system, ms) a process has used so far, from `/proc/<pid>/stat` (Linux; None
/// elsewhere). A figure per operation from it holds on a busy machine, where wall-clock rates
/// mostly measure the other work.
pub fn cpu_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces, so cut at its closing parenthesis):
    // state is the 3rd field of the line, utime the 14th, stime the 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on Linux (x86_64 and arm64).
    Some(ticks * 10.0)
}
