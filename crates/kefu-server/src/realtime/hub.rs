//! Connected clients by who they are and which session (token) they use. Each connection has a
//! bounded outbox: a client too slow to drain it is disconnected and resumes from its last
//! sequence number on reconnect. When a session ends (logout, revocation, disabling, blocking,
//! expiry) its connections end at once: no frame after that, then a last `session.ended`.
//! Every index entry goes when its last connection does, so memory follows open sockets.
//! Frames are published to a [`Topic`]; with a NATS bus (several nodes) every node's hub delivers
//! them to its own sockets, without one the hub delivers them itself. Session ends also make every
//! node forget the ended tokens it remembered ([`SessionCache`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

use crate::realtime::bus::{Bus, CloseTarget};
use crate::session_cache::SessionCache;
use crate::views::SessionEndReason;

/// Who a frame is for; each node delivers it to the matching sockets it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Every connection of a staff user.
    User(i64),
    /// Every connection of a visitor.
    Visitor(i64),
    /// Every supervisor and admin.
    Supervisors,
    /// A conversation's staff: these users and every supervisor, one copy each.
    Staff(Vec<i64>),
}

impl Topic {
    /// The NATS subject (`kefu.deliver.<topic>`), so a node may later subscribe per topic.
    pub fn subject(&self) -> String {
        match self {
            Topic::User(id) => format!("kefu.deliver.user.{id}"),
            Topic::Visitor(id) => format!("kefu.deliver.visitor.{id}"),
            Topic::Supervisors => "kefu.deliver.supervisors".into(),
            Topic::Staff(_) => "kefu.deliver.staff".into(),
        }
    }
}

/// Who holds a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    /// A staff user, with whether they watch the whole floor (supervisor or admin).
    User { id: i64, supervisor: bool },
    /// A visitor.
    Visitor(i64),
}

const OUTBOX: usize = 1024;

struct Conn {
    who: Who,
    /// Hash of the token the connection was opened with.
    session: Arc<str>,
    outbox: mpsc::Sender<Arc<str>>,
    /// Set once, when the session ends; the socket task then says why and closes.
    ended: watch::Sender<Option<SessionEndReason>>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    conns: HashMap<u64, Conn>,
    by_user: HashMap<i64, HashSet<u64>>,
    by_visitor: HashMap<i64, HashSet<u64>>,
    by_session: HashMap<Arc<str>, HashSet<u64>>,
}

/// Drop `conn` from a keyed index, and the key with it when it was the last one.
fn unindex<K: std::hash::Hash + Eq>(index: &mut HashMap<K, HashSet<u64>>, key: &K, conn: u64) {
    if let Some(set) = index.get_mut(key) {
        set.remove(&conn);
        if set.is_empty() {
            index.remove(key);
        }
    }
}

impl Inner {
    fn supervisors(&self) -> HashSet<u64> {
        self.conns.iter().filter(|(_, c)| matches!(c.who, Who::User { supervisor: true, .. })).map(|(id, _)| *id).collect()
    }

    /// Forget a connection everywhere. Dropping its outbox sender ends its socket task.
    fn remove(&mut self, id: u64) -> Option<Conn> {
        let conn = self.conns.remove(&id)?;
        match conn.who {
            Who::User { id: user, .. } => unindex(&mut self.by_user, &user, id),
            Who::Visitor(v) => unindex(&mut self.by_visitor, &v, id),
        }
        unindex(&mut self.by_session, &conn.session, id);
        Some(conn)
    }
}

/// The fan-out hub. Cheap to clone.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Mutex<Inner>>,
    /// Other nodes, when there are (`nats_url`): frames go through NATS, this node included.
    bus: Option<Bus>,
    /// Who the tokens used lately belong to; forgotten here as sessions end, on every node.
    sessions: Arc<SessionCache>,
}

/// A server->client frame: `{type, conversation_id?, seq?, data}`.
pub fn frame(kind: &str, conversation_id: Option<i64>, seq: Option<i64>, data: &Value) -> Arc<str> {
    let mut f = json!({ "type": kind, "data": data });
    if let Some(c) = conversation_id {
        f["conversation_id"] = json!(c);
    }
    if let Some(s) = seq {
        f["seq"] = json!(s);
    }
    Arc::from(f.to_string())
}

/// A registered connection: what the socket task reads, and a guard that unregisters on drop
/// (also when an upgrade never completes).
pub struct Registration {
    pub id: u64,
    pub outbox: mpsc::Receiver<Arc<str>>,
    pub ended: watch::Receiver<Option<SessionEndReason>>,
    pub guard: ConnGuard,
}

/// Unregisters its connection when dropped.
pub struct ConnGuard {
    hub: Hub,
    id: u64,
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        self.hub.unregister(self.id);
    }
}

