//! The store's contract: one suite of its behaviour, run against SQLite always and against
//! PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set (`scripts/with-postgres.sh` sets it).

mod support;

mod agent_facts;
mod agent_tools;
mod audit;
mod call_end_migration;
mod call_homes;
mod calls;
mod cluster_turns;
mod conversations;
mod copy;
mod directory;
mod fact_locks;
mod floor_alerts;
mod insight_reads;
mod late_facts;
mod late_facts_contacts;
mod message_batch;
mod model_builds;
mod outbox;
mod planning;
mod qa;
mod reasons_model;
mod recordings;
mod routing_batch;
mod search;
mod sentiment;
mod sessions;
