//! Three real `kefu` binaries on one PostgreSQL and one `nats-server`, all on loopback: visitors
//! and agents spread over the nodes chat and are routed; then the routing owner is SIGKILLed
//! while conversations wait, and another node routes them in the same order with their waiting
//! time, and a client resumes on a surviving node with exactly what it missed. Rate limits hold
//! for the cluster as a whole (new visitors from one address, a visitor's messages). A call across two nodes carries
//! media, survives the owner's death, and is taken over by a survivor when its home dies, which
//! ends it when nobody rejoins (`cluster_calls`; rejoining: `cluster_call_failover`). An owner whose lease epoch is stale writes nothing (`cluster_fencing`).
//! Sockets resync after NATS was down (`cluster_resync`). A logout or password change on one
//! node is refused on the others from the next request, and a stalled node delays a logout by
//! the bounded wait only (`cluster_sessions`).
//! Skipped without `KEFU_TEST_POSTGRES_URL` (`scripts/with-postgres.sh`) or `nats-server`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{tempdir, Socket, TestApp};
use crate::restart::{app_at, free_port};

const METRICS_TOKEN: &str = "cluster-test-metrics";
/// New visitors per address per minute, for the whole cluster.
const VISITORS_PER_MINUTE: usize = 30;
/// Messages per visitor per 10 s, for the whole cluster (the default).
const VISITOR_MESSAGES_PER_10S: usize = 20;
/// The demo's agent1 and agent2 (both in card services).
const AGENT1: i64 = 3;
const AGENT2: i64 = 4;

/// A child process killed when the test ends, however it ends.
pub(crate) struct Proc(pub(crate) Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) struct Node {
    pub(crate) proc: Proc,
    pub(crate) app: TestApp,
    _dir: tempdir::Dir,
}

pub(crate) fn nats_server() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).chain(["/usr/sbin".into(), "/usr/bin".into()]).map(|d| d.join("nats-server")).find(|p| p.is_file())
}

async fn start_node(db: &str, nats: &str) -> Node {
    // A call whose home dies and that nobody rejoins ends soon after (step 5).
    start_node_with(db, nats, "call_rejoin_secs = 3\n").await
}