/// The session already has as many connections as allowed.
#[derive(Debug)]
pub struct TooManyConnections;

impl Hub {
    /// A hub whose frames reach every node through `bus`; starts delivering what it hears.
    pub async fn clustered(bus: Bus) -> anyhow::Result<Hub> {
        let hub = Hub { inner: Arc::default(), bus: Some(bus.clone()), sessions: Arc::default() };
        bus.serve(hub.clone()).await?;
        Ok(hub)
    }

    /// The NATS bus, when clustered.
    pub fn bus(&self) -> Option<&Bus> {
        self.bus.as_ref()
    }

    /// The token cache, unless this node may have missed another node's revocation (cut from
    /// NATS, not counted among the live nodes, or not yet emptied after such a doubt: see `bus`):
    /// then every token is read from the database until the cache has been emptied.
    pub fn session_cache(&self) -> Option<&SessionCache> {
        match &self.bus {
            Some(bus) if !bus.cache_trusted() => None,
            _ => Some(&self.sessions),
        }
    }

    /// The token cache, whether or not NATS is up (to forget).
    pub(crate) fn session_cache_all(&self) -> &SessionCache {
        &self.sessions
    }

    /// Send a frame to a topic's sockets, on every node.
    pub fn publish(&self, topic: Topic, frame: &Arc<str>) {
        match &self.bus {
            // Delivered here too when NATS hands it back, in publishing order.
            Some(bus) => bus.deliver(topic, frame),
            None => self.deliver_local(&topic, frame),
        }
    }

    /// Tell every socket of this node that frames may have been lost (see `bus`): each client
    /// re-sends `resume` and gets the conversation events it missed from the database.
    pub(crate) fn resync_local(&self) {
        let f = frame("resync", None, None, &json!({ "reason": "bus_reconnected" }));
        self.send(|inner| inner.conns.keys().copied().collect(), &f);
    }

    /// Deliver to this node's sockets of a topic.
    pub(crate) fn deliver_local(&self, topic: &Topic, frame: &Arc<str>) {
        match topic {
            Topic::User(user) => self.send(|inner| inner.by_user.get(user).cloned().unwrap_or_default(), frame),
            Topic::Visitor(visitor) => self.send(|inner| inner.by_visitor.get(visitor).cloned().unwrap_or_default(), frame),
            Topic::Supervisors => self.send(|inner| inner.supervisors(), frame),
            Topic::Staff(users) => self.send(
                |inner| {
                    let mut targets = inner.supervisors();
                    for u in users {
                        targets.extend(inner.by_user.get(u).into_iter().flatten().copied());
                    }
                    targets
                },
                frame,
            ),
        }
    }

    /// Whether a staff user has an open connection on any node.
    pub async fn user_present(&self, user: i64) -> bool {
        self.user_online(user) || matches!(&self.bus, Some(bus) if bus.anyone_has("user", user).await)
    }

    /// Whether a visitor has an open connection on any node.
    pub async fn visitor_present(&self, visitor: i64) -> bool {
        self.visitor_online(visitor) || matches!(&self.bus, Some(bus) if bus.anyone_has("visitor", visitor).await)
    }

    /// Register a connection of `who` opened with the token whose hash is `session`, unless that
    /// token already has `limit` open connections.
    pub fn register(&self, who: Who, session: &str, limit: usize) -> Result<Registration, TooManyConnections> {
        let mut inner = self.inner.lock().expect("hub lock poisoned");
        if inner.by_session.get(session).is_some_and(|s| s.len() >= limit) {
            return Err(TooManyConnections);
        }
        let (tx, rx) = mpsc::channel(OUTBOX);
        let (ended_tx, ended_rx) = watch::channel(None);
        inner.next_id += 1;
        let id = inner.next_id;
        let session: Arc<str> = Arc::from(session);
        inner.by_session.entry(session.clone()).or_default().insert(id);
        match who {
            Who::User { id: user, .. } => inner.by_user.entry(user).or_default().insert(id),
            Who::Visitor(v) => inner.by_visitor.entry(v).or_default().insert(id),
        };
        inner.conns.insert(id, Conn { who, session, outbox: tx, ended: ended_tx });
        Ok(Registration { id, outbox: rx, ended: ended_rx, guard: ConnGuard { hub: self.clone(), id } })
    }

    /// Forget a connection (no-op when it is already gone).
    pub fn unregister(&self, conn: u64) {
        self.inner.lock().expect("hub lock poisoned").remove(conn);
    }

    /// Number of open connections.
    pub fn connections(&self) -> usize {
        self.inner.lock().expect("hub lock poisoned").conns.len()
    }

