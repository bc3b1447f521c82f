//! Call homes (cluster): the first claim keeps the home; when it dies exactly one survivor moves
//! the call to itself, and only an active call whose home is still the dead node moves.

use kefu_store::NewCall;

use crate::support::{conversation, each_backend, group_and_visitor};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_survivor_moves_a_dead_homes_call() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let new = NewCall { conversation_id: id, media: "video", started_by: "visitor", answered: true };
        let mut tx = store.begin().await.unwrap();
        let call = tx.insert_call(&new, 100).await.unwrap().id;
        tx.commit().await.unwrap();
        assert!(!store.move_call_home(call, 1, 2, "127.0.0.1:2").await.unwrap(), "no home yet: nothing to move");
        assert_eq!(store.claim_call_home(call, 1, "127.0.0.1:1").await.unwrap(), (1, "127.0.0.1:1".into()));
        assert_eq!(store.claim_call_home(call, 2, "127.0.0.1:2").await.unwrap(), (1, "127.0.0.1:1".into()), "the first claim keeps it");

        // Two survivors of node 1 try at once: one wins, the call names it.
        let (a, b) = tokio::join!(store.move_call_home(call, 1, 2, "127.0.0.1:2"), store.move_call_home(call, 1, 3, "127.0.0.1:3"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a ^ b, "exactly one survivor moves the call: {a} {b}");
        let winner = if a { 2 } else { 3 };
        assert_eq!(store.call_home(call).await.unwrap(), Some((winner, format!("127.0.0.1:{winner}"))));
        assert_eq!(store.open_call_homes().await.unwrap(), [(call, winner)]);
        // A late survivor still naming the dead node changes nothing.
        assert!(!store.move_call_home(call, 1, 4, "127.0.0.1:4").await.unwrap());
        // The new home dies too: the call moves again, from it.
        assert!(store.move_call_home(call, winner, 4, "127.0.0.1:4").await.unwrap());

        // An ended call does not move.
        let mut tx = store.begin().await.unwrap();
        tx.end_call(call, "hangup", None, 200).await.unwrap().expect("was open");
        tx.commit().await.unwrap();
        assert!(!store.move_call_home(call, 4, 5, "127.0.0.1:5").await.unwrap(), "an ended call stays where it was");
        assert_eq!(store.call_home(call).await.unwrap(), Some((4, "127.0.0.1:4".into())));
    })
    .await;
}
