//! Settings: defaults, then a TOML file, then `KEFU_*` environment variables, then flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

use crate::calls::turn::{TurnSecret, MAX_TTL_SECS};

/// `kefu`: video customer service in one binary.
#[derive(Parser, Debug)]
#[command(name = "kefu", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Print the OpenAPI document (the committed copy is docs/openapi.json).
    Openapi,
    /// Copy a SQLite database into an empty PostgreSQL one and verify counts and checksums
    /// (stop the server first; the uploads dir stays where it is).
    MigrateStore(MigrateStoreArgs),
    /// Rebuild the reports' read models (conversations, agent states) from the fact log, for
    /// facts written before a model existed (stop the server first).
    RebuildReports(RebuildReportsArgs),
}

/// Flags of `kefu rebuild-reports`: the database, as `kefu serve` names it.
#[derive(Args, Debug, Clone)]
pub struct RebuildReportsArgs {
    /// Where the SQLite database lives (`<data dir>/kefu.db`) [default: ./kefu-data].
    #[arg(long, env = "KEFU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL instead (`postgres://user:password@host:5432/kefu`).
    #[arg(long, env = "KEFU_DATABASE_URL")]
    pub database_url: Option<DatabaseUrl>,
}

/// Flags of `kefu migrate-store`.
#[derive(Args, Debug, Clone)]
pub struct MigrateStoreArgs {
    /// The SQLite file (`<data dir>/kefu.db`).
    #[arg(long)]
    pub from: PathBuf,
    /// The PostgreSQL database (`postgres://user:password@host:5432/kefu`); it must be empty.
    #[arg(long)]
    pub to: DatabaseUrl,
}

/// Flags of `kefu serve` (each also read from `KEFU_*`).
#[derive(Args, Debug, Default, Clone)]
pub struct ServeArgs {
    /// TOML config file.
    #[arg(long, env = "KEFU_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where the database and uploads live [default: ./kefu-data].
    #[arg(long, env = "KEFU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL to keep the data in (`postgres://user:password@host:5432/kefu`) instead of the
    /// SQLite file `kefu.db` in the data dir.
    #[arg(long, env = "KEFU_DATABASE_URL")]
    pub database_url: Option<DatabaseUrl>,
    /// NATS server (`nats://127.0.0.1:4222`) linking several nodes on one PostgreSQL database:
    /// realtime events, presence and routing go through it. Without it the node runs alone.
    #[arg(long, env = "KEFU_NATS_URL")]
    pub nats_url: Option<String>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "KEFU_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Seed the demo organisation (once).
    #[arg(long, env = "KEFU_DEMO")]
    pub demo: bool,
    /// Log as JSON lines.
    #[arg(long, env = "KEFU_LOG_JSON")]
    pub log_json: bool,
}

const MIB: u64 = 1024 * 1024;

/// A PostgreSQL URL. Its `Debug` hides the password: settings may be logged, secrets never.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl std::str::FromStr for DatabaseUrl {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<DatabaseUrl> {
        if !kefu_store::is_postgres_url(s) && !s.trim().is_empty() {
            anyhow::bail!("database_url must be a postgres:// URL (without it the SQLite file in the data dir is used)");
        }
        Ok(DatabaseUrl(s.to_string()))
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // postgres://user:secret@host/db -> postgres://user:***@host/db
        let shown = match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &self.0[scheme + 3..at];
                match userinfo.find(':') {
                    Some(colon) => format!("{}{}:***{}", &self.0[..scheme + 3], &userinfo[..colon], &self.0[at..]),
                    None => self.0.clone(),
                }
            }
            _ => self.0.clone(),
        };
        write!(f, "{shown:?}")
    }
}

