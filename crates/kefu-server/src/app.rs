//! Start-up: open the database, seed, rebuild the router, bind, serve until shutdown.

use kefu_core::AgentStatusKind;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::auth::hash_password;
use crate::clock::now_ms;
use crate::config::Config;
use crate::conversations::links::AttachmentLinks;
use crate::integrations::outbound::Outbound;
use crate::limits::Limits;
use crate::metrics::MetricsInner;
use crate::realtime::Hub;
use crate::serve::serve;
use crate::state::AppState;
use kefu_store::{NewUser, Store};

/// A built, bound application.
pub struct Application {
    listener: TcpListener,
    /// The SFU's thread and UDP socket; stopped when the application stops.
    media: kefu_media::MediaServer,
    /// `metrics_listen`: serves only `/metrics`.
    metrics_listener: Option<TcpListener>,
    state: AppState,
}

impl Application {
    /// Open everything and bind the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        // A malformed allowance stops the start before anything is opened.
        let outbound = Outbound::new(&config.outbound_allow)?;
        std::fs::create_dir_all(&config.data_dir).with_context(|| format!("failed to create data dir {}", config.data_dir.display()))?;
        let store = match &config.database_url {
            Some(url) => Store::connect(&url.0).await.context("failed to connect to PostgreSQL (database_url)")?,
            None => Store::open(&config.data_dir.join("kefu.db")).await.context("failed to open the database")?,
        };
        first_admin(&store, &config).await?;
        // Messages written before search existed (migration 0016) get their terms now, before the
        // first search can miss them; resumable, and a no-op once done.
        let indexed = store.backfill_search().await.context("failed to index older messages for search")?;
        if indexed > 0 {
            tracing::info!(messages = indexed, "older messages indexed for search");
        }
        // Facts written before the agent state report's read model existed (migration 0031) are
        // folded into it once, before the first report reads it.
        if store.build_agent_states(crate::clock::now_ms()).await.context("failed to build the agent state report from the fact log")? {
            tracing::info!("agent state report built from the fact log");
        }
        // Likewise the conversation report's model, once, since it keeps wrap-ups apart (migration 0037).
        if store.build_report_contacts(crate::clock::now_ms()).await.context("failed to build the conversation report from the fact log")? {
            tracing::info!("conversation report built from the fact log");
        }
        // And the contact reasons model (migration 0039), once, from the tags already there.
        if store.build_report_reasons(crate::clock::now_ms()).await.context("failed to build the contact reasons report")? {
            tracing::info!("contact reasons report built from the tags on conversations");
        }
        tokio::task::spawn_blocking(kefu_store::search::terms::warm);
        tokio::task::spawn_blocking(crate::sentiment::warm);
        if config.demo {
            crate::demo::seed(&store, config.password_cost).await.context("failed to seed the demo organisation")?;
        }
        let widget_secret = secret_setting(&store, "widget_secret").await?;
        let org = crate::org::Org::load(&store, config.time_zone.clone()).await.context("failed to read the organisation's settings")?;
        let links = AttachmentLinks::new(&secret_setting(&store, "attachment_link_secret").await?);
        let hub = match (&config.nats_url, &config.database_url) {
            (Some(url), Some(db)) => {
                Hub::clustered(crate::realtime::Bus::connect(url, &db.0).await?).await.context("failed to listen on NATS")?
            }
            (Some(_), None) => anyhow::bail!("nats_url needs database_url: the nodes of a cluster share one PostgreSQL database"),
            (None, _) => Hub::default(),
        };
        hub.session_cache_all().set_time_limit(i64::from(config.session_cache_secs) * 1000);
        let metrics = Arc::new(MetricsInner::default());
        // A room lives on one node; in a cluster the others' calls are live, so only a lone node
        // may end every call it finds open (a dead node's calls are ended by a survivor that
        // finds its liveness lock free: `calls::cluster`).
        let ended = if config.nats_url.is_none() {
            crate::calls::end_interrupted(&store).await.context("failed to end the calls of the last run")?
        } else {
            0
        };
        // Likewise the recording files: in a cluster, other nodes are writing theirs now (a dead
        // node's are finished by the survivor that ends its calls).
        let cut = if config.nats_url.is_none() {
            crate::calls::recording::finish_interrupted(&store, &config.recordings_dir)
                .await
                .context("failed to finish the recordings of the last run")?
        } else {
            0
        };
        if cut > 0 {
            tracing::warn!(files = cut, "recordings being written when the server stopped were kept as interrupted");
        }
        // Compositions a dead process was making are made again: by a lone server at once, and
        // in a cluster by whichever node finds the dead holder's lease ended first.
        crate::calls::composition::spawn_recovery(store.clone(), config.recordings_dir.clone(), config.nats_url.is_none());
        if ended > 0 {
            tracing::warn!(calls = ended, "calls running when the server stopped were ended (server_restart)");
        }
        let (media, media_events) = kefu_media::MediaServer::start(media_config(&config))
            .with_context(|| format!("failed to start the media server on UDP {} (media_udp)", config.media_udp))?;
        let mut calls = crate::calls::CallMedia::new(media.handle());
        let call_cluster = match (hub.bus(), &config.database_url) {
            (Some(bus), Some(url)) => {
                let addr = media.local_addr();
                let addr = config.media_public_ip.map_or(addr, |ip| std::net::SocketAddr::new(ip, addr.port()));
                let cluster = crate::calls::cluster::CallCluster::start(bus.node(), &url.0, bus.client().clone(), addr.to_string())
                    .await
                    .context("failed to join the cluster's call plane")?;
                calls = calls.clustered(cluster.clone());
                Some((cluster, url.0.clone()))
            }
            _ => None,
        };
        let floor = crate::floor::Floor::default();
        let parts = crate::routing::EngineParts {
            store: store.clone(),
            hub: hub.clone(),
            links: links.clone(),
            metrics: metrics.clone(),
            calls: calls.clone(),
            floor: floor.clone(),
            seed: rand::random(),
        };
        let routing = match (hub.bus(), &config.database_url) {
            (Some(bus), Some(url)) => crate::routing::start_clustered(url.0.clone(), bus.client().clone(), parts),
            _ => {
                metrics.routing_owner.set(1);
                crate::routing::start(parts).await.context("failed to rebuild the router")?
            }
        };
        let quality = crate::calls::quality::Quality::new(store.clone(), metrics.clone());
        let finisher = crate::calls::recording::Finisher {
            store: store.clone(),
            hub: hub.clone(),
            links: links.clone(),
            dir: config.recordings_dir.clone(),
        };
        let rejoin_grace = std::time::Duration::from_secs(u64::from(config.call_rejoin_secs));
        tokio::spawn(crate::calls::signal::run_events(
            media_events,
            calls.clone(),
            hub.clone(),
            routing.clone(),
            quality,
            finisher,
            rejoin_grace,
        ));
        crate::calls::refresh_metric(&store, &metrics).await;
        tokio::spawn(crate::integrations::webhooks::run(store.clone(), outbound.clone(), metrics.clone()));
        let listener = TcpListener::bind(config.listen).await.with_context(|| format!("failed to listen on {}", config.listen))?;
        let metrics_listener = match config.metrics_listen {
            Some(addr) => Some(TcpListener::bind(addr).await.with_context(|| format!("failed to listen on {addr} (metrics_listen)"))?),
            None => None,
        };
        // A cluster shares its counters (else N nodes would allow N times each limit).
        let limits = Arc::new(match &config.nats_url {
            Some(_) => Limits::shared(&config, store.clone()),
            None => Limits::new(&config),
        });
        tokio::spawn(crate::limits::prune_every_minute(limits.clone()));
        // Closed conversations whose automatic QA score was lost (a crash after the close) get it.
        tokio::spawn(crate::qa::sweep_every(store.clone(), std::time::Duration::from_secs(600)));
        // The stand-in hash for unknown emails is made now, not by the first login that needs it.
        crate::auth::dummy_hash(config.password_cost);
        let messages = crate::conversations::batch::MessageWriter::start(crate::conversations::batch::Writer {
            store: store.clone(),
            limits: limits.clone(),
            metrics: metrics.clone(),
        });
        let starts = crate::conversations::starts::StartWriter::spawn(crate::conversations::starts::Starter {
            store: store.clone(),
            routing: routing.clone(),
            hub: hub.clone(),
            links: links.clone(),
            metrics: metrics.clone(),
        });
        let state = AppState {
            store,
            config: Arc::new(config),
            routing,
            hub,
            metrics,
            limits,
            outbound,
            widget_secret: Arc::new(std::sync::RwLock::new(widget_secret)),
            links,
            calls,
            floor,
            moods: Default::default(),
            org,
            messages,
            starts,
        };
        if let Some((cluster, url)) = call_cluster {
            crate::calls::cluster::run(state.clone(), cluster, url).await.context("failed to listen for calls on NATS")?;
        }
        tokio::spawn(away_if_not_back(state.clone()));
        tokio::spawn(crate::qa::sampling::run(state.store.clone(), state.config.time_zone.clone()));
        tokio::spawn(crate::floor::run(state.clone()));
        tokio::spawn(crate::sentiment::run(state.clone()));
        Ok(Application { listener, media, metrics_listener, state })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The bound `metrics_listen` address, if any.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().map(|l| l.local_addr().expect("a bound listener has an address"))
    }

    /// The UDP address calls' media goes to.
    pub fn media_addr(&self) -> SocketAddr {
        self.media.local_addr()
    }

    /// The state (tests read the widget secret from it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        // One shutdown signal for both listeners.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let metrics = self.metrics_listener.map(|l| serve(l, crate::api::metrics_app(self.state.clone()), stopped(stop_rx.clone())));
        let main = serve(self.listener, crate::api::app(self.state), stopped(stop_rx));
        match metrics {
            Some(metrics) => tokio::join!(main, metrics).0,
            None => main.await,
        };
        // Joins the media thread: blocking, so off the async workers.
        let media = self.media;
        let _ = tokio::task::spawn_blocking(move || media.shutdown()).await;
        Ok(())
    }
}

