//! Revocations across nodes (a step of the cluster test in `cluster.rs`): every node remembers
//! callers for a few seconds, so a token used on every node must be refused on every node right
//! after its logout (or its user's password change) on one of them. "Right after": the revoking
//! node returns once its eviction has left for NATS, and the other nodes evict when it reaches
//! them — milliseconds, but under load 10 a password change's was seen to arrive after the next
//! request, so the other nodes get a moment (and say how long they took).

use serde_json::json;

use crate::helpers::TestApp;

async fn me(app: &TestApp, token: &str) -> u16 {
    app.call("GET", "/api/v1/auth/me", Some(token), None).await.0
}

/// Whether `app` refuses `token` within two seconds; prints how long that took when not at once.
async fn refused_soon(app: &TestApp, token: &str) -> bool {
    let start = std::time::Instant::now();
    for attempt in 0.. {
        if me(app, token).await == 401 {
            if attempt > 0 {
                eprintln!("revoked on {} after {:?}", app.url(""), start.elapsed());
            }
            return true;
        }
        if start.elapsed() >= std::time::Duration::from_secs(2) {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    unreachable!("the attempts above go on until one returns")
}

/// The supervisor logs out on the first node, then changes their password there while signed in
/// twice; the other nodes, which had just let both tokens in, refuse them right after.
pub async fn revocations_hold_on_every_node_at_once(apps: &[&TestApp]) {
    let (here, others) = apps.split_first().expect("nodes");
    let token = here.login("supervisor@demo.kefu", "demo-supervisor").await;
    for app in apps {
        assert_eq!(me(app, &token).await, 200, "each node now remembers the token");
    }
    assert_eq!(here.call("POST", "/api/v1/auth/logout", Some(&token), None).await.0, 204);
    for app in apps {
        assert!(refused_soon(app, &token).await, "logged out on one node: refused on {} right after", app.url(""));
    }

    let kept = here.login("supervisor@demo.kefu", "demo-supervisor").await;
    let other = here.login("supervisor@demo.kefu", "demo-supervisor").await;
    for app in apps {
        assert_eq!((me(app, &kept).await, me(app, &other).await), (200, 200));
    }
    let body = json!({ "current_password": "demo-supervisor", "new_password": "a-new-supervisor-password" });
    let (s, v) = here.call("PUT", "/api/v1/auth/password", Some(&kept), Some(body)).await;
    assert_eq!(s, 204, "{v}");
    for app in others {
        assert!(refused_soon(app, &other).await, "the other session ends on {} right after", app.url(""));
        assert_eq!(me(app, &kept).await, 200, "the changing session goes on");
    }
}
