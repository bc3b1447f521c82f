//! N 1:1 video calls set up through the public API, as users would: an admin creates N agents
//! (one call slot each) in skill group 1; each signs in, goes ready and opens its WebSocket; N
//! visitors each start a video-service conversation (`media: "video"`); every agent accepts the
//! offer it gets, which answers the call. Media is not joined yet.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use futures::{stream, SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{connect_async, tungstenite::Message};
use ws_load::{call, login};

use crate::client::Ws;

/// One active call with both sides' sockets.
pub struct Call {
    pub id: i64,
    pub visitor: Ws,
    pub agent: Ws,
    /// The agent's session (to hang up at the end).
    pub agent_token: String,
}

/// How long a step may take before the set-up gives up.
const STEP: Duration = Duration::from_secs(60);
/// Parallel sign-ins (each costs the server a password hash).
const PARALLEL: usize = 8;

async fn socket(base: &str, token: &str) -> Result<Ws> {
    let (ws, _) = connect_async(format!("{}/api/v1/ws?token={token}", base.replace("http://", "ws://"))).await?;
    Ok(ws)
}

/// Create `n` agents named after `tag` (unique per run) and put them in group 1 with its
/// current members.
async fn create_agents(http: &reqwest::Client, base: &str, admin: &str, n: usize, tag: &str) -> Result<Vec<String>> {
    let emails: Vec<String> = (0..n).map(|i| format!("{tag}-{i}@media-load.kefu")).collect();
    let created: Vec<Result<i64>> = stream::iter(emails.clone())
        .map(|email| async move {
            let body = json!({ "email": email, "name": email, "password": PASSWORD, "role": "agent",
                "capacity": { "chat": 1, "call": 1 } });
            let (s, v) = call(http, base, "POST", "/api/v1/agents", Some(admin), Some(body)).await?;
            if s != 201 {
                bail!("creating an agent: {s} {v}");
            }
            v["id"].as_i64().context("no agent id")
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let (_, groups) = call(http, base, "GET", "/api/v1/groups", Some(admin), None).await?;
    let group = groups["groups"].as_array().and_then(|g| g.iter().find(|g| g["id"] == 1)).context("no group 1")?;
    let mut members: Vec<Value> = group["members"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| json!({ "agent_id": m["agent_id"], "skill_level": m["skill_level"] }))
        .collect();
    for id in created {
        members.push(json!({ "agent_id": id?, "skill_level": 3 }));
    }
    let (s, v) = call(http, base, "PUT", "/api/v1/groups/1/members", Some(admin), Some(Value::Array(members))).await?;
    if s != 200 {
        bail!("adding the agents to group 1: {s} {v}");
    }
    Ok(emails)
}

const PASSWORD: &str = "media-load-agent-pw";

/// An agent signed in, ready, with its socket open.
async fn ready_agent(http: &reqwest::Client, base: &str, email: &str) -> Result<(String, Ws)> {
    let token = login(http, base, email, PASSWORD).await?;
    let (s, v) = call(http, base, "PUT", "/api/v1/agents/me/status", Some(&token), Some(json!({ "status": "ready" }))).await?;
    if s != 200 {
        bail!("going ready: {s} {v}");
    }
    let ws = socket(base, &token).await?;
    Ok((token, ws))
}

/// Take the first video-service offer: the call it answers.
async fn take_offer(http: reqwest::Client, base: String, token: String, mut ws: Ws) -> Result<(i64, String, Ws)> {
    let wait = async {
        while let Some(frame) = ws.next().await {
            let Message::Text(text) = frame? else { continue };
            let e: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if e["type"] != "offer.created" {
                continue;
            }
            let conv = e["conversation_id"].as_i64().context("an offer without a conversation")?;
            let (s, v) = call(&http, &base, "POST", &format!("/api/v1/conversations/{conv}/accept"), Some(&token), None).await?;
            // Another agent may have been quicker, or the offer lapsed: wait for the next.
            if s != 200 {
                continue;
            }
            return v["call"]["id"].as_i64().with_context(|| format!("accepted conversation {conv} has no call: {v}"));
        }
        bail!("the agent's socket closed")
    };
    let id = tokio::time::timeout(STEP, wait).await.context("no offer taken within 60 s")??;
    Ok((id, token, ws))
}

/// A visitor who starts a video-service conversation and waits until an agent answers it.
async fn visitor(http: reqwest::Client, base: String, i: usize) -> Result<(i64, Ws)> {
    let token = ws_load::visitor(&http, &base, &format!("media-load {i}")).await?;
    let mut ws = socket(&base, &token).await?;
    let body = json!({ "business_type_id": 1, "media": "video" });
    let (s, c) = call(&http, &base, "POST", "/api/v1/conversations", Some(&token), Some(body)).await?;
    if s != 201 {
        bail!("starting a video-service conversation: {s} {c}");
    }
    let conv = c["id"].as_i64().context("no conversation id")?;
    ws.send(Message::Text(json!({ "type": "resume", "cursors": { conv.to_string(): 0 } }).to_string().into())).await?;
    let wait = async {
        while let Some(frame) = ws.next().await {
            let Message::Text(text) = frame? else { continue };
            let e: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if e["type"] == "call.updated" && e["data"]["conversation_id"] == conv && e["data"]["status"] == "active" {
                return e["data"]["id"].as_i64().context("a call without id");
            }
        }
        bail!("the visitor's socket closed")
    };
    let id = tokio::time::timeout(STEP, wait).await.context("the call was not answered within 60 s")??;
    Ok((id, ws))
}

/// Set up `n` active calls; `tag` makes the agents' e-mails unique.
pub async fn calls(http: &reqwest::Client, base: &str, admin: (&str, &str), n: usize, tag: &str) -> Result<Vec<Call>> {
    let admin = login(http, base, admin.0, admin.1).await.context("admin sign-in")?;
    let emails = create_agents(http, base, &admin, n, tag).await?;
    let agents: Vec<Result<(String, Ws)>> =
        stream::iter(emails.iter()).map(|email| ready_agent(http, base, email)).buffer_unordered(PARALLEL).collect().await;
    let mut taking = Vec::new();
    for agent in agents {
        let (token, ws) = agent?;
        taking.push(tokio::spawn(take_offer(http.clone(), base.to_string(), token, ws)));
    }
    let visitors: Vec<_> = (0..n).map(|i| tokio::spawn(visitor(http.clone(), base.to_string(), i))).collect();
    let mut by_call = std::collections::HashMap::new();
    for v in visitors {
        let (id, ws) = v.await??;
        by_call.insert(id, ws);
    }
    let mut calls = Vec::new();
    for t in taking {
        let (id, agent_token, agent) = t.await??;
        let visitor = by_call.remove(&id).with_context(|| format!("call {id} has no visitor here"))?;
        calls.push(Call { id, visitor, agent, agent_token });
    }
    calls.sort_by_key(|c| c.id);
    Ok(calls)
}
