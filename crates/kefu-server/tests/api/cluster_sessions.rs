//! Revocations across nodes (a step of the cluster test in `cluster.rs`): every node remembers
//! callers for a few seconds, yet a token used on every node is refused on every node at the
//! first request after its logout (or its user's password change) on one of them was answered:
//! the revoking node answers only once every live node confirmed it forgot the token. Also
//! measures how long a logout takes on the cluster.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::TestApp;

/// Logouts timed (each after the token was used on every node).
const TIMED_LOGOUTS: usize = 10;

async fn me(app: &TestApp, token: &str) -> u16 {
    app.call("GET", "/api/v1/auth/me", Some(token), None).await.0
}

/// The nodes (by address) that still let `token` in at the first request.
async fn still_letting_in(apps: &[&TestApp], token: &str) -> Vec<String> {
    let mut open = vec![];
    for app in apps {
        let status = me(app, token).await;
        if status != 401 {
            open.push(format!("{} ({status})", app.url("")));
        }
    }
    open
}

/// The supervisor logs out on the first node, then changes their password there while signed in
/// twice; the other nodes, which had just let both tokens in, refuse them at the next request.
pub async fn revocations_hold_on_every_node_at_once(apps: &[&TestApp]) {
    let (here, others) = apps.split_first().expect("nodes");
    let (mut took, mut late) = (vec![], vec![]);
    for _ in 0..TIMED_LOGOUTS {
        let token = here.login("supervisor@demo.kefu", "demo-supervisor").await;
        for app in apps {
            assert_eq!(me(app, &token).await, 200, "each node now remembers the token");
        }
        let start = Instant::now();
        assert_eq!(here.call("POST", "/api/v1/auth/logout", Some(&token), None).await.0, 204);
        took.push(start.elapsed());
        late.extend(still_letting_in(apps, &token).await);
    }
    took.sort_unstable();
    eprintln!(
        "logout on a {}-node cluster (token used on every node first), {TIMED_LOGOUTS} logouts: median {:.1} ms, max {:.1} ms",
        apps.len(),
        ms(took[took.len() / 2]),
        ms(took[took.len() - 1]),
    );
    assert!(late.is_empty(), "logged out on one node, the token still worked at the next request on {late:?}");

    let kept = here.login("supervisor@demo.kefu", "demo-supervisor").await;
    let other = here.login("supervisor@demo.kefu", "demo-supervisor").await;
    for app in apps {
        assert_eq!((me(app, &kept).await, me(app, &other).await), (200, 200));
    }
    let body = json!({ "current_password": "demo-supervisor", "new_password": "a-new-supervisor-password" });
    let (s, v) = here.call("PUT", "/api/v1/auth/password", Some(&kept), Some(body)).await;
    assert_eq!(s, 204, "{v}");
    let open = still_letting_in(apps, &other).await;
    assert!(open.is_empty(), "the other session still works after the password change on {open:?}");
    for app in others {
        assert_eq!(me(app, &kept).await, 200, "the changing session goes on");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A node that cannot answer (stalled by SIGSTOP: its NATS and PostgreSQL connections stay open,
/// so it still counts as live) does not hang a logout elsewhere: the logout is answered after the
/// revocation's bounded wait (2 s), not before; once the node runs again it refuses the token.
pub async fn a_stalled_node_delays_a_logout_by_the_bounded_wait(here: &TestApp, stalled: &TestApp, stalled_pid: u32) {
    let token = here.login("agent3@demo.kefu", "demo-agent").await;
    for app in [here, stalled] {
        assert_eq!(me(app, &token).await, 200, "each node remembers the token");
    }
    let pid = stalled_pid.to_string();
    let signal = |sig: &str| assert!(std::process::Command::new("kill").args([sig, &pid]).status().unwrap().success());
    signal("-STOP");
    let start = Instant::now();
    let (status, _) = here.call("POST", "/api/v1/auth/logout", Some(&token), None).await;
    let took = start.elapsed();
    signal("-CONT");
    assert_eq!(status, 204);
    eprintln!("logout while a node is stalled: answered after {:.0} ms", ms(took));
    assert!(took >= Duration::from_millis(1900), "the logout waited for the stalled node's confirmation ({took:?})");
    assert!(took < Duration::from_secs(6), "but not much longer than the bounded wait ({took:?})");
    // The session end is in the stalled node's NATS socket when it runs again: it is applied
    // within moments, and the database refuses the token meanwhile on every other node.
    assert_eq!(me(here, &token).await, 401);
    let back = Instant::now();
    while me(stalled, &token).await != 401 {
        assert!(back.elapsed() < Duration::from_secs(2), "the stalled node forgets the token once it runs again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