/// Report times and days when `time_zone` is not set: Kefu's first users are in China.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// The TOML file's shape (every key optional).
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub nats_url: Option<String>,
    pub listen: Option<SocketAddr>,
    pub demo: Option<bool>,
    pub service_level_target_secs: Option<u32>,
    pub time_zone: Option<String>,
    pub fcr_window_days: Option<u32>,
    pub short_abandon_secs: Option<u32>,
    pub login_attempts_per_minute: Option<u32>,
    pub visitors_per_minute: Option<u32>,
    pub session_hours: Option<u32>,
    pub agent_disconnect_grace_secs: Option<u32>,
    pub visitor_abandon_grace_secs: Option<u32>,
    pub trusted_proxies: Option<Vec<std::net::IpAddr>>,
    pub outbound_allow: Option<Vec<String>>,
    pub identity_token_max_hours: Option<u32>,
    pub hsts: Option<bool>,
    pub metrics_token: Option<String>,
    pub metrics_listen: Option<SocketAddr>,
    pub ws_connections_per_token: Option<u32>,
    pub session_cache_secs: Option<u32>,
    pub account_login_failures_before_delay: Option<u32>,
    pub account_login_failures_per_hour: Option<u32>,
    pub visitor_messages_per_10s: Option<u32>,
    pub visitor_typing_per_second: Option<u32>,
    pub visitor_uploads_per_minute: Option<u32>,
    pub uploads_per_conversation: Option<u32>,
    pub upload_bytes_per_conversation: Option<u64>,
    pub upload_quota_bytes: Option<u64>,
    pub media_udp: Option<SocketAddr>,
    pub media_host_ips: Option<Vec<std::net::IpAddr>>,
    pub media_public_ip: Option<std::net::IpAddr>,
    pub media_loopback_only: Option<bool>,
    pub media_rtx_cache_ms: Option<u32>,
    pub media_threads: Option<usize>,
    pub media_tcp: Option<bool>,
    pub call_ring_secs: Option<u32>,
    pub call_rejoin_secs: Option<u32>,
    pub turn_urls: Option<Vec<String>>,
    pub turn_secret: Option<String>,
    pub turn_ttl_secs: Option<u32>,
    pub video_1080p: Option<bool>,
    pub recordings_dir: Option<PathBuf>,
    pub client_recording: Option<bool>,
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// PostgreSQL URL; `None`: the SQLite file `kefu.db` in `data_dir` (the embedded default).
    pub database_url: Option<DatabaseUrl>,
    /// NATS of a cluster (several nodes on one PostgreSQL); `None`: this node runs alone.
    pub nats_url: Option<String>,
    pub listen: SocketAddr,
    pub demo: bool,
    /// How costly new password hashes are: always `Standard` from the file and command line;
    /// `for_tests` lowers it (see `PasswordCost`).
    pub password_cost: crate::auth::PasswordCost,
    /// Service level target ("80 % in 20 s" has 20 here).
    pub service_level_target_secs: u32,
    /// The organisation's time zone (IANA name): report days, weeks and months start at its
    /// midnight, and report times are shown in it.
    pub time_zone: kefu_core::ZoneName,
    /// First-contact resolution: a customer who comes back within this many days after a close
    /// was not resolved.
    pub fcr_window_days: u32,
    /// A customer who gives up within this many seconds never really waited: left out of the
    /// service level.
    pub short_abandon_secs: u32,
    /// Failed logins per client IP and minute (successful ones are free: a call center behind
    /// one NAT logs hundreds of agents in at shift start).
    pub login_attempts_per_minute: u32,
    /// Per client IP.
    pub visitors_per_minute: u32,
    /// Staff session lifetime.
    pub session_hours: u32,
    /// A ready agent without a workspace connection this long is set away.
    pub agent_disconnect_grace_secs: u32,
    /// A waiting customer whose page has been closed this long leaves the line (abandoned).
    pub visitor_abandon_grace_secs: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed (per-address rate limits then key on
    /// the client's address, not the proxy's).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Non-public targets webhooks (and every later outbound call) may reach, for on-premises
    /// systems: host names, `*.suffix` names, addresses, CIDR networks. Everything else
    /// non-public is refused.
    pub outbound_allow: Vec<String>,
    /// Longest lifetime of a visitor identity token (`exp - iat` and `exp - now`); longer ones
    /// are refused.
    pub identity_token_max_hours: u32,
    /// Send `Strict-Transport-Security` on every answer: set it when kefu is reached only over
    /// HTTPS through a proxy that does not send `X-Forwarded-Proto`. Without it, HSTS goes only on
    /// answers to requests a trusted proxy marks `X-Forwarded-Proto: https`.
    pub hsts: bool,
    /// Bearer token that `/metrics` requires (`KEFU_METRICS_TOKEN`). Without it and without
    /// `metrics_listen`, the main listener answers `/metrics` with 404.
    pub metrics_token: Option<String>,
    /// A second listener (a private interface, say) that serves only `/metrics`.
    pub metrics_listen: Option<SocketAddr>,
    /// Open WebSockets allowed per token (a workspace needs one per tab); more get 429.
    pub ws_connections_per_token: u32,
    /// How long a node remembers who a token belongs to (0: read it at every request). Every
    /// revocation is forgotten at once on every node; this bounds a lost NATS message.
    pub session_cache_secs: u32,
    /// Failed logins of one account within 15 minutes before each further attempt must wait
    /// (5 s, then doubling up to 15 min), whichever address it comes from.
    pub account_login_failures_before_delay: u32,
    /// Failed logins of one account within an hour; then it waits until the oldest is an hour old.
    pub account_login_failures_per_hour: u32,
    /// Messages a visitor may send in a burst, refilled over 10 seconds.
    pub visitor_messages_per_10s: u32,
    /// Typing events a visitor may send per second (bursts of twice that).
    pub visitor_typing_per_second: u32,
    /// Files a visitor may upload per minute.
    pub visitor_uploads_per_minute: u32,
    /// Files a visitor may upload into one conversation.
    pub uploads_per_conversation: u32,
    /// Bytes a visitor may upload into one conversation.
    pub upload_bytes_per_conversation: u64,
    /// Disk space all uploads may take; past it visitors can no longer upload (staff still can).
    pub upload_quota_bytes: u64,
    /// The one UDP socket of all calls' media (WebRTC). Port 0 picks a free port.
    pub media_udp: SocketAddr,
    /// Addresses browsers are told to send media to (host candidates), with `media_udp`'s port.
    /// Empty: `media_udp`'s own address, which then must not be `0.0.0.0`.
    pub media_host_ips: Vec<std::net::IpAddr>,
    /// The public address of a 1:1 NAT in front of `media_udp` (a cloud VM's elastic IP).
    pub media_public_ip: Option<std::net::IpAddr>,
    /// Drop media datagrams that do not come from a loopback address (browser tests on one
    /// machine: Chromium probes from every interface it has).
    pub media_loopback_only: bool,
    /// How long each forwarded video stream keeps its sent packets for the receiver's
    /// retransmission requests (NACK), in ms. Most of the media memory per stream.
    pub media_rtx_cache_ms: u32,
    /// Media worker threads, each owning whole calls (default 1: with more, about half the
    /// datagrams reach another worker's socket first, costing 15–25 % more CPU per packet and
    /// jitter that a weak link's bandwidth estimate feels, until the kernel steers them).
    pub media_threads: usize,
    /// Also accept ICE over TCP on `media_udp`'s port number (passive TCP candidates), for
    /// networks that block UDP.
    pub media_tcp: bool,
    /// A participant whose media has not connected this long after joining is dropped, which
    /// ends its call `failed` (not a file setting: 30 s; tests shorten it).
    pub media_connect_timeout_secs: u32,
    /// How often each participant's media figures are taken into its call's quality timeline
    /// (not a file setting: 5 s; tests shorten it).
    pub media_stats_interval_ms: u64,
    /// A ringing call not answered this long ends as `missed`.
    pub call_ring_secs: u32,
    /// How long a call waits for a side's media to come back: in a cluster, a call moved to a
    /// survivor after its home node died ends (`home_lost`) unless both sides have joined its
    /// media there within this long; on any node, a side whose connection was lost (a network
    /// switch) ends the call (`failed`) unless it joins again within this long.
    pub call_rejoin_secs: u32,
    /// TURN servers (coturn) handed to browsers for calls, `turn:host:3478?transport=udp` or
    /// `turns:host:5349?transport=tcp`. Empty: no TURN (browsers reach the media socket directly).
    pub turn_urls: Vec<String>,
    /// coturn's `static-auth-secret` (`KEFU_TURN_SECRET`); required with `turn_urls`.
    pub turn_secret: Option<crate::calls::turn::TurnSecret>,
    /// Lifetime of a TURN credential, at most 3600 s.
    pub turn_ttl_secs: u32,
    /// Browsers capture the camera at 1920x1080 instead of 1280x720 (the top simulcast layer;
    /// the others are a half and a quarter of it). Costs the publisher's uplink and CPU.
    pub video_1080p: bool,
    /// An agent's snapshot request is answerable by the visitor's upload this long (not a file
    /// setting: 60 s; tests shorten it).
    pub snapshot_request_secs: u32,
    /// Where call recordings are written (one WebM file per participant, under `call-<id>/`)
    /// [default: `<data_dir>/recordings`].
    pub recordings_dir: PathBuf,
    /// Agents may record a call in their own browser (本地录制, a WebM they download); the
    /// server is told when it starts and stops, audits both and shows the visitor the recording
    /// notice. Off by default: a file on an agent's PC escapes the server's retention and access
    /// rules, so a deployment opts in.
    pub client_recording: bool,
    /// First admin, when the database has no user (`KEFU_ADMIN_EMAIL`, `KEFU_ADMIN_PASSWORD`).
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
}

