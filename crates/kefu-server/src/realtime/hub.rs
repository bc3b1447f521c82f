//! Connected clients by who they are. Each connection has a bounded outbox: a client too slow
//! to drain it is disconnected and resumes from its last sequence number on reconnect.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::sync::mpsc;

/// Who holds a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    /// A staff user, with whether they watch the whole floor (supervisor or admin).
    User { id: i64, supervisor: bool },
    /// A visitor.
    Visitor(i64),
}

const OUTBOX: usize = 1024;

#[derive(Default)]
struct Inner {
    next_id: u64,
    conns: HashMap<u64, (Who, mpsc::Sender<Arc<str>>)>,
    by_user: HashMap<i64, HashSet<u64>>,
    by_visitor: HashMap<i64, HashSet<u64>>,
}

/// The fan-out hub. Cheap to clone.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Mutex<Inner>>,
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

impl Hub {
    /// Register a connection; returns its id and the receiving end of its outbox.
    pub fn register(&self, who: Who) -> (u64, mpsc::Receiver<Arc<str>>) {
        let (tx, rx) = mpsc::channel(OUTBOX);
        let mut inner = self.inner.lock().expect("hub lock poisoned");
        inner.next_id += 1;
        let id = inner.next_id;
        inner.conns.insert(id, (who, tx));
        match who {
            Who::User { id: user, .. } => inner.by_user.entry(user).or_default().insert(id),
            Who::Visitor(v) => inner.by_visitor.entry(v).or_default().insert(id),
        };
        (id, rx)
    }

    /// Forget a connection.
    pub fn unregister(&self, conn: u64) {
        let mut inner = self.inner.lock().expect("hub lock poisoned");
        if let Some((who, _)) = inner.conns.remove(&conn) {
            let index = match who {
                Who::User { id, .. } => inner.by_user.get_mut(&id),
                Who::Visitor(v) => inner.by_visitor.get_mut(&v),
            };
            if let Some(set) = index {
                set.remove(&conn);
            }
        }
    }

    /// Number of open connections.
    pub fn connections(&self) -> usize {
        self.inner.lock().expect("hub lock poisoned").conns.len()
    }

    /// Whether a staff user has an open connection.
    pub fn user_online(&self, user: i64) -> bool {
        self.inner.lock().expect("hub lock poisoned").by_user.get(&user).is_some_and(|s| !s.is_empty())
    }

    /// Send to every connection of a user.
    pub fn to_user(&self, user: i64, frame: &Arc<str>) {
        self.send(|inner| inner.by_user.get(&user).cloned().unwrap_or_default(), frame);
    }

    /// Send to every connection of a visitor.
    pub fn to_visitor(&self, visitor: i64, frame: &Arc<str>) {
        self.send(|inner| inner.by_visitor.get(&visitor).cloned().unwrap_or_default(), frame);
    }

    /// Send to one connection.
    pub fn to_conn(&self, conn: u64, frame: &Arc<str>) {
        self.send(|_| HashSet::from([conn]), frame);
    }

    /// Send to every supervisor and admin.
    pub fn to_supervisors(&self, frame: &Arc<str>) {
        self.send(
            |inner| {
                inner.conns.iter().filter(|(_, (who, _))| matches!(who, Who::User { supervisor: true, .. })).map(|(id, _)| *id).collect()
            },
            frame,
        );
    }

    fn send(&self, targets: impl FnOnce(&Inner) -> HashSet<u64>, frame: &Arc<str>) {
        let mut inner = self.inner.lock().expect("hub lock poisoned");
        let mut slow = vec![];
        for id in targets(&inner) {
            if let Some((_, tx)) = inner.conns.get(&id) {
                if tx.try_send(frame.clone()).is_err() {
                    slow.push(id);
                }
            }
        }
        // Dropping the sender closes the socket task; the client resumes from its cursor.
        for id in slow {
            if let Some((who, _)) = inner.conns.remove(&id) {
                tracing::warn!(?who, "dropping a connection that does not keep up");
            }
        }
    }
}
