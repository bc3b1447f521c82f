//! The maturity assessment's inputs: the questionnaire's answers (one per question, for the
//! organisation) and the counts of what is in use (integrations, planning, QA, tags, video).
//! The scoring is kefu-insight's; the figures of service (SL, FCR, CSAT) come from the report
//! read model through [`Store::contact_sums`].

use crate::{Result, Store};

/// What is in use, counted over a window of conversations (those that queued in it).
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(missing_docs)]
pub struct UsageCounts {
    pub channels_in_use: i64,
    pub conversations: i64,
    pub video_conversations: i64,
    pub tagged: i64,
    pub qa_scored: i64,
    pub qa_reviewed: i64,
    pub business_types: i64,
    pub alert_levels: i64,
    pub forecast_groups: i64,
    pub schedules: i64,
    pub webhooks: i64,
    pub api_keys: i64,
    pub widgets: i64,
    pub exports: i64,
}

impl Store {
    /// The questionnaire's answers: (question, 0-3).
    pub async fn maturity_answers(&self) -> Result<Vec<(String, i64)>> {
        on_pool!(self, |pool| Ok(sqlx::query_as("SELECT question, answer FROM maturity_answers ORDER BY question").fetch_all(pool).await?))
    }

    /// Save answers (each replaces the question's earlier one), all or none.
    pub async fn save_maturity_answers(&self, answers: &[(String, i64)], by: Option<i64>, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            for (question, answer) in answers {
                sqlx::query(
                    "INSERT INTO maturity_answers (question, answer, answered_by, answered_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (question) DO UPDATE SET answer = excluded.answer, answered_by = excluded.answered_by, answered_at = excluded.answered_at",
                )
                .bind(question)
                .bind(answer)
                .bind(by)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    }

    /// What is in use: conversation counts over `from..to` (by when they queued, left messages
    /// out), configuration as it stands now.
    pub async fn usage_counts(&self, from: i64, to: i64) -> Result<UsageCounts> {
        const WINDOW: &str = "r.queued_at >= $1 AND r.queued_at < $2 AND r.left_message = FALSE";
        let windowed = [
            format!("SELECT COUNT(DISTINCT r.channel) FROM report_contacts r WHERE {WINDOW}"),
            format!("SELECT COUNT(*) FROM report_contacts r WHERE {WINDOW}"),
            format!(
                "SELECT COUNT(*) FROM report_contacts r WHERE {WINDOW} AND EXISTS
                   (SELECT 1 FROM calls c WHERE c.conversation_id = r.conversation_id AND c.media = 'video' AND c.answered_at IS NOT NULL)"
            ),
            format!("SELECT COUNT(*) FROM report_contacts r WHERE {WINDOW} AND EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = r.conversation_id)"),
            format!("SELECT COUNT(*) FROM report_contacts r JOIN qa_results q ON q.conversation_id = r.conversation_id WHERE {WINDOW}"),
            format!("SELECT COUNT(*) FROM report_contacts r JOIN qa_reviews q ON q.conversation_id = r.conversation_id WHERE {WINDOW}"),
            "SELECT COUNT(*) FROM report_exports WHERE created_at >= $1 AND created_at < $2".to_string(),
        ];
        let standing = [
            "SELECT COUNT(*) FROM business_types",
            "SELECT COUNT(*) FROM group_alert_thresholds",
            "SELECT COUNT(*) FROM (SELECT group_id FROM planning_settings UNION SELECT group_id FROM planning_history) g",
            "SELECT COUNT(*) FROM planning_schedules",
            "SELECT COUNT(*) FROM webhooks WHERE active = TRUE",
            "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL",
            "SELECT COUNT(*) FROM settings WHERE substr(key, 1, 7) = 'widget:'",
        ];
        on_pool!(self, |pool| {
            let mut w = Vec::with_capacity(windowed.len());
            for sql in &windowed {
                w.push(sqlx::query_scalar::<_, i64>(sql).bind(from).bind(to).fetch_one(pool).await?);
            }
            let mut s = Vec::with_capacity(standing.len());
            for sql in standing {
                s.push(sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?);
            }
            Ok(UsageCounts {
                channels_in_use: w[0],
                conversations: w[1],
                video_conversations: w[2],
                tagged: w[3],
                qa_scored: w[4],
                qa_reviewed: w[5],
                exports: w[6],
                business_types: s[0],
                alert_levels: s[1],
                forecast_groups: s[2],
                schedules: s[3],
                webhooks: s[4],
                api_keys: s[5],
                widgets: s[6],
            })
        })
    }
}
