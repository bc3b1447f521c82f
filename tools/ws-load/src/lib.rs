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
        Server::start_on(kefu, port, tool, config, None).await
    }

    /// Same, on the PostgreSQL database at `database_url` when given (`KEFU_DATABASE_URL`; with
    /// `scripts/with-postgres.sh` that is `$KEFU_TEST_POSTGRES_URL`), else the SQLite file.
    pub async fn start_on(kefu: &str, port: u16, tool: &str, config: &str, database_url: Option<&str>) -> Result<Server> {
        let dir = std::env::temp_dir().join(format!("kefu-{tool}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let config_file = dir.join("kefu.toml");
        std::fs::write(&config_file, config)?;
        let mut command = Command::new(kefu);
        if let Some(url) = database_url {
            command.env("KEFU_DATABASE_URL", url);
        }
        let child = command
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--config"])
            .arg(&config_file)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .env("KEFU_LOG", "warn")
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
