//! WebSocket load tool: starts a `kefu` server on 127.0.0.1 with a fresh data dir, connects N
//! visitors and enough agents, has each visitor send messages that agents answer, and reports
//! delivery latency percentiles (REST send -> the other side's WebSocket).
//!
//! `cargo run --release -p ws-load -- --kefu target/release/kefu --visitors 1000`
//!
//! Also reported: conversations created per second over REST (every visitor starts one at once),
//! messages per second during the chat phase (each visitor sends one per `--pause-ms` and gets an
//! answer: 5,000 visitors at the default pause are ~10,000 messages/s in all; each visitor's first
//! message is staggered over the pause, as customers do not type in step), the latency of the
//! steady chat (sent while every visitor chats: compare runs by it, at its rate), and with
//! `--line-first` offers per second when the agents go ready in front of the whole line: offers
//! made (each on its agent's socket) and offers accepted (each agent accepts every offer at
//! once; counted when the visitor hears it is assigned).
//! `--database-url postgres://…` runs the server on PostgreSQL (under `scripts/with-postgres.sh`:
//! `--database-url "$KEFU_TEST_POSTGRES_URL"`). `--nodes 3` (PostgreSQL only) starts three nodes
//! of one cluster on that database and a `nats-server` (or uses `--nats-url`), and spreads the
//! visitors and agents over the nodes round robin, so most deliveries cross nodes.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{connect_async, tungstenite::Message};
use ws_load::{call, login, Backend, Nats, Server};

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
    #[arg(long, default_value_t = 10)]
    messages: usize,
    /// Pause between a visitor's messages.
    #[arg(long, default_value_t = 1000)]
    pause_ms: u64,
    /// Port for the server.
    #[arg(long, default_value_t = 18_777)]
    port: u16,
    /// Run the server on this PostgreSQL database (default: its SQLite file).
    #[arg(long)]
    database_url: Option<String>,
    /// Nodes of one cluster (PostgreSQL and NATS), on consecutive ports from `--port`.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// The NATS server the nodes share (default with `--nodes` > 1: a `nats-server` started on
    /// the port after the nodes').
    #[arg(long)]
    nats_url: Option<String>,
    /// Every visitor queues first; then all agents go ready at once (measures offers per second).
    #[arg(long)]
    line_first: bool,
}

#[derive(Default)]
struct Samples {
    /// Each delivery: when it was sent and how long it took (µs).
    to_agent: Vec<(u64, u64)>,
    to_visitor: Vec<(u64, u64)>,
    errors: usize,
    /// When each conversation was created and assigned (µs since t0).
    created: Vec<u64>,
    assigned: Vec<u64>,
    /// When each offer reached its agent's socket (µs since t0).
    offered: Vec<u64>,
    /// When each visitor was done: its last answer and a pause after it (µs since t0).
    finished: Vec<u64>,
    /// When the first and the last message arrived (µs since t0).
    first_message: Option<u64>,
    last_message: u64,
}

impl Samples {
    fn arrived(&mut self, now: u64) {
        self.first_message.get_or_insert(now);
        self.last_message = now;
    }
}

type Shared = Arc<Mutex<Samples>>;

