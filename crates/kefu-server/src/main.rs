//! `kefu`: parse the command line, set up logging, run.

use anyhow::Context;
use clap::Parser;
use kefu_server::config::{Cli, Command};
use kefu_server::{Application, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            println!("{}", kefu_server::api::openapi::document());
            Ok(())
        }
        Command::MigrateStore(args) => {
            let copied = kefu_store::copy_sqlite_to_postgres(&args.from, &args.to.0)
                .await
                .with_context(|| format!("migrate-store from {} to {:?} failed", args.from.display(), args.to))?;
            let total: u64 = copied.iter().map(|t| t.rows).sum();
            for t in &copied {
                println!("{:<22} {:>10} rows  checksum {}", t.table, t.rows, t.checksum);
            }
            println!("copied {total} rows in {} tables; counts and checksums verified on PostgreSQL", copied.len());
            Ok(())
        }
        Command::RebuildReports(args) => {
            let store = match &args.database_url {
                Some(url) => kefu_store::Store::connect(&url.0).await.context("failed to connect to PostgreSQL")?,
                None => {
                    let dir = args.data_dir.clone().unwrap_or_else(|| "kefu-data".into());
                    kefu_store::Store::open(&dir.join("kefu.db")).await.with_context(|| format!("failed to open {}", dir.display()))?
                }
            };
            let started = std::time::Instant::now();
            let facts = store.rebuild_report_contacts().await.context("failed to rebuild the conversation report")?;
            let contacts = started.elapsed().as_secs_f64();
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
            store.rebuild_agent_states(now).await.context("failed to rebuild the agent state report")?;
            let states = started.elapsed().as_secs_f64() - contacts;
            println!(
                "rebuilt the conversation and contact reasons reports from {facts} facts in {contacts:.1} s, the agent state report in {states:.1} s"
            );
            Ok(())
        }
        Command::Serve(args) => {
            let filter = EnvFilter::try_from_env("KEFU_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
            if args.log_json {
                tracing_subscriber::fmt().with_env_filter(filter).json().init();
            } else {
                tracing_subscriber::fmt().with_env_filter(filter).init();
            }
            let config = Config::resolve(&args)?;
            let app = Application::build(config).await?;
            println!("Kefu is listening on http://{}  (workspace: /app/, demo page: /demo)", app.addr());
            if let Some(addr) = app.metrics_addr() {
                println!("Metrics: http://{addr}/metrics");
            }
            app.run(shutdown_signal()).await.context("kefu stopped with an error")
        }
    }
}

/// Ctrl-C or SIGTERM (what service managers send) stop the server gracefully.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
