//! Integration tests: the real server on a random port with a fresh data dir each.
//! All files build as one test binary.

mod helpers;

mod agent_status;
mod api_keys;
mod attachment_links;
mod audit_log;
mod auth_and_errors;
mod call_quality;
mod calls;
mod canned;
mod conversation_flow;
mod deceptive_text;
mod error_codes;
mod exposure;
mod facts;
mod floor_alerts;
mod group_commit;
mod identity;
mod identity_limits;
mod limits;
mod media_peer;
mod migrate_store;
mod notes;
mod offers;
mod outbound;
mod planning;
mod qa;
mod recording_crash;
mod recordings;
mod redaction;
mod reports;
mod restart;
mod search;
mod sessions;
mod snapshots;
mod tags;
mod take_over;
mod transfer_candidates;
mod webhooks;
mod workspace_lists;
mod wrap_up_codes;