fn micros(base: Instant) -> u64 {
    base.elapsed().as_micros() as u64
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let config = "visitors_per_minute = 1000000\nlogin_attempts_per_minute = 1000000\nvisitor_messages_per_10s = 1000000\n";
    let nodes = args.nodes.max(1);
    if nodes > 1 && args.database_url.is_none() {
        bail!("several nodes share one PostgreSQL database: pass --database-url postgres://…");
    }
    let own_nats = match (&args.nats_url, nodes) {
        (None, 2..) => Some(Nats::start(args.port + nodes as u16).await?),
        _ => None,
    };
    let nats_url = args.nats_url.clone().or(own_nats.as_ref().map(|n| n.url.clone()));
    let backend = Backend { database_url: args.database_url.as_deref(), nats_url: nats_url.as_deref() };
    // The first node migrates and seeds the database before the others start.
    let mut servers = vec![];
    for n in 0..nodes {
        servers.push(Server::start_on(&args.kefu, args.port + n as u16, "load", config, backend).await?);
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let node = |i: usize| bases[i % bases.len()].clone();
    println!(
        "database: {}; nodes: {nodes}{}",
        if args.database_url.is_some() { "PostgreSQL" } else { "SQLite" },
        nats_url.as_deref().map(|u| format!(" on NATS {u}")).unwrap_or_default()
    );
    let base_url = bases[0].clone();
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
    let mut tokens = vec![];
    for i in 0..agents {
        let token = login(&http, &node(i), &format!("load{i}@load.kefu"), "load-agent-pw").await?;
        tasks.push(tokio::spawn(agent(http.clone(), node(i), token.clone(), t0, samples.clone())));
        tokens.push((node(i), token));
    }
    let go_ready = |tokens: Vec<(String, String)>| {
        let http = http.clone();
        async move {
            let ready = tokens
                .iter()
                .map(|(base, t)| call(&http, base, "PUT", "/api/v1/agents/me/status", Some(t), Some(json!({ "status": "ready" }))));
            futures::future::join_all(ready).await
        }
    };
    if !args.line_first {
        go_ready(tokens.clone()).await;
    }
    let setup = Instant::now();
    // The server's CPU time (all nodes together).
    let cpu = || servers.iter().map(|s| ws_load::cpu_ms(s.pid())).sum::<Option<f64>>();
    let cpu_at_start = cpu();
    let visitors: Vec<_> =
        (0..args.visitors).map(|i| tokio::spawn(visitor(http.clone(), node(i), i, args.clone(), t0, samples.clone()))).collect();
    let mut ready_at = None;
    let mut cpu_at_ready = None;
    if args.line_first {
        // The whole line waits (a visitor that failed to start is reported at the end).
        let deadline = Instant::now() + Duration::from_secs(120);
        while samples.lock().unwrap().created.len() < args.visitors && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        ready_at = Some(micros(t0));
        cpu_at_ready = cpu();
        go_ready(tokens.clone()).await;
    }
    for v in visitors {
        if let Ok(Err(e)) = v.await {
            eprintln!("visitor failed: {e:#}");
            samples.lock().unwrap().errors += 1;
        }
    }
    let elapsed = setup.elapsed();
    let cpu_at_end = cpu();
    let s = samples.lock().unwrap();
    println!("connections: {} visitors + {agents} agents; run {:.1} s; errors {}", args.visitors, elapsed.as_secs_f64(), s.errors);
    let all = |v: &[(u64, u64)]| v.iter().map(|d| d.1).collect::<Vec<_>>();
    report("visitor -> agent", &all(&s.to_agent));
    report("agent -> visitor", &all(&s.to_visitor));
    // Visitors chat as soon as they are served, so early messages share the server with the
    // starts and the routing of the rest, and late ones with fewer visitors still chatting: the
    // steady chat is what was sent once every visitor chats (a pause after the last assignment)
    // until the first visitor is done. Its rate, not the whole run's, is the offered load.
    let steady_from = s.assigned.iter().max().copied().unwrap_or(0) + args.pause_ms * 1000;
    let steady_to = s.finished.iter().min().copied().unwrap_or(0).saturating_sub(args.pause_ms * 1000);
    let steady: Vec<u64> = s.to_agent.iter().chain(&s.to_visitor).filter(|d| d.0 > steady_from && d.0 < steady_to).map(|d| d.1).collect();
    if steady_to > steady_from {
        let secs = (steady_to - steady_from) as f64 / 1e6;
        report(&format!("steady chat ({:.0} messages/s for {secs:.1} s), both ways", steady.len() as f64 / secs), &steady);
    } else {
        println!("steady chat: none (raise --messages: visitors finished before the last was served)");
    }
    let span = |v: &[u64], from: Option<u64>| {
        let (lo, hi) = (from.or(v.iter().min().copied()).unwrap_or(0), v.iter().max().copied().unwrap_or(0));
        (v.len(), hi.saturating_sub(lo) as f64 / 1e6)
    };
    let (n, secs) = span(&s.created, None);
    println!("conversations created: {n} in {secs:.2} s = {:.0}/s (REST, all visitors at once)", n as f64 / secs.max(1e-6));
    if let Some(ready_at) = ready_at {
        let (n, secs) = span(&s.offered, Some(ready_at));
        println!(
            "offers made after {agents} agents went ready: {n} in {secs:.2} s = {:.0}/s (stored, then on the agents' sockets)",
            n as f64 / secs.max(1e-6)
        );
        let (n, secs) = span(&s.assigned, Some(ready_at));
        println!("offers accepted after {agents} agents went ready: {n} in {secs:.2} s = {:.0}/s", n as f64 / secs.max(1e-6));
    }
    // Server CPU per operation: steady on a busy machine, where the rates above are not.
    let per = |from: Option<f64>, to: Option<f64>| Some((to? - from?) / args.visitors as f64);
    match (ready_at, per(cpu_at_start, cpu_at_ready), per(cpu_at_ready, cpu_at_end)) {
        (Some(_), Some(start), Some(rest)) => println!(
            "server CPU per conversation: {start:.2} ms to start it (visitor, socket, REST start, queued); {rest:.2} ms from agents ready to the end (offer, accept{})",
            if args.messages > 0 { ", the chat" } else { "" }
        ),
        _ => {
            if let Some(all) = per(cpu_at_start, cpu_at_end) {
                println!("server CPU per conversation: {all:.2} ms (start, offer, accept, the chat)");
            }
        }
    }
    let messages = s.to_agent.len() + s.to_visitor.len();
    let secs = s.last_message.saturating_sub(s.first_message.unwrap_or(0)) as f64 / 1e6;
    println!("messages delivered: {messages} in {secs:.1} s = {:.0}/s", messages as f64 / secs.max(1e-6));
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
                samples.lock().unwrap().offered.push(micros(t0));
                let (http, base, token) = (http.clone(), base.clone(), token.clone());
                tokio::spawn(async move {
                    call(&http, &base, "POST", &format!("/api/v1/conversations/{conv}/accept"), Some(&token), None).await
                });
            }
            Some("message.created") if e["data"]["sender"] == "visitor" => {
                if let Some(sent) = e["data"]["body"].as_str().and_then(stamp) {
                    let now = micros(t0);
                    let mut s = samples.lock().unwrap();
                    s.to_agent.push((sent, now.saturating_sub(sent)));
                    s.arrived(now);
                    drop(s);
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
    samples.lock().unwrap().created.push(micros(t0));
    tx.send(Message::Text(json!({ "type": "resume", "cursors": { id.to_string(): 0 } }).to_string().into())).await?;
    let deadline = Duration::from_secs(120);
    // Wait until assigned.
    tokio::time::timeout(deadline, async {
        while let Some(Ok(Message::Text(text))) = rx.next().await {
            let e: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if e["type"] == "conversation.updated" && e["data"]["status"] == "assigned" {
                samples.lock().unwrap().assigned.push(micros(t0));
                return;
            }
        }
    })
    .await
    .context("not assigned within 120 s")?;
    // Real customers do not type in step: each visitor starts at its own point of the pause, so
    // the chat is a steady stream (visitors / pause per second) and not a burst of every visitor
    // at once each pause. (When every conversation is served within a moment, a burst is what a
    // common start would give, and its latency is the queue behind the burst.)
    let offset = (i as u64).wrapping_mul(7919) % args.pause_ms.max(1);
    tokio::time::sleep(Duration::from_millis(offset)).await;
    for _ in 0..args.messages {
        let body = json!({ "body": format!("load:{}", micros(t0)) });
        call(&http, &base, "POST", &format!("/api/v1/conversations/{id}/messages"), Some(&token), Some(body)).await?;
        tokio::time::timeout(deadline, async {
            while let Some(Ok(Message::Text(text))) = rx.next().await {
                let e: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if e["type"] == "message.created" && e["data"]["sender"] == "agent" {
                    if let Some(sent) = e["data"]["body"].as_str().and_then(stamp) {
                        let now = micros(t0);
                        let mut s = samples.lock().unwrap();
                        s.to_visitor.push((sent, now.saturating_sub(sent)));
                        s.arrived(now);
                        return;
                    }
                }
            }
        })
        .await
        .context("no answer within 120 s")?;
        tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
    }
    samples.lock().unwrap().finished.push(micros(t0));
    Ok(())
}
