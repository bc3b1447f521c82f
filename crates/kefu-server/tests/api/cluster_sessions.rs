//! Revocations across nodes (a step of the cluster test in `cluster.rs`): every node remembers
//! callers for a few seconds, so a token used on every node must still be refused on every node
//! from the request after its logout (or its user's password change) on one of them.

use serde_json::json;

use crate::helpers::TestApp;

async fn me(app: &TestApp, token: &str) -> u16 {
    app.call("GET", "/api/v1/auth/me", Some(token), None).await.0
}

/// The supervisor logs out on the first node, then changes their password there while signed in
/// twice; the other nodes, which had just let both tokens in, refuse them at once.
pub async fn revocations_hold_on_every_node_at_once(apps: &[&TestApp]) {
    let (here, others) = apps.split_first().expect("nodes");
    let token = here.login("supervisor@demo.kefu", "demo-supervisor").await;
    for app in apps {
        assert_eq!(me(app, &token).await, 200, "each node now remembers the token");
    }
    assert_eq!(here.call("POST", "/api/v1/auth/logout", Some(&token), None).await.0, 204);
    for app in apps {
        assert_eq!(me(app, &token).await, 401, "logged out on one node: refused on {} at once", app.url(""));
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
        assert_eq!(me(app, &other).await, 401, "the other session ends on {} at once", app.url(""));
        assert_eq!(me(app, &kept).await, 200, "the changing session goes on");
    }
}
