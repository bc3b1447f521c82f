//! Talking to integrators' systems: the guarded outbound HTTP client, webhook delivery from the outbox.

pub mod outbound;
pub mod webhooks;