/// `turn_urls`, each a `turn:` or `turns:` URL (a typo would only show as calls that never connect).
fn turn_urls(urls: Vec<String>) -> anyhow::Result<Vec<String>> {
    for url in &urls {
        if !(url.starts_with("turn:") || url.starts_with("turns:")) {
            anyhow::bail!("turn_urls: {url:?} is not a turn: or turns: URL");
        }
    }
    Ok(urls)
}

/// The TURN secret from `KEFU_TURN_SECRET` or the file; TURN URLs without it are a mistake.
fn turn_secret(file: Option<String>, urls: &[String]) -> anyhow::Result<Option<TurnSecret>> {
    let secret = std::env::var("KEFU_TURN_SECRET").ok().or(file).filter(|s| !s.trim().is_empty());
    if secret.is_none() && !urls.is_empty() {
        anyhow::bail!("turn_urls is set but turn_secret (or KEFU_TURN_SECRET) is not: coturn's static-auth-secret is needed");
    }
    Ok(secret.map(TurnSecret::new))
}

impl Config {
    /// Merge the layers.
    pub fn resolve(args: &ServeArgs) -> anyhow::Result<Config> {
        let file: FileConfig = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("failed to read config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("failed to parse config file {}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let turn_urls = turn_urls(file.turn_urls.unwrap_or_default())?;
        let data_dir = args.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("./kefu-data"));
        Ok(Config {
            database_url: match args.database_url.clone() {
                Some(url) => Some(url),
                None => file.database_url.map(|u| u.parse()).transpose()?,
            }
            .filter(|u: &DatabaseUrl| !u.0.trim().is_empty()),
            password_cost: crate::auth::PasswordCost::Standard,
            nats_url: args.nats_url.clone().or(file.nats_url).filter(|u| !u.trim().is_empty()),
            listen: args.listen.or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".parse().expect("valid literal")),
            demo: args.demo || file.demo.unwrap_or(false),
            service_level_target_secs: file.service_level_target_secs.unwrap_or(20),
            time_zone: kefu_core::ZoneName::new(file.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE))
                .map_err(|e| anyhow::anyhow!("time_zone: {e}"))?,
            fcr_window_days: file.fcr_window_days.unwrap_or(7).clamp(1, 90),
            short_abandon_secs: file.short_abandon_secs.unwrap_or(5).min(120),
            login_attempts_per_minute: file.login_attempts_per_minute.unwrap_or(10),
            visitors_per_minute: file.visitors_per_minute.unwrap_or(30),
            session_hours: file.session_hours.unwrap_or(12),
            agent_disconnect_grace_secs: file.agent_disconnect_grace_secs.unwrap_or(60),
            visitor_abandon_grace_secs: file.visitor_abandon_grace_secs.unwrap_or(60),
            trusted_proxies: file.trusted_proxies.unwrap_or_default(),
            outbound_allow: file.outbound_allow.unwrap_or_default(),
            identity_token_max_hours: file.identity_token_max_hours.unwrap_or(24),
            hsts: file.hsts.unwrap_or(false),
            metrics_token: std::env::var("KEFU_METRICS_TOKEN").ok().or(file.metrics_token).filter(|t| !t.trim().is_empty()),
            metrics_listen: file.metrics_listen,
            ws_connections_per_token: file.ws_connections_per_token.unwrap_or(5).max(1),
            session_cache_secs: match std::env::var("KEFU_SESSION_CACHE_SECS") {
                Ok(v) => v.trim().parse().with_context(|| format!("KEFU_SESSION_CACHE_SECS: not a number of seconds: {v}"))?,
                Err(_) => file.session_cache_secs.unwrap_or(10),
            }
            .min(60),
            account_login_failures_before_delay: file.account_login_failures_before_delay.unwrap_or(10),
            account_login_failures_per_hour: file.account_login_failures_per_hour.unwrap_or(100),
            visitor_messages_per_10s: file.visitor_messages_per_10s.unwrap_or(20),
            visitor_typing_per_second: file.visitor_typing_per_second.unwrap_or(1),
            visitor_uploads_per_minute: file.visitor_uploads_per_minute.unwrap_or(10),
            uploads_per_conversation: file.uploads_per_conversation.unwrap_or(20),
            upload_bytes_per_conversation: file.upload_bytes_per_conversation.unwrap_or(50 * MIB),
            upload_quota_bytes: file.upload_quota_bytes.unwrap_or(10 * 1024 * MIB),
            media_udp: match std::env::var("KEFU_MEDIA_UDP") {
                Ok(v) => v.parse().with_context(|| format!("KEFU_MEDIA_UDP: not an address:port: {v}"))?,
                Err(_) => file.media_udp.unwrap_or_else(|| "127.0.0.1:50000".parse().expect("valid literal")),
            },
            media_host_ips: file.media_host_ips.unwrap_or_default(),
            media_public_ip: file.media_public_ip,
            media_loopback_only: file.media_loopback_only.unwrap_or(false),
            media_rtx_cache_ms: file.media_rtx_cache_ms.unwrap_or(1_000).clamp(100, 10_000),
            media_threads: file.media_threads.unwrap_or(1).clamp(1, 256),
            media_tcp: file.media_tcp.unwrap_or(false),
            media_connect_timeout_secs: 30,
            media_stats_interval_ms: 5_000,
            call_ring_secs: file.call_ring_secs.unwrap_or(45).max(1),
            call_rejoin_secs: file.call_rejoin_secs.unwrap_or(30).max(1),
            turn_secret: turn_secret(file.turn_secret, &turn_urls)?,
            turn_urls,
            turn_ttl_secs: file.turn_ttl_secs.unwrap_or(MAX_TTL_SECS).clamp(60, MAX_TTL_SECS),
            video_1080p: file.video_1080p.unwrap_or(false),
            snapshot_request_secs: 60,
            recordings_dir: file.recordings_dir.unwrap_or_else(|| data_dir.join("recordings")),
            client_recording: file.client_recording.unwrap_or(false),
            data_dir,
            admin_email: std::env::var("KEFU_ADMIN_EMAIL").ok(),
            admin_password: std::env::var("KEFU_ADMIN_PASSWORD").ok(),
        })
    }

    /// Settings for tests: a data dir, port 0, generous limits.
    pub fn for_tests(data_dir: PathBuf) -> Config {
        Config {
            database_url: None,
            nats_url: None,
            listen: "127.0.0.1:0".parse().expect("valid literal"),
            demo: false,
            password_cost: crate::auth::PasswordCost::Testing,
            service_level_target_secs: 20,
            time_zone: kefu_core::ZoneName::new(DEFAULT_TIME_ZONE).expect("a known zone"),
            fcr_window_days: 7,
            short_abandon_secs: 5,
            login_attempts_per_minute: 1000,
            visitors_per_minute: 1000,
            session_hours: 12,
            agent_disconnect_grace_secs: 60,
            visitor_abandon_grace_secs: 60,
            trusted_proxies: vec![],
            outbound_allow: vec![],
            identity_token_max_hours: 24,
            hsts: false,
            metrics_token: None,
            metrics_listen: None,
            ws_connections_per_token: 5,
            session_cache_secs: 10,
            account_login_failures_before_delay: 10,
            account_login_failures_per_hour: 100,
            visitor_messages_per_10s: 1000,
            visitor_typing_per_second: 1000,
            visitor_uploads_per_minute: 1000,
            uploads_per_conversation: 1000,
            upload_bytes_per_conversation: 1024 * MIB,
            upload_quota_bytes: 1024 * 1024 * MIB,
            media_udp: "127.0.0.1:0".parse().expect("valid literal"),
            media_host_ips: vec![],
            media_public_ip: None,
            media_loopback_only: true,
            media_rtx_cache_ms: 1_000,
            media_threads: 2,
            media_tcp: false,
            media_connect_timeout_secs: 30,
            media_stats_interval_ms: 5_000,
            call_ring_secs: 45,
            call_rejoin_secs: 30,
            turn_urls: vec![],
            turn_secret: None,
            turn_ttl_secs: MAX_TTL_SECS,
            video_1080p: false,
            snapshot_request_secs: 60,
            recordings_dir: data_dir.join("recordings"),
            client_recording: false,
            data_dir,
            admin_email: None,
            admin_password: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_toml(toml: &str) -> anyhow::Result<Config> {
        let dir = std::env::temp_dir().join(format!("kefu-config-{}-{}", std::process::id(), rand::random::<u32>()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("kefu.toml");
        std::fs::write(&path, toml)?;
        let config = Config::resolve(&ServeArgs { config: Some(path), ..Default::default() });
        let _ = std::fs::remove_dir_all(&dir);
        config
    }

    #[test]
    fn turn_credentials_live_an_hour_at_most_and_the_secret_stays_out_of_debug_output() {
        let c =
            resolve_toml("turn_urls = [\"turn:127.0.0.1:3478?transport=udp\"]\nturn_secret = \"s3cret-value\"\nturn_ttl_secs = 86400\n")
                .unwrap();
        assert_eq!(c.turn_ttl_secs, 3600);
        assert_eq!(c.turn_urls, ["turn:127.0.0.1:3478?transport=udp"]);
        assert!(!format!("{c:?}").contains("s3cret-value"));
        assert_eq!(resolve_toml("").unwrap().turn_ttl_secs, 3600);
    }

    #[test]
    fn the_database_url_selects_postgres_and_its_password_stays_out_of_debug_output() {
        if std::env::var("KEFU_DATABASE_URL").is_ok() {
            return; // the environment chooses the database
        }
        assert_eq!(resolve_toml("").unwrap().database_url, None);
        let c = resolve_toml("database_url = \"postgres://kefu:pw-s3cret@127.0.0.1:5432/kefu\"\n").unwrap();
        assert_eq!(c.database_url.as_ref().map(|u| u.0.as_str()), Some("postgres://kefu:pw-s3cret@127.0.0.1:5432/kefu"));
        assert!(!format!("{c:?}").contains("pw-s3cret"));
        assert!(format!("{c:?}").contains("postgres://kefu:***@127.0.0.1:5432/kefu"));
        let e = resolve_toml("database_url = \"mysql://x\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("postgres://"), "{e:#}");
    }

    #[test]
    fn nats_url_comes_from_the_file_and_a_blank_one_means_a_lone_node() {
        assert_eq!(resolve_toml("").unwrap().nats_url, None);
        assert_eq!(resolve_toml("nats_url = \"nats://127.0.0.1:4222\"\n").unwrap().nats_url.as_deref(), Some("nats://127.0.0.1:4222"));
        assert_eq!(resolve_toml("nats_url = \" \"\n").unwrap().nats_url, None);
    }

    #[test]
    fn the_retransmission_cache_is_a_second_by_default_and_kept_within_bounds() {
        assert_eq!(resolve_toml("").unwrap().media_rtx_cache_ms, 1_000);
        assert_eq!(resolve_toml("media_rtx_cache_ms = 500\n").unwrap().media_rtx_cache_ms, 500);
        assert_eq!(resolve_toml("media_rtx_cache_ms = 0\n").unwrap().media_rtx_cache_ms, 100);
        assert_eq!(resolve_toml("media_rtx_cache_ms = 3600000\n").unwrap().media_rtx_cache_ms, 10_000);
    }

    #[test]
    fn turn_urls_need_a_secret_and_the_turn_scheme() {
        if std::env::var("KEFU_TURN_SECRET").is_ok() {
            return; // the environment supplies the secret: nothing to refuse
        }
        let e = resolve_toml("turn_urls = [\"turn:127.0.0.1:3478\"]\n").unwrap_err();
        assert!(e.to_string().contains("turn_secret"), "{e}");
        let e = resolve_toml("turn_urls = [\"http://turn.example.com\"]\nturn_secret = \"s\"\n").unwrap_err();
        assert!(e.to_string().contains("not a turn: or turns: URL"), "{e}");
    }
}
