//! Staff, customers, groups, business types, wrap-up codes, canned responses.

use kefu_core::{AgentStatusKind, Role, Strategy};
use kefu_store::{BusinessTypeRow, CannedFields, GroupRow, KnownCustomer, NewUser, Store, StoreError};

use crate::support::{conversation, each_backend, group_and_visitor};

fn user<'a>(email: &'a str, role: Role) -> NewUser<'a> {
    NewUser { email, name: "N", role, password_hash: "h", capacity_chat: 5, capacity_call: 1 }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn users_keep_one_enabled_admin_even_when_two_demote_each_other() {
    each_backend(|store: Store| async move {
        let a = store.create_user(user("a@x", Role::Admin), 1).await.unwrap();
        let b = store.create_user(user("b@x", Role::Admin), 1).await.unwrap();
        assert!(store.create_user(user("A@x", Role::Agent), 1).await.is_ok(), "emails differ by case only in lookups");
        assert!(matches!(store.create_user(user("a@x", Role::Agent), 1).await, Err(StoreError::Conflict(_))));
        assert_eq!(store.user_by_email("B@X").await.unwrap().map(|u| u.id), Some(b));
        // Both admins demote (or disable) the other at the same moment: one must stay. Rounds,
        // because a race shows only sometimes.
        let (mut a, mut b) = (a, b);
        for round in 0..6 {
            let disable = round % 2 == 1;
            let (ra, rb) = if disable {
                tokio::join!(
                    store.update_user(b, None, None, None, None, Some(false)),
                    store.update_user(a, None, None, None, None, Some(false))
                )
            } else {
                tokio::join!(
                    store.update_user(b, None, Some(Role::Agent), None, None, None),
                    store.update_user(a, None, Some(Role::Agent), None, None, None)
                )
            };
            assert_eq!(ra.is_ok() as u8 + rb.is_ok() as u8, 1, "round {round}: {ra:?} {rb:?}");
            let admins: Vec<i64> =
                store.users().await.unwrap().into_iter().filter(|u| u.role == Role::Admin && u.enabled).map(|u| u.id).collect();
            assert_eq!(admins.len(), 1, "round {round}");
            (a, b) = (admins[0], store.create_user(user(&format!("admin{round}@x"), Role::Admin), 1).await.unwrap());
        }
        assert!(matches!(store.update_user(999, Some("x"), None, None, None, None).await, Err(StoreError::NotFound)));
        store.set_password(a, "h2", true).await.unwrap();
        store.set_user_status(a, AgentStatusKind::Away, Some("lunch"), None).await.unwrap();
        let u = store.user(a).await.unwrap();
        assert_eq!((u.password_hash.as_str(), u.must_change_password, u.status), ("h2", true, AgentStatusKind::Away));
        assert_eq!(store.user_count().await.unwrap(), 9);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn known_customers_are_upserted_by_external_id() {
    each_backend(|store| async move {
        let c = KnownCustomer {
            external_id: "crm-1",
            name: "Li",
            vip_level: 2,
            attributes: "{}",
            designated_agent_id: None,
            locale: Some("zh-CN"),
        };
        let first = store.upsert_customer(&c, 1).await.unwrap();
        let again = store.upsert_customer(&KnownCustomer { name: "Li Lei", vip_level: 3, locale: None, ..c }, 2).await.unwrap();
        assert_eq!(first.id, again.id);
        assert_eq!((again.name.as_str(), again.vip_level, again.locale.as_deref()), ("Li Lei", 3, Some("zh-CN")));
        store.set_visitor_blocked(first.id, Some(("abuse", None, 3))).await.unwrap();
        assert_eq!(store.customer_block("crm-1").await.unwrap().as_deref(), Some("abuse"));
        store.rename_visitor(first.id, "ignored").await.unwrap();
        assert_eq!(store.visitor(first.id).await.unwrap().name, "Li Lei", "a known customer's name is the CRM's");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn groups_business_types_and_codes_refuse_what_is_in_use() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        // A taken name names its rule as SQLite words it, on both engines (the API tells the
        // form which field is taken by it).
        match store.save_group(&GroupRow::new("support"), 1).await {
            Err(StoreError::Conflict(m)) => assert!(m.contains("skill_groups.name"), "{m}"),
            other => panic!("a taken group name is a conflict: {other:?}"),
        }
        let mut g = store.group(group).await.unwrap();
        g.strategy = Strategy::RoundRobin;
        g.overflow_after_secs = Some(60);
        assert_eq!(store.save_group(&g, 2).await.unwrap(), group);
        assert_eq!(store.groups().await.unwrap()[0].strategy, Strategy::RoundRobin);
        assert!(matches!(store.save_group(&GroupRow { id: 999, ..g.clone() }, 2).await, Err(StoreError::NotFound)));

        let agent = store.create_user(user("ag@x", Role::Agent), 1).await.unwrap();
        store.set_members(group, &[(agent, 3)]).await.unwrap();
        assert_eq!(store.members().await.unwrap().iter().map(|m| (m.agent_id, m.skill_level)).collect::<Vec<_>>(), [(agent, 3)]);

        let bt = BusinessTypeRow { id: 0, name: "billing".into(), group_id: group, min_skill_level: 2, names: "{}".into() };
        let bt_id = store.save_business_type(&bt).await.unwrap();
        match store.save_business_type(&bt).await {
            Err(StoreError::Conflict(m)) => assert!(m.contains("business_types.name"), "{m}"),
            other => panic!("a taken business type name is a conflict: {other:?}"),
        }
        assert!(matches!(store.delete_group(group).await, Err(StoreError::Conflict(_))), "a business type routes to it");
        store.delete_business_type(bt_id).await.unwrap();
        conversation(&store, group, visitor).await;
        assert!(matches!(store.delete_group(group).await, Err(StoreError::Conflict(_))), "a conversation is in it");
        let empty = store.save_group(&GroupRow::new("empty"), 3).await.unwrap();
        store.delete_group(empty).await.unwrap();
        assert!(matches!(store.delete_group(empty).await, Err(StoreError::NotFound)));

        let code = store.create_wrap_up_code("solved", "Solved").await.unwrap();
        assert!(matches!(store.create_wrap_up_code("solved", "Again").await, Err(StoreError::Conflict(_))));
        assert_eq!(store.wrap_up_codes().await.unwrap().len(), 1);
        store.delete_wrap_up_code(code).await.unwrap();
        assert!(matches!(store.delete_wrap_up_code(code).await, Err(StoreError::NotFound)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn canned_shortcuts_are_unique_per_library() {
    each_backend(|store| async move {
        let agent = store.create_user(user("ag@x", Role::Agent), 1).await.unwrap();
        let f = CannedFields { category: "", shortcut: "hi", title: "Hi", body: "Hello {{name}}" };
        let team = store.create_canned_response(None, &f, 1).await.unwrap();
        assert!(matches!(store.create_canned_response(None, &f, 2).await, Err(StoreError::Conflict(_))));
        let mine = store.create_canned_response(Some(agent), &f, 3).await.unwrap();
        assert!(matches!(store.create_canned_response(Some(agent), &f, 4).await, Err(StoreError::Conflict(_))));
        let listed = store.canned_responses(agent, None).await.unwrap();
        assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [team, mine], "team first");
        assert_eq!(store.canned_responses(0, None).await.unwrap().len(), 1, "an API key sees the team's");
        let bye = CannedFields { shortcut: "bye", category: "end", ..f.clone() };
        store.update_canned_response(mine, &bye, 5).await.unwrap();
        assert_eq!(store.canned_responses(agent, Some("end")).await.unwrap().len(), 1);
        assert!(matches!(store.update_canned_response(mine, &f, 6).await, Ok(())), "its own library again: free");
        store.delete_canned_response(mine).await.unwrap();
        assert!(matches!(store.canned_response(mine).await, Err(StoreError::NotFound)));
    })
    .await;
}