    /// Sizes of the indexes (users, visitors, sessions), to check they shrink with the sockets.
    pub fn index_sizes(&self) -> (usize, usize, usize) {
        let inner = self.inner.lock().expect("hub lock poisoned");
        (inner.by_user.len(), inner.by_visitor.len(), inner.by_session.len())
    }

    /// Whether a staff user has an open connection on this node.
    pub fn user_online(&self, user: i64) -> bool {
        self.inner.lock().expect("hub lock poisoned").by_user.contains_key(&user)
    }

    /// Whether a visitor has an open connection on this node.
    pub fn visitor_online(&self, visitor: i64) -> bool {
        self.inner.lock().expect("hub lock poisoned").by_visitor.contains_key(&visitor)
    }

    /// Send to every connection of a user.
    pub fn to_user(&self, user: i64, frame: &Arc<str>) {
        self.publish(Topic::User(user), frame);
    }

    /// Send to every connection of a visitor.
    pub fn to_visitor(&self, visitor: i64, frame: &Arc<str>) {
        self.publish(Topic::Visitor(visitor), frame);
    }

    /// Send to one connection (of this node: replies to what the socket asked).
    pub fn to_conn(&self, conn: u64, frame: &Arc<str>) {
        self.send(|_| HashSet::from([conn]), frame);
    }

    /// Send to every supervisor and admin.
    pub fn to_supervisors(&self, frame: &Arc<str>) {
        self.publish(Topic::Supervisors, frame);
    }

    /// Send once to every connection of these users and of every supervisor and admin (staff-only
    /// frames of a conversation: a supervisor who also served it gets one copy, not two).
    pub fn to_users_and_supervisors(&self, users: &[i64], frame: &Arc<str>) {
        self.publish(Topic::Staff(users.to_vec()), frame);
    }

    /// End connections here at once, and on the other nodes through the bus: with NATS, returns
    /// once every live node has applied it (or a bounded wait ran out, which is logged), so the
    /// token is refused everywhere when the revoking request is answered. Returns how many
    /// ended on this node.
    async fn close_everywhere(&self, target: CloseTarget, reason: SessionEndReason) -> usize {
        let here = self.close_local(&target, reason);
        if let Some(bus) = &self.bus {
            bus.close(target, reason).await;
        }
        here
    }

    /// End this node's connections of a target (a no-op for those already gone).
    pub(crate) fn close_local(&self, target: &CloseTarget, reason: SessionEndReason) -> usize {
        self.sessions.forget(target);
        match target {
            CloseTarget::Session(session) => {
                self.close(|inner| inner.by_session.get(session.as_str()).cloned().unwrap_or_default(), reason)
            }
            CloseTarget::User { id, keep } => self.close(
                |inner| {
                    let mine = inner.by_user.get(id).cloned().unwrap_or_default();
                    mine.into_iter()
                        .filter(|c| keep.as_deref().is_none_or(|k| inner.conns.get(c).is_none_or(|c| &*c.session != k)))
                        .collect()
                },
                reason,
            ),
            CloseTarget::Visitor(v) => self.close(|inner| inner.by_visitor.get(v).cloned().unwrap_or_default(), reason),
            // Keys open no sockets; only the caches forget them.
            CloseTarget::ApiKey(_) => 0,
        }
    }

    /// End every connection opened with this token, on every node.
    pub async fn close_session(&self, session: &str, reason: SessionEndReason) -> usize {
        self.close_everywhere(CloseTarget::Session(session.to_string()), reason).await
    }

    /// End every connection of a user, except those opened with `keep` (a token hash).
    pub async fn close_user(&self, user: i64, keep: Option<&str>, reason: SessionEndReason) -> usize {
        self.close_everywhere(CloseTarget::User { id: user, keep: keep.map(str::to_string) }, reason).await
    }

    /// End every connection of a visitor.
    pub async fn close_visitor(&self, visitor: i64, reason: SessionEndReason) -> usize {
        self.close_everywhere(CloseTarget::Visitor(visitor), reason).await
    }

    /// Forget a revoked API key on every node.
    pub async fn revoke_api_key(&self, key: i64) {
        self.close_everywhere(CloseTarget::ApiKey(key), SessionEndReason::Revoked).await;
    }

    /// End one connection.
    pub fn close_conn(&self, conn: u64, reason: SessionEndReason) -> usize {
        self.close(|_| HashSet::from([conn]), reason)
    }

    /// Remove the connections first, so nothing more is delivered to them, then tell each
    /// socket task why: it sends `session.ended` and closes.
    fn close(&self, targets: impl FnOnce(&Inner) -> HashSet<u64>, reason: SessionEndReason) -> usize {
        let mut inner = self.inner.lock().expect("hub lock poisoned");
        let mut closed = 0;
        for id in targets(&inner) {
            if let Some(conn) = inner.remove(id) {
                conn.ended.send_replace(Some(reason));
                closed += 1;
            }
        }
        closed
    }