/// The media server's settings from ours.
fn media_config(config: &Config) -> kefu_media::MediaConfig {
    let mut media = kefu_media::MediaConfig::new(config.media_udp);
    media.host_ips = config.media_host_ips.clone();
    media.public_ip = config.media_public_ip;
    media.loopback_only = config.media_loopback_only;
    media.rtx_cache = std::time::Duration::from_millis(config.media_rtx_cache_ms.into());
    media.threads = config.media_threads;
    media.tcp = config.media_tcp;
    media.connect_timeout = std::time::Duration::from_secs(config.media_connect_timeout_secs.into());
    media.stats_interval = Some(std::time::Duration::from_millis(config.media_stats_interval_ms.max(100)));
    media
}

/// A random secret kept in the settings table, made on first start.
async fn secret_setting(store: &Store, key: &str) -> anyhow::Result<String> {
    if let Some(s) = store.setting(key).await? {
        return Ok(s);
    }
    let s = crate::auth::new_token("");
    store.set_setting(key, &s).await?;
    Ok(s)
}

/// Without users, create the admin from `KEFU_ADMIN_EMAIL`/`KEFU_ADMIN_PASSWORD`, or print a
/// generated one-time password.
async fn first_admin(store: &Store, config: &Config) -> anyhow::Result<()> {
    if store.user_count().await? > 0 || config.demo {
        return Ok(());
    }
    let email = config.admin_email.clone().unwrap_or_else(|| "admin@kefu.local".into());
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.clone(), false),
        None => (crate::auth::new_token("")[..16].to_string(), true),
    };
    let hash = hash_password(&password, config.password_cost)?;
    let id = store
        .create_user(
            NewUser {
                email: &email,
                name: "Admin",
                role: kefu_core::Role::Admin,
                password_hash: &hash,
                capacity_chat: 5,
                capacity_call: 1,
            },
            now_ms(),
        )
        .await?;
    // A printed password is one-time: the admin sets their own at first login.
    store.set_password(id, &hash, generated).await?;
    if generated {
        // Printed once to the terminal, never logged; it must be changed at the first login.
        println!("Created the first admin: {email} / one-time password: {password}");
    } else {
        tracing::info!(%email, "created the first admin");
    }
    Ok(())
}

/// After a restart, agents stored as ready have no workspace connection yet. Those who do not
/// reconnect within the grace period are set away, as they would be after a disconnect.
async fn away_if_not_back(state: AppState) {
    // Like a socket closed now: a status set after the start (over REST) stands.
    let started = crate::clock::now_ms();
    tokio::time::sleep(std::time::Duration::from_secs(state.config.agent_disconnect_grace_secs.into())).await;
    let Ok(users) = state.store.users().await else { return };
    for u in users.iter().filter(|u| matches!(u.status, AgentStatusKind::Ready | AgentStatusKind::WrapUp)) {
        if !state.hub.user_present(u.id).await {
            if let Err(e) = state.routing.run(crate::routing::Op::AgentDisconnected { agent: u.id, closed_at: started }).await {
                tracing::warn!(agent = u.id, error = ?e, "could not mark an absent agent away");
            }
        }
    }
}