/// A node whose kefu.toml has `extra` lines too.
pub(crate) async fn start_node_with(db: &str, nats: &str, extra: &str) -> Node {
    let dir = tempdir::Dir::new();
    let port = free_port();
    let config = dir.0.join("kefu.toml");
    // Long graces: a socket closed by the kill must not change who is away in the middle of the check.
    std::fs::write(
        &config,
        format!(
            "metrics_token = \"{METRICS_TOKEN}\"\nagent_disconnect_grace_secs = 120\nvisitor_abandon_grace_secs = 120\n\
             visitors_per_minute = {VISITORS_PER_MINUTE}\nvisitor_messages_per_10s = {VISITOR_MESSAGES_PER_10S}\ntrusted_proxies = [\"127.0.0.1\"]\n{extra}"
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(&dir.0)
        .arg("--config")
        .arg(&config)
        .env("KEFU_DATABASE_URL", db)
        .env("KEFU_NATS_URL", nats)
        .env("KEFU_MEDIA_UDP", "127.0.0.1:0")
        .env_remove("KEFU_METRICS_TOKEN")
        .stdout(node_log(port))
        .stderr(Stdio::null())
        .spawn()
        .expect("kefu starts");
    let proc = Proc(child);
    let app = app_at(port, Some(db));
    for _ in 0..150 {
        if app.http.get(app.url("/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return Node { proc, app, _dir: dir };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("a kefu node did not become ready");
}

/// Where a node's log (its standard output) goes: nowhere, or with `KEFU_TEST_NODE_LOGS=<dir>` a file per node there
/// (to read what the nodes did when a cluster test fails).
fn node_log(port: u16) -> Stdio {
    match std::env::var_os("KEFU_TEST_NODE_LOGS") {
        Some(dir) => std::fs::File::create(std::path::Path::new(&dir).join(format!("kefu-{port}.log"))).map_or(Stdio::null(), Stdio::from),
        None => Stdio::null(),
    }
}

/// What a cluster test runs on: a fresh PostgreSQL schema and a `nats-server`, running while
/// `nats` lives (`nats_bin` and `nats_port` start it again).
pub(crate) struct Backing {
    pub(crate) db: String,
    pub(crate) nats: Proc,
    pub(crate) nats_url: String,
    pub(crate) nats_bin: std::path::PathBuf,
    pub(crate) nats_port: u16,
}

/// The [`Backing`] of a cluster test; None, said on stderr, where PostgreSQL or NATS is missing.
pub(crate) async fn cluster_backing() -> Option<Backing> {
    let Some(base) = kefu_store::testing::postgres_url_from_env() else {
        eprintln!("skipped: KEFU_TEST_POSTGRES_URL is not set (run under scripts/with-postgres.sh)");
        return None;
    };
    let Some(nats_bin) = nats_server() else {
        eprintln!("skipped: nats-server is not installed (apt-get install nats-server)");
        return None;
    };
    let db = kefu_store::testing::fresh_postgres_url(&base).await.expect("a fresh PostgreSQL schema");
    let nats_port = free_port();
    let nats = start_nats(&nats_bin, nats_port).await;
    Some(Backing { db, nats, nats_url: format!("nats://127.0.0.1:{nats_port}"), nats_bin, nats_port })
}

/// A `nats-server` on a loopback port, once it accepts connections.
pub(crate) async fn start_nats(bin: &std::path::Path, port: u16) -> Proc {
    let proc = Proc(
        Command::new(bin)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts"),
    );
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proc
}

/// Whether this node says it owns routing (`kefu_routing_owner 1` on /metrics).
async fn owns_routing(app: &TestApp) -> bool {
    let Ok(r) = app.http.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await else { return false };
    r.text().await.unwrap_or_default().lines().any(|l| l.trim() == "kefu_routing_owner 1")
}

/// The one node that owns routing, once exactly one does.
pub(crate) async fn the_owner(nodes: &[&Node]) -> usize {
    for _ in 0..200 {
        let mut owners = vec![];
        for (i, n) in nodes.iter().enumerate() {
            if owns_routing(&n.app).await {
                owners.push(i);
            }
        }
        if owners.len() == 1 {
            return owners[0];
        }
        assert!(owners.len() < 2, "two nodes own routing at once: {owners:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no node took the routing lease");
}

/// The owner stalls (SIGSTOP) and its lease connection is cut meanwhile, so PostgreSQL frees
/// the lock while the owner still believes it holds it: no other node routes before the old
/// owner, running again, has had the time to notice; at no moment do two nodes own routing.
async fn no_two_owners_when_the_lease_connection_breaks(nodes: &[&Node], db: &str) {
    use sqlx::Connection;
    let owner = the_owner(nodes).await;
    let pid = nodes[owner].proc.0.id().to_string();
    let signal = |sig: &str| assert!(Command::new("kill").args([sig, &pid]).status().unwrap().success());
    signal("-STOP");
    let mut pg = sqlx::PgConnection::connect(db).await.unwrap();
    let cut: Vec<(bool,)> = sqlx::query_as(
        // This cluster's lease only (its schema's; other tests' clusters share the database):
        // class 0x6b650001, second key the hash of the schema.
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kefu-routing-lease'
            AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 1801781249::oid
                          AND objid = hashtext(current_schema())::oid AND objsubid = 2)",
    )
    .fetch_all(&mut pg)
    .await
    .unwrap();
    assert_eq!(cut.len(), 1, "the owner's lease connection");
    let cut_at = Instant::now();
    // While it stalls, and for as long after as it may take to notice, nobody else routes.
    let others: Vec<&Node> = nodes.iter().enumerate().filter(|(i, _)| *i != owner).map(|(_, n)| *n).collect();
    while cut_at.elapsed() < Duration::from_millis(900) {
        for n in &others {
            // /metrics asks the router: while the stalled owner has it, no answer comes.
            let asked = n.app.http.get(n.app.url("/metrics")).bearer_auth(METRICS_TOKEN).timeout(Duration::from_millis(200)).send().await;
            let Ok(text) = asked else { continue };
            let owns = text.text().await.unwrap_or_default().lines().any(|l| l.trim() == "kefu_routing_owner 1");
            assert!(!owns, "another node routes {} ms after the cut, the owner stalled", cut_at.elapsed().as_millis());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    signal("-CONT");
    let mut back = None;
    while cut_at.elapsed() < Duration::from_secs(6) {
        let mut owners = 0;
        for n in nodes {
            owners += usize::from(owns_routing(&n.app).await);
        }
        assert!(owners < 2, "two nodes own routing {} ms after the lease connection broke", cut_at.elapsed().as_millis());
        if owners == 1 && back.is_none() && cut_at.elapsed() > Duration::from_secs(1) {
            back = Some(cut_at.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("owner stalled, lease connection cut -> an owner again after {} ms", back.expect("an owner again").as_millis());
}

fn of(e: &Value, id: i64) -> bool {
    e["conversation_id"] == id
}

#[tokio::test]
async fn three_nodes_route_chat_and_survive_the_routing_owner_dying() {
    let Some(Backing { db, nats: nats_proc, nats_url: nats, nats_bin, nats_port }) = cluster_backing().await else { return };
    // One after the other: the first seeds the demo organisation.
    let mut nodes = vec![];
    for _ in 0..3 {
        nodes.push(start_node(&db, &nats).await);
    }
    let owner = the_owner(&nodes.iter().collect::<Vec<_>>()).await;
    // The two others, so every step below crosses nodes.
    let (a, b) = ((owner + 1) % 3, (owner + 2) % 3);
    let (na, nb, no) = (&nodes[a].app, &nodes[b].app, &nodes[owner].app);

    // 1. Chat across nodes: the agent's socket on A, the visitor's on B, requests on every node.
    let agent = nb.ready_agent(1).await;
    let mut agent_ws = na.ws(&agent).await;
    let visitor = no.visitor("Wang").await;
    let mut visitor_ws = nb.ws(&visitor).await;
    let id = na.start(&visitor, "你好, 卡片问题").await["id"].as_i64().unwrap();
    let offer = agent_ws.wait_until("offer.created", |e| of(e, id)).await;
    assert_eq!(offer["data"]["conversation"]["id"], id);
    let (s, v) = nb.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200, "accepted through a node that does not own routing: {v}");
    let (s, _) = no.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), Some(json!({ "body": "您好" }))).await;
    assert_eq!(s, 201);
    let got = visitor_ws.wait_until("message.created", |e| of(e, id) && e["data"]["body"] == "您好").await;
    assert!(got["seq"].as_i64().unwrap() > 0);
    let (s, _) = na.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&visitor), Some(json!({ "body": "谢谢" }))).await;
    assert_eq!(s, 201);
    agent_ws.wait_until("message.created", |e| of(e, id) && e["data"]["body"] == "谢谢").await;
    let (s, _) =
        na.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200);

    let apps: Vec<&TestApp> = nodes.iter().map(|n| &n.app).collect();
    crate::cluster_sessions::revocations_hold_on_every_node_at_once(&apps).await;
    crate::cluster_sessions::a_stalled_node_delays_a_logout_by_the_bounded_wait(na, nb, nodes[b].proc.0.id()).await;
    // The burst first: other addresses, the proxy's own included (the messages step's visitor),
    // must pass right after it.
    crate::cluster_limits::visitors_limited_across_nodes(&apps, VISITORS_PER_MINUTE, &db).await;
    crate::cluster_limits::messages_limited_across_nodes(&apps, VISITOR_MESSAGES_PER_10S).await;
    let store = kefu_store::Store::connect(&db).await.unwrap();
    // A video call: the visitor on A (the call's home: it joins first), the agent on B.
    let mut cross = crate::cluster_calls::start(na, nb, &store).await;
    cross.snapshot(nb, na).await;

    // 2. A line forms while the agents are away (one chat at a time), spread over the nodes.
    let admin = na.login("admin@demo.kefu", "demo-admin").await;
    for id in [AGENT1, AGENT2] {
        let (s, v) =
            nb.call("PATCH", &format!("/api/v1/agents/{id}"), Some(&admin), Some(json!({ "capacity": { "chat": 1, "call": 1 } }))).await;
        assert_eq!(s, 200, "{v}");
    }
    let (s, v) = na.call("PUT", "/api/v1/agents/me/status", Some(&agent), Some(json!({ "status": "away", "reason": "break" }))).await;
    assert_eq!(s, 200, "{v}");
    let mut waiting: Vec<(String, Value)> = vec![];
    // Fifty, each from an address of its own (forwarded by the trusted proxy on 127.0.0.1), so
    // the line is not held to one address's new-visitor limit.
    for i in 0..50 {
        let node = &nodes[i % 3].app;
        let r = node.http.post(node.url("/api/v1/visitors")).header("x-forwarded-for", format!("192.0.2.{}", i + 1));
        let r: Value = r.json(&json!({ "name": format!("customer {i}") })).send().await.unwrap().json().await.unwrap();
        let v = r["token"].as_str().unwrap_or_else(|| panic!("a visitor: {r}")).to_string();
        let c = node.start(&v, &format!("question {i}")).await;
        waiting.push((v, c));
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    let first = waiting[0].1["id"].as_i64().unwrap();
    // The first customer's socket is on the node about to die; it has seen everything so far.
    let mut first_ws = no.ws(&waiting[0].0).await;
    first_ws.send(json!({ "type": "resume", "cursors": { first.to_string(): 0 } })).await;
    let seen = first_ws.drain(500).await.iter().filter_map(|e| e["seq"].as_i64()).max().expect("the history is replayed");
    // Two offers are open when the owner dies: agent 2 (socket on B) is offered the first in
    // line, then agent 1 (socket on A) the second.
    let second = waiting[1].1["id"].as_i64().unwrap();
    let agent2 = na.login("agent2@demo.kefu", "demo-agent").await;
    let mut agent2_ws = nb.ws(&agent2).await;
    for (token, ws, offered) in [(&agent2, &mut agent2_ws, first), (&agent, &mut agent_ws, second)] {
        let (s, v) = na.call("PUT", "/api/v1/agents/me/status", Some(token), Some(json!({ "status": "ready" }))).await;
        assert_eq!(s, 200, "{v}");
        ws.wait_until("offer.created", |e| of(e, offered)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // 3. SIGKILL the routing owner. The new owner rebuilds the line from the database: both
    // offers are withdrawn and made again in order of the agents' ids (agent 1 gets the first).
    let Node { proc: mut killed, .. } = nodes.remove(owner);
    let index = |x: usize| if x > owner { x - 1 } else { x };
    let (a, b) = (index(a), index(b));
    let (na, nb) = (&nodes[a].app, &nodes[b].app);
    killed.0.kill().unwrap();
    let killed_at = Instant::now();
    killed.0.wait().unwrap();
    // Agent 2 accepts the offer on their screen: the op waits for the next owner, which has
    // withdrawn it; a clear 409, not the conversation.
    let (s, v) = nb.call("POST", &format!("/api/v1/conversations/{first}/accept"), Some(&agent2), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("not_offered")), "a stale offer cannot be accepted: {v}");
    let mut revoked = None;
    let offer = loop {
        let e = agent_ws.next_event().await;
        if e["type"] == "offer.revoked" && of(&e, second) {
            revoked = Some(e);
        } else if e["type"] == "offer.created" && of(&e, first) {
            break e;
        }
    };
    let failover = killed_at.elapsed();
    assert_eq!(revoked.expect("agent 1's old offer is withdrawn first")["data"]["reason"], "rerouted");
    eprintln!("failover: owner SIGKILL -> first offer on the new owner: {} ms", failover.as_millis());
    assert!(failover < Duration::from_secs(10), "routing went on after {failover:?}");
    assert_eq!(offer["conversation_id"], first, "the first in line is offered first");
    let survivors: Vec<&Node> = nodes.iter().collect();
    the_owner(&survivors).await;
    // The call goes on: the node that died was not its home.
    cross.still_flowing(nb).await;
    // Agent 2's old offer left their screen before the next one came.
    let revoked = agent2_ws.wait_until("offer.revoked", |e| of(e, first)).await;
    assert_eq!(revoked["data"]["reason"], "rerouted", "{revoked}");
    agent2_ws.wait_until("offer.created", |e| of(e, second)).await;
    let (s, v) = na.call("POST", &format!("/api/v1/conversations/{first}/accept"), Some(&agent2), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("not_offered")), "still stale once rerouted: {v}");

    // Everyone else keeps their place and their waiting time.
    let (s, _) = na.call("POST", &format!("/api/v1/conversations/{first}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200);
    for (i, (v, before)) in waiting.iter().enumerate().skip(2) {
        let cid = before["id"].as_i64().unwrap();
        let (s, after) = nodes[i % 2].app.call("GET", &format!("/api/v1/conversations/{cid}"), Some(v), None).await;
        assert_eq!(s, 200);
        assert_eq!(after["status"], "queued", "{after}");
        assert_eq!(after["queue"]["position"], i as i64 - 1, "same order after the failover: {after}");
        assert_eq!(after["queued_at"], before["queued_at"], "waiting time intact");
    }
    // The first conversation: offered to agent 2 before, to agent 1 after; nobody twice.
    let offered_to: Vec<i64> = store
        .facts_of_conversation(first)
        .await
        .unwrap()
        .iter()
        .filter_map(|f| match &f.fact {
            kefu_core::Fact::Offered { agent, .. } => Some(agent.0),
            _ => None,
        })
        .collect();
    assert_eq!(offered_to, [AGENT2, AGENT1]);

    // 4. The first customer's socket died with its node: on a survivor it resumes from what it
    // had seen and gets exactly what it missed, in order.
    let (s, _) =
        nb.call("POST", &format!("/api/v1/conversations/{first}/messages"), Some(&agent), Some(json!({ "body": "after failover" }))).await;
    assert_eq!(s, 201);
    let mut back: Socket = na.ws(&waiting[0].0).await;
    // The message's announcement goes out after its 201, through NATS: live frames of it may
    // reach the new socket before its resume (a client holds a seq beyond a gap and drops one it
    // already applied: `web/packages/realtime/src/sequencer.ts`). Let them land first, so what
    // follows the resume is the replay alone.
    back.drain(500).await;
    back.send(json!({ "type": "resume", "cursors": { first.to_string(): seen } })).await;
    let replay: Vec<i64> = back.drain(700).await.iter().filter(|e| of(e, first)).filter_map(|e| e["seq"].as_i64()).collect();
    let stored = store.events_after(first, seen).await.unwrap();
    assert_eq!(replay, stored.iter().map(|e| e.seq).collect::<Vec<_>>(), "exactly what was missed");
    assert!(replay.first() == Some(&(seen + 1)) && replay.windows(2).all(|w| w[1] == w[0] + 1), "{replay:?}");
    assert!(stored.iter().any(|e| e.data.contains("after failover")));

    // A stale owner (the database's lease epoch moved on) writes nothing and steps down.
    let owner = the_owner(&nodes.iter().collect::<Vec<_>>()).await;
    crate::cluster_fencing::a_stale_owner_writes_nothing(&nodes[1 - owner].app, &db, &agent, first).await;

    no_two_owners_when_the_lease_connection_breaks(&nodes.iter().collect::<Vec<_>>(), &db).await;

    // 5. SIGKILL the call's home (A): a survivor takes the call over, and as nobody rejoins its
    // media, ends it and frees the agent's call slot.
    let Node { proc: mut home, .. } = nodes.remove(a);
    home.0.kill().unwrap();
    let killed_at = Instant::now();
    home.0.wait().unwrap();
    let last = &nodes[0].app;
    cross.ended_by_a_survivor(last, killed_at, &store).await;

    // 6. Without NATS a node is not ready (its events would reach no other node), and frames
    // published meanwhile may be lost: once NATS is back its sockets resync.
    let (visitor, conversation) = waiting.last().map(|(v, c)| (v.clone(), c["id"].as_i64().unwrap())).unwrap();
    let follower = crate::cluster_resync::following(last, &visitor, conversation).await;
    drop(nats_proc);
    let mut unready = false;
    for _ in 0..100 {
        if last.http.get(last.url("/readyz")).send().await.is_ok_and(|r| r.status() == 503) {
            unready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(unready, "/readyz still ready 10 s after NATS went away");
    let restart = start_nats(&nats_bin, nats_port);
    let _nats_again = crate::cluster_resync::resumes_after_resync(last, &visitor, conversation, follower, restart).await;
}

/// A cluster shares one PostgreSQL database: NATS with the embedded SQLite file is refused at start.
#[tokio::test]
async fn nats_without_postgres_is_refused() {
    let dir = tempdir::Dir::new();
    let mut config = kefu_server::Config::for_tests(dir.0.clone());
    config.nats_url = Some("nats://127.0.0.1:1".into());
    let Err(e) = kefu_server::Application::build(config).await else { panic!("a node on SQLite joined a cluster") };
    assert!(format!("{e:#}").contains("nats_url needs database_url"), "{e:#}");
}