    fn send(&self, targets: impl FnOnce(&Inner) -> HashSet<u64>, frame: &Arc<str>) {
        let mut inner = self.inner.lock().expect("hub lock poisoned");
        let mut slow = vec![];
        for id in targets(&inner) {
            if let Some(conn) = inner.conns.get(&id) {
                if conn.outbox.try_send(frame.clone()).is_err() {
                    slow.push(id);
                }
            }
        }
        // Dropping the sender closes the socket task; the client resumes from its cursor. The
        // connection leaves every index now, so the user no longer counts as online through it.
        for id in slow {
            if let Some(conn) = inner.remove(id) {
                tracing::warn!(who = ?conn.who, "dropping a connection that does not keep up");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT: Who = Who::User { id: 7, supervisor: false };

    #[test]
    fn indexes_are_emptied_when_the_last_connection_goes() {
        let hub = Hub::default();
        let a = hub.register(AGENT, "s1", 5).unwrap();
        let b = hub.register(Who::Visitor(3), "v1", 5).unwrap();
        assert_eq!(hub.index_sizes(), (1, 1, 2));
        drop(a.guard);
        drop(b.guard);
        assert_eq!(hub.index_sizes(), (0, 0, 0));
        assert!(!hub.user_online(7));
        assert_eq!(hub.connections(), 0);
    }

    #[test]
    fn a_slow_connection_leaves_every_index() {
        let hub = Hub::default();
        let reg = hub.register(AGENT, "s1", 5).unwrap();
        let f = frame("pong", None, None, &Value::Null);
        for _ in 0..=OUTBOX {
            hub.to_user(7, &f);
        }
        assert!(!hub.user_online(7), "dropped for being slow, so not online through it");
        assert_eq!(hub.index_sizes(), (0, 0, 0));
        assert_eq!(*reg.ended.borrow(), None, "dropped, not ended: the client may come back");
    }

    #[test]
    fn a_topic_reaches_its_sockets_once() {
        let hub = Hub::default();
        let agent = hub.register(AGENT, "a", 5).unwrap();
        let sup = hub.register(Who::User { id: 9, supervisor: true }, "s", 5).unwrap();
        let visitor = hub.register(Who::Visitor(3), "v", 5).unwrap();
        let f = frame("note.created", Some(1), None, &Value::Null);
        // The supervisor also served it: one copy, not two.
        hub.publish(Topic::Staff(vec![7, 9]), &f);
        hub.publish(Topic::Visitor(3), &f);
        assert_eq!((agent.outbox.len(), sup.outbox.len(), visitor.outbox.len()), (1, 1, 1));
        hub.publish(Topic::Supervisors, &f);
        hub.publish(Topic::User(7), &f);
        assert_eq!((agent.outbox.len(), sup.outbox.len(), visitor.outbox.len()), (2, 2, 1));
        assert_eq!(Topic::Visitor(3).subject(), "kefu.deliver.visitor.3");
    }

    #[test]
    fn tokens_have_a_connection_cap() {
        let hub = Hub::default();
        let regs: Vec<_> = (0..2).map(|_| hub.register(AGENT, "s1", 2).unwrap()).collect();
        assert!(hub.register(AGENT, "s1", 2).is_err());
        assert!(hub.register(AGENT, "s2", 2).is_ok(), "the cap is per token");
        drop(regs);
        assert!(hub.register(AGENT, "s1", 2).is_ok(), "closing frees a place");
    }

    #[tokio::test]
    async fn closing_ends_only_the_chosen_connections() {
        let hub = Hub::default();
        let here = hub.register(AGENT, "keep", 5).unwrap();
        let there = hub.register(AGENT, "other", 5).unwrap();
        let visitor = hub.register(Who::Visitor(3), "v1", 5).unwrap();
        assert_eq!(hub.close_user(7, Some("keep"), SessionEndReason::PasswordChanged).await, 1);
        assert_eq!(*there.ended.borrow(), Some(SessionEndReason::PasswordChanged));
        assert_eq!(*here.ended.borrow(), None);
        assert!(hub.user_online(7));
        assert_eq!(hub.close_session("keep", SessionEndReason::LoggedOut).await, 1);
        assert_eq!(*here.ended.borrow(), Some(SessionEndReason::LoggedOut));
        assert!(!hub.user_online(7));
        assert_eq!(hub.close_visitor(3, SessionEndReason::Blocked).await, 1);
        assert_eq!(*visitor.ended.borrow(), Some(SessionEndReason::Blocked));
        assert_eq!(hub.index_sizes(), (0, 0, 0));
    }
}
