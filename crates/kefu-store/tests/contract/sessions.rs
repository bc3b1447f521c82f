//! Tokens (by hash), API keys, settings.

use kefu_store::{StoreError, TokenOwner};

use crate::support::{each_backend, group_and_visitor};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokens_live_until_revoked_expired_or_their_visitor_is_blocked() {
    each_backend(|store| async move {
        let (_, visitor) = group_and_visitor(&store).await;
        let owner = TokenOwner::Visitor(visitor);
        store.create_session("h1", owner, 0, 1000).await.unwrap();
        store.create_session("h2", owner, 0, 1000).await.unwrap();
        assert!(matches!(store.create_session("h1", owner, 0, 1000).await, Err(StoreError::Conflict(_))));
        assert_eq!(store.session_owner("h1", 10).await.unwrap(), Some(owner));
        assert_eq!(store.session_owner("h1", 1000).await.unwrap(), None, "expired");
        assert_eq!(store.session_end_reason("h1", 1000).await.unwrap(), Some("expired"));
        assert_eq!(store.session_end_reason("h1", 10).await.unwrap(), None);
        assert_eq!(store.session_expires_at("h1").await.unwrap(), Some(1000));
        assert_eq!(store.live_sessions(owner, 10).await.unwrap(), 2);
        store.revoke_session("h2", 20).await.unwrap();
        assert_eq!(store.session_end_reason("h2", 30).await.unwrap(), Some("revoked"));
        assert_eq!(store.live_sessions(owner, 30).await.unwrap(), 1);
        store.set_visitor_blocked(visitor, Some(("spam", None, 40))).await.unwrap();
        assert_eq!(store.session_owner("h1", 50).await.unwrap(), None);
        assert_eq!(store.session_end_reason("h1", 50).await.unwrap(), Some("blocked"));
        let back = store.set_visitor_blocked(visitor, None).await.unwrap();
        assert_eq!(back.blocked_at, None);
        store.revoke_visitor_sessions(visitor, 60).await.unwrap();
        assert_eq!(store.live_sessions(owner, 70).await.unwrap(), 0);
        assert_eq!(store.session_end_reason("nope", 0).await.unwrap(), Some("revoked"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn api_keys_and_settings() {
    each_backend(|store| async move {
        let key = store.create_api_key("crm", "kf_ab", "hash-1", "[\"conversations:read\"]", 5).await.unwrap();
        assert!(matches!(store.create_api_key("dup", "kf_ab", "hash-1", "[]", 6).await, Err(StoreError::Conflict(_))));
        assert_eq!(store.api_key_by_hash("hash-1").await.unwrap().map(|k| k.id), Some(key.id));
        assert_eq!(store.api_keys().await.unwrap().len(), 1);
        assert!(store.revoke_api_key(key.id, 7).await.unwrap());
        assert!(!store.revoke_api_key(key.id, 8).await.unwrap());
        assert!(store.api_key_by_hash("hash-1").await.unwrap().is_none());

        store.set_setting("widget.color", "red").await.unwrap();
        store.set_setting("widget.color", "blue").await.unwrap();
        store.set_setting("widget.title", "Hi").await.unwrap();
        store.set_setting("other", "x").await.unwrap();
        assert_eq!(store.setting("widget.color").await.unwrap().as_deref(), Some("blue"));
        let widget = store.settings_with_prefix("widget.").await.unwrap();
        assert_eq!(widget, [("widget.color".to_string(), "blue".to_string()), ("widget.title".into(), "Hi".into())]);
        assert!(store.delete_setting("other").await.unwrap());
        assert!(!store.delete_setting("other").await.unwrap());
        assert!(store.ping().await);
    })
    .await;
}

#[tokio::test]
async fn a_store_shows_its_backend_but_never_its_password() {
    let Some(base) = kefu_store::testing::postgres_url_from_env() else { return };
    let url = kefu_store::testing::fresh_postgres_url(&base).await.unwrap();
    let store = kefu_store::Store::connect(&url).await.unwrap();
    let shown = format!("{store:?}");
    assert!(shown.contains("Postgres") && !shown.contains("search_path") && !shown.contains("kefu@"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shared_rate_counters_add_up_give_back_and_prune() {
    each_backend(|store| async move {
        let a = store.take_rate("visitors", "203.0.113.9", 60_000, 0, 5).await.unwrap();
        assert_eq!((a.current, a.previous), (5, 0));
        store.take_rate("visitors", "203.0.113.9", 0, -60_000, 7).await.unwrap();
        let b = store.take_rate("visitors", "203.0.113.9", 60_000, 0, 3).await.unwrap();
        assert_eq!((b.current, b.previous), (8, 7), "both nodes' takes, and the window before");
        store.give_back_rate("visitors", "203.0.113.9", 60_000, 2).await.unwrap();
        assert_eq!(store.take_rate("visitors", "203.0.113.9", 60_000, 0, 1).await.unwrap().current, 7);
        assert_eq!(store.take_rate("messages", "203.0.113.9", 60_000, 0, 1).await.unwrap().current, 1, "one counter per limit");

        for at in [100, 100, 200] {
            store.add_login_failure("account:a@x.y", at).await.unwrap();
        }
        assert_eq!(store.login_failures("account:a@x.y", 0).await.unwrap(), [100, 100, 200]);
        assert_eq!(store.login_failures("account:a@x.y", 150).await.unwrap(), [200]);
        store.clear_login_failures("account:a@x.y").await.unwrap();
        assert!(store.login_failures("account:a@x.y", 0).await.unwrap().is_empty());

        store.add_login_failure("ip:203.0.113.9", 100).await.unwrap();
        assert_eq!(store.prune_rates(60_000, 1000).await.unwrap(), 2, "the older window and the failure");
        assert_eq!(store.login_failures("ip:203.0.113.9", 0).await.unwrap(), Vec::<i64>::new());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_caller_comes_with_the_users_role_and_password_flag_in_one_read() {
    use kefu_core::Role;
    use kefu_store::{LiveSession, NewUser, SessionCaller};
    each_backend(|store| async move {
        let (_, visitor) = group_and_visitor(&store).await;
        let user = store
            .create_user(
                NewUser { email: "s@x", name: "S", role: Role::Supervisor, password_hash: "h", capacity_chat: 5, capacity_call: 1 },
                1,
            )
            .await
            .unwrap();
        store.create_session("u", TokenOwner::User(user), 0, 1000).await.unwrap();
        store.create_session("v", TokenOwner::Visitor(visitor), 0, 1000).await.unwrap();
        let expected = SessionCaller::User { id: user, role: Role::Supervisor, must_change_password: false };
        assert_eq!(store.session_caller("u", 10).await.unwrap(), Some(LiveSession { caller: expected, expires_at: 1000 }));
        let visitor_caller = SessionCaller::Visitor(visitor);
        assert_eq!(store.session_caller("v", 10).await.unwrap(), Some(LiveSession { caller: visitor_caller, expires_at: 1000 }));
        assert_eq!(store.session_caller("u", 1000).await.unwrap(), None, "expired");
        assert_eq!(store.session_caller("nope", 10).await.unwrap(), None);
        store.revoke_user_sessions(user, 20).await.unwrap();
        assert_eq!(store.session_caller("u", 30).await.unwrap(), None, "revoked");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_visitor_created_with_their_session_is_both_or_neither() {
    each_backend(|store| async move {
        let v = store.create_visitor_with_session("访客1", Some("zh-CN"), "hv", 5, 1000).await.unwrap();
        assert_eq!(format!("{v:?}"), format!("{:?}", store.visitor(v.id).await.unwrap()), "the row as stored");
        assert_eq!((v.name.as_str(), v.locale.as_deref()), ("访客1", Some("zh-CN")));
        assert_eq!(store.session_owner("hv", 10).await.unwrap(), Some(TokenOwner::Visitor(v.id)));
        assert_eq!(store.session_expires_at("hv").await.unwrap(), Some(1000));
        // A token hash already taken: no session, and no visitor left without one.
        let failed = store.create_visitor_with_session("访客2", None, "hv", 6, 1000).await;
        assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
        assert!(matches!(store.visitor(v.id + 1).await, Err(StoreError::NotFound)), "the visitor rolled back with the session");
        let next = store.create_visitor_with_session("访客3", None, "hw", 7, 1000).await.unwrap();
        assert_eq!(store.session_owner("hw", 10).await.unwrap(), Some(TokenOwner::Visitor(next.id)));
    })
    .await;
}
