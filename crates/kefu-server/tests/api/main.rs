//! Integration tests: the real server on a random port with a fresh data dir each.
//! All files build as one test binary.

mod helpers;

mod auth_and_errors;
mod conversation_flow;
mod identity;
mod limits;
mod restart;
mod webhooks;
