//! The maturity assessment for the organisation: Kefu's own figures of the last 30 days (and the
//! 30 before, for the CSAT trend) and configuration as it stands, plus the questionnaire's
//! answers, scored by kefu-insight. Organisation-wide for admins and supervisors alike: the model
//! rates the service center, not a group.

use std::collections::BTreeMap;

use kefu_insight::{ConversationFigures, Dimension, Evidence, MaturityQuestion, QUESTIONS};

use crate::clock::{now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::reports::cell;
use crate::state::AppState;
use crate::views::{MaturityAssessment, MaturityQuestionView};

const WINDOW_MS: i64 = 30 * 86_400_000;

fn question(word: &str) -> Option<MaturityQuestion> {
    serde_json::from_value(serde_json::Value::String(word.into())).ok()
}

/// The figures of conversations queued in `from..to`, all groups.
async fn figures(state: &AppState, from: i64, to: i64) -> ApiResult<ConversationFigures> {
    let rules = kefu_store::SumRules {
        targets_ms: state.store.service_level_targets().await?.into_iter().filter_map(|(g, t)| Some((g, t? * 1000))).collect(),
        default_target_ms: i64::from(state.config.service_level_target_secs) * 1000,
        short_abandon_ms: i64::from(state.config.short_abandon_secs) * 1000,
        fcr_window_ms: i64::from(state.config.fcr_window_days) * 86_400_000,
        groups: None,
        business_types: None,
        channels: None,
    };
    let mut sum = ConversationFigures::default();
    for s in state.store.contact_sums(from, to, kefu_store::ContactKey::Total, &rules).await? {
        sum.add(&cell(s, Dimension::Total).2);
    }
    sum.finish();
    Ok(sum)
}

/// The stored answers, by question (unknown stored words are left out).
pub async fn answers(state: &AppState) -> ApiResult<BTreeMap<MaturityQuestion, u8>> {
    Ok(state.store.maturity_answers().await?.into_iter().filter_map(|(q, a)| Some((question(&q)?, u8::try_from(a).ok()?))).collect())
}

/// The assessment as it stands now.
pub async fn assessment(state: &AppState) -> ApiResult<MaturityAssessment> {
    let now = now_ms();
    let from = now - WINDOW_MS;
    let (current, previous) = (figures(state, from, now).await?, figures(state, from - WINDOW_MS, from).await?);
    let u = state.store.usage_counts(from, now).await?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let c = |v: i64| u32::try_from(v).unwrap_or(0);
    let evidence = Evidence {
        channels_in_use: c(u.channels_in_use),
        conversations: n(u.conversations),
        video_conversations: n(u.video_conversations),
        service_level: current.service_level,
        fcr_rate: current.fcr_rate,
        handled: current.handled,
        csat_count: current.csat_count,
        csat_average: current.csat_average,
        csat_previous: previous.csat_average,
        qa_scored: n(u.qa_scored),
        qa_reviewed: n(u.qa_reviewed),
        tagged: n(u.tagged),
        business_types: c(u.business_types),
        alert_levels: c(u.alert_levels),
        forecast_groups: c(u.forecast_groups),
        schedules: c(u.schedules),
        webhooks: c(u.webhooks),
        api_keys: c(u.api_keys),
        widgets: c(u.widgets),
        exports: c(u.exports),
    };
    let answers = answers(state).await?;
    Ok(MaturityAssessment {
        window_from: rfc3339(from),
        window_to: rfc3339(now),
        dimensions: kefu_insight::assess(&evidence, &answers),
        questions: QUESTIONS
            .iter()
            .map(|(q, d)| MaturityQuestionView { question: *q, dimension: *d, answer: answers.get(q).copied() })
            .collect(),
    })
}

/// MaturityCheck and save answers: every key a question, every answer 0-3; nothing saved otherwise.
pub async fn save_answers(state: &AppState, by: Option<i64>, given: &BTreeMap<String, i64>) -> ApiResult<()> {
    if given.is_empty() {
        return Err(ApiError::invalid("answers: at least one answer"));
    }
    let mut rows = Vec::with_capacity(given.len());
    for (q, a) in given {
        if question(q).is_none() {
            let known: Vec<String> =
                QUESTIONS.iter().filter_map(|(q, _)| serde_json::to_value(q).ok()?.as_str().map(str::to_string)).collect();
            return Err(ApiError::invalid(format!("answers: {q:?} is not a question (one of {})", known.join(", "))));
        }
        if !(0..=i64::from(kefu_insight::MAX_ANSWER)).contains(a) {
            return Err(ApiError::invalid(format!("answers.{q}: 0 (not at all) to 3 (fully), not {a}")));
        }
        rows.push((q.clone(), *a));
    }
    state.store.save_maturity_answers(&rows, by, now_ms()).await?;
    Ok(())
}
