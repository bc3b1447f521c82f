//! WebSocket load tool: starts a `kefu` server on 127.0.0.1 with a fresh data dir, connects N
//! visitors and enough agents, has each visitor send messages that agents answer, and reports
//! delivery latency percentiles (REST send -> the other side's WebSocket).
//!
//! `cargo run --release -p ws-load -- --kefu target/release/kefu --visitors 1000`

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{connect_async, tungstenite::Message};
use ws_load::{call, login, Server};

#[derive(Parser, Debug, Clone)]
struct Args {
    /// The kefu binary to start.
    #[arg(long, default_value = "target/release/kefu")]
    kefu: String,
    /// Visitors, each with one conversation and one WebSocket.
    #[arg(long, default_value_t = 1000)]
    visitors: usize,
    /// Chats per agent (agents = visitors / this, rounded up).
    #[arg(long, default_value_t = 50)]
    chats_per_agent: usize,
    /// Messages each visitor sends (each answered by the agent).
    #[arg(long, default_value_t = 5)]
    messages: usize,
    /// Pause between a visitor's messages.
    #[arg(long, default_value_t = 1000)]
    pause_ms: u64,
    /// Port for the server.
    #[arg(long, default_value_t = 18_777)]
    port: u16,
}

#[derive(Default)]
struct Samples {
    to_agent: Vec<u64>,
    to_visitor: Vec<u64>,
    errors: usize,
}

type Shared = Arc<Mutex<Samples>>;

fn micros(base: Instant) -> u64 {
    base.elapsed().as_micros() as u64
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let server =
        Server::start(&args.kefu, args.port, "load", "visitors_per_minute = 1000000\nlogin_attempts_per_minute = 1000000\n").await?;
    let base_url = server.base.clone();
    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;

    let agents = args.visitors.div_ceil(args.chats_per_agent);
    println!("setting up {agents} agents with {} chats each, {} visitors", args.chats_per_agent, args.visitors);
    let admin = login(&http, &base_url, "admin@demo.kefu", "demo-admin").await?;
    let mut members = vec![];
    for i in 0..agents {
        let (s, v) = call(
            &http,
            &base_url,
            "POST",
            "/api/v1/agents",
            Some(&admin),
            Some(json!({
            "email": format!("load{i}@load.kefu"), "name": format!("load {i}"), "password": "load-agent-pw", "role": "agent",
            "capacity": { "chat": args.chats_per_agent, "call": 1 } })),
        )
        .await?;
        if s != 201 {
            bail!("creating an agent: {v}");
        }
        members.push(json!({ "agent_id": v["id"], "skill_level": 3 }));
    }
    call(&http, &base_url, "PUT", "/api/v1/groups/1/members", Some(&admin), Some(Value::Array(members))).await?;

    let t0 = Instant::now();
    let samples: Shared = Arc::default();
    let mut tasks = vec![];
    for i in 0..agents {
        let token = login(&http, &base_url, &format!("load{i}@load.kefu"), "load-agent-pw").await?;
        call(&http, &base_url, "PUT", "/api/v1/agents/me/status", Some(&token), Some(json!({ "status": "ready" }))).await?;
        tasks.push(tokio::spawn(agent(http.clone(), base_url.clone(), token, t0, samples.clone())));
    }
    let setup = Instant::now();
    let visitors: Vec<_> =
        (0..args.visitors).map(|i| tokio::spawn(visitor(http.clone(), base_url.clone(), i, args.clone(), t0, samples.clone()))).collect();
    for v in visitors {
        if let Ok(Err(e)) = v.await {
            eprintln!("visitor failed: {e:#}");
            samples.lock().unwrap().errors += 1;
        }
    }
    let elapsed = setup.elapsed();
    let s = samples.lock().unwrap();
    println!("connections: {} visitors + {agents} agents; run {:.1} s; errors {}", args.visitors, elapsed.as_secs_f64(), s.errors);
    report("visitor -> agent", &s.to_agent);
    report("agent -> visitor", &s.to_visitor);
    for t in tasks {
        t.abort();
    }
    Ok(())
}

