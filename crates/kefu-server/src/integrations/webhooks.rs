//! Webhook delivery: rows written to the outbox in the same transaction as the change are POSTed
//! through the guarded outbound client with a timestamped HMAC-SHA256 signature, retried with
//! backoff, and survive restarts (they are rows).

use std::collections::BTreeMap;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::clock::now_ms;
use crate::integrations::outbound::{self, Outbound};
use crate::metrics::Metrics;

use kefu_store::{DeliveryRow, Store, WebhookRow};

/// Events a webhook can subscribe to.
pub const EVENTS: [&str; 8] = [
    "conversation.created",
    "conversation.queued",
    "conversation.assigned",
    "conversation.transferred",
    "conversation.closed",
    "message.created",
    "call.started",
    "call.ended",
];

/// Retry delays after each failed attempt; after the last one the delivery is marked failed.
/// How long a claimed delivery is held by the node delivering it before another may retry it
/// (that node died mid-round). A round of one webhook's deliveries, each with its own timeout,
/// finishes well within it.
const LEASE_MS: i64 = 5 * 60 * 1000;
const BACKOFF_SECS: [i64; 8] = [5, 30, 120, 600, 1800, 3600, 7200, 21600];

/// `X-Kefu-Signature` of a body sent at `t` (Unix seconds): `t=<t>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>">`. The timestamp is signed too, so a captured delivery cannot be replayed later
/// by a receiver that checks it is recent.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Run the delivery loop forever.
pub async fn run(store: Store, outbound: Outbound, metrics: Metrics) {
    loop {
        let delivered = match deliver_due(&store, &outbound, &metrics).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = ?e, "webhook delivery loop failed");
                0
            }
        };
        if delivered == 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

async fn deliver_due(store: &Store, outbound: &Outbound, metrics: &Metrics) -> anyhow::Result<usize> {
    let due = store.claim_deliveries(now_ms(), 200, now_ms() + LEASE_MS).await?;
    // One slow or dead endpoint must not hold up the others: webhooks are served side by side,
    // each one's deliveries in order.
    let mut by_webhook: BTreeMap<i64, Vec<&DeliveryRow>> = BTreeMap::new();
    for d in &due {
        by_webhook.entry(d.webhook_id).or_default().push(d);
    }
    let results = futures::future::join_all(by_webhook.into_iter().map(|(webhook, deliveries)| async move {
        let Ok(hook) = store.webhook(webhook).await else { return Ok(()) };
        for d in deliveries {
            deliver(store, outbound, metrics, &hook, d).await?;
        }
        anyhow::Ok(())
    }))
    .await;
    results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    Ok(due.len())
}

/// One attempt, and its outcome recorded (delivered, retry later, or failed for good). The log
/// gets a summary ("HTTP 500", "timeout", "refused: private address"), never an error's text or
/// the response body: either would let an admin probe the network through the log.
async fn deliver(store: &Store, outbound: &Outbound, metrics: &Metrics, hook: &WebhookRow, d: &DeliveryRow) -> anyhow::Result<()> {
    let (ok, code, error) = match outbound.post(&hook.url) {
        Err(refusal) => (false, None, Some(outbound::refusal_summary(&refusal).to_string())),
        Ok(request) => {
            let result = request
                .header("content-type", "application/json")
                .header("x-kefu-event", &d.event)
                .header("x-kefu-delivery", d.id.to_string())
                .header("x-kefu-signature", signature(&hook.secret, now_ms() / 1000, d.payload.as_bytes()))
                .body(d.payload.clone())
                .send()
                .await;
            match result {
                Ok(resp) => {
                    let status = resp.status();
                    let code = i64::from(status.as_u16());
                    (status.is_success(), Some(code), (!status.is_success()).then(|| format!("HTTP {code}")))
                }
                Err(e) => (false, None, Some(outbound::failure_summary(&e).to_string())),
            }
        }
    };
    let now = now_ms();
    if ok {
        metrics.webhook_deliveries.inc();
        store.record_attempt(d.id, "delivered", code, None, now, now).await?;
    } else {
        metrics.webhook_failures.inc();
        let (status, next) = match BACKOFF_SECS.get(d.attempts as usize) {
            Some(delay) => ("pending", now + delay * 1000),
            None => ("failed", now),
        };
        store.record_attempt(d.id, status, code, error.as_deref(), next, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_matches_an_independent_hmac() {
        // python3: hmac.new(b"secret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        assert_eq!(
            super::signature("secret", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }
}
