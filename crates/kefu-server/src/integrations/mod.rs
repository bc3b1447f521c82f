//! Talking to integrators' systems: webhook delivery from the outbox.

pub mod webhooks;