fn report(label: &str, samples: &[u64]) {
    if samples.is_empty() {
        println!("{label}: no samples");
        return;
    }
    let mut v = samples.to_vec();
    v.sort_unstable();
    let p = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize] as f64 / 1000.0;
    println!("{label}: n={} p50={:.1} ms p90={:.1} ms p99={:.1} ms max={:.1} ms", v.len(), p(0.5), p(0.9), p(0.99), p(1.0));
}

fn stamp(body: &str) -> Option<u64> {
    body.strip_prefix("load:")?.parse().ok()
}

/// Accept every offer; answer every visitor message at once.
async fn agent(http: reqwest::Client, base: String, token: String, t0: Instant, samples: Shared) -> Result<()> {
    let (ws, _) = connect_async(format!("{}/api/v1/ws?token={token}", base.replace("http://", "ws://"))).await?;
    let (_, mut rx) = ws.split();
    while let Some(Ok(Message::Text(text))) = rx.next().await {
        let e: Value = serde_json::from_str(&text)?;
        let Some(conv) = e["conversation_id"].as_i64() else { continue };
        match e["type"].as_str() {
            Some("offer.created") => {
                let (http, base, token) = (http.clone(), base.clone(), token.clone());
                tokio::spawn(async move {
                    call(&http, &base, "POST", &format!("/api/v1/conversations/{conv}/accept"), Some(&token), None).await
                });
            }
            Some("message.created") if e["data"]["sender"] == "visitor" => {
                if let Some(sent) = e["data"]["body"].as_str().and_then(stamp) {
                    samples.lock().unwrap().to_agent.push(micros(t0).saturating_sub(sent));
                    let (http, base, token) = (http.clone(), base.clone(), token.clone());
                    tokio::spawn(async move {
                        let body = json!({ "body": format!("load:{}", micros(t0)) });
                        call(&http, &base, "POST", &format!("/api/v1/conversations/{conv}/messages"), Some(&token), Some(body)).await
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Start a conversation, wait for an agent, then send messages and wait for each answer.
async fn visitor(http: reqwest::Client, base: String, i: usize, args: Args, t0: Instant, samples: Shared) -> Result<()> {
    let (_, v) = call(&http, &base, "POST", "/api/v1/visitors", None, Some(json!({ "name": format!("v{i}") }))).await?;
    let token = v["token"].as_str().context("no visitor token")?.to_string();
    let (ws, _) = connect_async(format!("{}/api/v1/ws?token={token}", base.replace("http://", "ws://"))).await?;
    let (mut tx, mut rx) = ws.split();
    let (s, c) = call(&http, &base, "POST", "/api/v1/conversations", Some(&token), Some(json!({ "business_type_id": 1 }))).await?;
    if s != 201 {
        bail!("starting a conversation: {c}");
    }
    let id = c["id"].as_i64().context("no conversation id")?;
    tx.send(Message::Text(json!({ "type": "resume", "cursors": { id.to_string(): 0 } }).to_string().into())).await?;
    let deadline = Duration::from_secs(120);
    // Wait until assigned.
    tokio::time::timeout(deadline, async {
        while let Some(Ok(Message::Text(text))) = rx.next().await {
            let e: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if e["type"] == "conversation.updated" && e["data"]["status"] == "assigned" {
                return;
            }
        }
    })
    .await
    .context("not assigned within 120 s")?;
    for _ in 0..args.messages {
        let body = json!({ "body": format!("load:{}", micros(t0)) });
        call(&http, &base, "POST", &format!("/api/v1/conversations/{id}/messages"), Some(&token), Some(body)).await?;
        tokio::time::timeout(deadline, async {
            while let Some(Ok(Message::Text(text))) = rx.next().await {
                let e: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if e["type"] == "message.created" && e["data"]["sender"] == "agent" {
                    if let Some(sent) = e["data"]["body"].as_str().and_then(stamp) {
                        samples.lock().unwrap().to_visitor.push(micros(t0).saturating_sub(sent));
                        return;
                    }
                }
            }
        })
        .await
        .context("no answer within 120 s")?;
        tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
    }
    Ok(())
}
