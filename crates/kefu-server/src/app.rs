//! Start-up: open the database, seed, rebuild the router, bind, serve until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::auth::hash_password;
use crate::clock::now_ms;
use crate::config::Config;
use crate::limits::Limits;
use crate::metrics::MetricsInner;
use crate::realtime::Hub;
use crate::state::AppState;
use kefu_store::{NewUser, Store};

/// A built, bound application.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Open everything and bind the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| format!("failed to create data dir {}", config.data_dir.display()))?;
        let store = Store::open(&config.data_dir.join("kefu.db")).await.context("failed to open the database")?;
        first_admin(&store, &config).await?;
        if config.demo {
            crate::demo::seed(&store).await.context("failed to seed the demo organisation")?;
        }
        let widget_secret = match store.setting("widget_secret").await? {
            Some(s) => s,
            None => {
                let s = crate::auth::new_token("");
                store.set_setting("widget_secret", &s).await?;
                s
            }
        };
        let hub = Hub::default();
        let metrics = Arc::new(MetricsInner::default());
        let routing = crate::routing::start(store.clone(), hub.clone(), metrics.clone(), rand::random())
            .await
            .context("failed to rebuild the router")?;
        tokio::spawn(crate::integrations::webhooks::run(store.clone(), metrics.clone()));
        let listener = TcpListener::bind(config.listen).await.with_context(|| format!("failed to listen on {}", config.listen))?;
        let limits = Arc::new(Limits::new(&config));
        tokio::spawn(crate::limits::prune_every_minute(limits.clone()));
        // The stand-in hash for unknown emails is made now, not by the first login that needs it.
        crate::auth::dummy_hash();
        let state = AppState {
            store,
            config: Arc::new(config),
            routing,
            hub,
            metrics,
            limits,
            widget_secret: Arc::new(std::sync::RwLock::new(widget_secret)),
        };
        tokio::spawn(away_if_not_back(state.clone()));
        Ok(Application { listener, state })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The state (tests read the widget secret from it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let app = crate::api::app(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await.context("server failed")
    }
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
    let hash = hash_password(&password)?;
    let id = store
        .create_user(
            NewUser { email: &email, name: "Admin", role: "admin", password_hash: &hash, capacity_chat: 5, capacity_call: 1 },
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
    tokio::time::sleep(std::time::Duration::from_secs(state.config.agent_disconnect_grace_secs.into())).await;
    let Ok(users) = state.store.users().await else { return };
    for u in users.iter().filter(|u| matches!(u.status.as_str(), "ready" | "wrap_up")) {
        if !state.hub.user_online(u.id) {
            if let Err(e) = state.routing.run(crate::routing::Op::AgentDisconnected { agent: u.id }).await {
                tracing::warn!(agent = u.id, error = ?e, "could not mark an absent agent away");
            }
        }
    }
}
