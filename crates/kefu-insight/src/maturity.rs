//! The maturity assessment: the four dimensions of the 2022 video customer service report's
//! model (渠道管理 channel management, 客户体验 customer experience, 流程再造 process
//! re-engineering, 数据洞察 data insight), each at one of four levels (服务驱动 service-driven,
//! 流程驱动 process-driven, 客户/业务驱动 customer/business-driven, 体验驱动 experience-driven).
//!
//! Each dimension is a ladder: every level above the first has checks — figures from Kefu's own
//! data against a target, or a questionnaire answer for what data cannot show. A dimension stands
//! on the highest level whose checks, and those of every level below, all pass; its score adds
//! the share of the next level's checks already passed (so the radar moves before the level
//! does). The failing checks of the next level are what would move it up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A dimension of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaturityDimension {
    /// 渠道管理.
    ChannelManagement,
    /// 客户体验.
    CustomerExperience,
    /// 流程再造.
    ProcessReengineering,
    /// 数据洞察.
    DataInsight,
}

/// A level of the model, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaturityLevel {
    /// 服务驱动: answering what comes in.
    ServiceDriven = 1,
    /// 流程驱动: measured, routed and managed by process.
    ProcessDriven = 2,
    /// 客户/业务驱动: organised around customers and the business's needs.
    CustomerDriven = 3,
    /// 体验驱动: designed from the customer's experience end to end.
    ExperienceDriven = 4,
}

impl MaturityLevel {
    fn from_number(n: u8) -> MaturityLevel {
        match n {
            0 | 1 => MaturityLevel::ServiceDriven,
            2 => MaturityLevel::ProcessDriven,
            3 => MaturityLevel::CustomerDriven,
            _ => MaturityLevel::ExperienceDriven,
        }
    }
}

/// A question of the self-assessment, answered 0 (not at all) to 3 (fully); 2 or more passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaturityQuestion {
    /// A customer gets the same answer and their history follows them on every channel.
    ChannelConsistent,
    /// Channels are designed from customer journeys; moving between them needs no repeating.
    ChannelJourney,
    /// Low scores and complaints are followed up with the customer within a set time.
    CxFollowUp,
    /// Customer experience has an owner and goals across business units.
    CxOwned,
    /// Service processes (SOPs, knowledge) are written down and reviewed regularly.
    ProcessDocumented,
    /// Top contact reasons go back to the business to remove their cause.
    ProcessFromReasons,
    /// Service figures are reviewed with business units every month.
    DataShared,
    /// Service data drives decisions outside the service center (product, marketing, risk).
    DataDrivesBusiness,
}

/// Every question, with the dimension it belongs to, in the order the page asks them.
pub const QUESTIONS: [(MaturityQuestion, MaturityDimension); 8] = [
    (MaturityQuestion::ChannelConsistent, MaturityDimension::ChannelManagement),
    (MaturityQuestion::ChannelJourney, MaturityDimension::ChannelManagement),
    (MaturityQuestion::CxFollowUp, MaturityDimension::CustomerExperience),
    (MaturityQuestion::CxOwned, MaturityDimension::CustomerExperience),
    (MaturityQuestion::ProcessDocumented, MaturityDimension::ProcessReengineering),
    (MaturityQuestion::ProcessFromReasons, MaturityDimension::ProcessReengineering),
    (MaturityQuestion::DataShared, MaturityDimension::DataInsight),
    (MaturityQuestion::DataDrivesBusiness, MaturityDimension::DataInsight),
];

/// The highest answer.
pub const MAX_ANSWER: u8 = 3;
const ANSWER_PASSES: f64 = 2.0;

/// What Kefu's data shows, over the assessment's window (the caller's: the last 30 days).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Channels conversations came in by.
    pub channels_in_use: u32,
    /// Conversations that queued (left messages not counted).
    pub conversations: u64,
    /// Of those, with an answered video call.
    pub video_conversations: u64,
    /// Service level.
    pub service_level: Option<f64>,
    /// First-contact resolution rate.
    pub fcr_rate: Option<f64>,
    /// Conversations closed by their agent (handled).
    pub handled: u64,
    /// CSAT answers.
    pub csat_count: u64,
    /// CSAT average.
    pub csat_average: Option<f64>,
    /// CSAT average of the window before (the trend).
    pub csat_previous: Option<f64>,
    /// Handled conversations with an automatic QA score.
    pub qa_scored: u64,
    /// Conversations reviewed by a person.
    pub qa_reviewed: u64,
    /// Conversations with a contact reason (tag).
    pub tagged: u64,
    /// Business types configured (routing by what the customer needs).
    pub business_types: u32,
    /// Skill groups with wallboard alert levels of their own.
    pub alert_levels: u32,
    /// Skill groups with forecasting set up (planning settings or imported history).
    pub forecast_groups: u32,
    /// Saved schedules.
    pub schedules: u32,
    /// Active webhooks.
    pub webhooks: u32,
    /// API keys not revoked.
    pub api_keys: u32,
    /// Widgets configured.
    pub widgets: u32,
    /// Report exports in the window.
    pub exports: u32,
}

/// Where a check's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CheckSource {
    /// Kefu's own figures.
    Data,
    /// The self-assessment questionnaire.
    Questionnaire,
}

/// One requirement of a level, and how it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaturityCheck {
    /// What is checked (`video_share`, `csat_average`, a question …): the page words it.
    pub key: String,
    /// The level (2-4) it belongs to.
    pub level: u8,
    /// Figures or questionnaire.
    pub source: CheckSource,
    /// The value seen (a share as 0-1; an answer 0-3); null when nothing could be measured.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub value: Option<f64>,
    /// The least value that passes.
    pub target: f64,
    /// value >= target.
    pub passed: bool,
}

/// One dimension's assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DimensionScore {
    /// The dimension.
    pub dimension: MaturityDimension,
    /// The level it stands on.
    pub level: MaturityLevel,
    /// The level as a number, 1-4.
    pub level_number: u8,
    /// MaturityLevel plus the share of the next level's checks passed (1.0-4.0): the radar's value.
    pub score: f64,
    /// Every check of levels 2-4, with the values seen: the evidence.
    pub checks: Vec<MaturityCheck>,
    /// The failing checks of the next level: what would move it up (empty at the top).
    pub next: Vec<MaturityCheck>,
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

struct Ladder<'a> {
    checks: Vec<MaturityCheck>,
    answers: &'a BTreeMap<MaturityQuestion, u8>,
}

impl Ladder<'_> {
    fn data(&mut self, level: u8, key: &str, value: Option<f64>, target: f64) {
        // A small tolerance so a share computed as 5/100 passes a 0.05 target.
        let passed = value.is_some_and(|v| v + 1e-9 >= target);
        self.checks.push(MaturityCheck { key: key.into(), level, source: CheckSource::Data, value, target, passed });
    }

    fn count(&mut self, level: u8, key: &str, value: u64, target: u64) {
        self.data(level, key, Some(value as f64), target as f64);
    }

    fn asked(&mut self, level: u8, q: MaturityQuestion) {
        let value = self.answers.get(&q).map(|a| f64::from(*a));
        let key = serde_key(q);
        self.checks.push(MaturityCheck {
            key,
            level,
            source: CheckSource::Questionnaire,
            value,
            target: ANSWER_PASSES,
            passed: value.is_some_and(|v| v >= ANSWER_PASSES),
        });
    }
}

/// The snake_case wire name of a question (as serde renames it), without a JSON dependency.
fn serde_key(q: MaturityQuestion) -> String {
    let mut out = String::new();
    for (i, ch) in format!("{q:?}").chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

fn checks(dimension: MaturityDimension, e: &Evidence, answers: &BTreeMap<MaturityQuestion, u8>) -> Vec<MaturityCheck> {
    let mut l = Ladder { checks: vec![], answers };
    let video_share = ratio(e.video_conversations, e.conversations);
    let tag_coverage = ratio(e.tagged, e.conversations);
    let qa_share = ratio(e.qa_scored, e.handled);
    let reviewed_share = ratio(e.qa_reviewed, e.handled);
    match dimension {
        MaturityDimension::ChannelManagement => {
            l.count(2, "widgets", e.widgets.into(), 1);
            l.count(2, "channels_in_use", e.channels_in_use.into(), 2);
            l.count(3, "channels_in_use", e.channels_in_use.into(), 3);
            l.data(3, "video_share", video_share, 0.05);
            l.asked(3, MaturityQuestion::ChannelConsistent);
            l.data(4, "video_share", video_share, 0.20);
            l.data(4, "service_level", e.service_level, 0.80);
            l.asked(4, MaturityQuestion::ChannelJourney);
        }
        MaturityDimension::CustomerExperience => {
            l.data(2, "csat_response_rate", ratio(e.csat_count, e.handled), 0.10);
            l.data(2, "service_level", e.service_level, 0.60);
            l.data(3, "csat_average", e.csat_average, 4.0);
            l.data(3, "fcr_rate", e.fcr_rate, 0.70);
            l.asked(3, MaturityQuestion::CxFollowUp);
            l.data(4, "csat_average", e.csat_average, 4.5);
            // The trend: this window's average against the one before; not falling passes.
            l.data(4, "csat_trend", e.csat_average.zip(e.csat_previous).map(|(now, before)| now - before), 0.0);
            l.data(4, "fcr_rate", e.fcr_rate, 0.85);
            l.asked(4, MaturityQuestion::CxOwned);
        }
        MaturityDimension::ProcessReengineering => {
            l.count(2, "business_types", e.business_types.into(), 1);
            l.asked(2, MaturityQuestion::ProcessDocumented);
            l.data(3, "qa_share", qa_share, 0.50);
            l.count(3, "alert_levels", e.alert_levels.into(), 1);
            l.count(3, "forecast_groups", e.forecast_groups.into(), 1);
            l.count(4, "schedules", e.schedules.into(), 1);
            l.data(4, "qa_reviewed_share", reviewed_share, 0.02);
            l.asked(4, MaturityQuestion::ProcessFromReasons);
        }
        MaturityDimension::DataInsight => {
            l.count(2, "exports", e.exports.into(), 1);
            l.data(2, "tag_coverage", tag_coverage, 0.10);
            l.data(3, "tag_coverage", tag_coverage, 0.50);
            l.count(3, "integrations", u64::from(e.webhooks) + u64::from(e.api_keys), 1);
            l.asked(3, MaturityQuestion::DataShared);
            l.count(4, "webhooks", e.webhooks.into(), 1);
            l.count(4, "api_keys", e.api_keys.into(), 1);
            l.asked(4, MaturityQuestion::DataDrivesBusiness);
        }
    }
    l.checks
}

/// Score one dimension from its checks.
fn score(dimension: MaturityDimension, checks: Vec<MaturityCheck>) -> DimensionScore {
    let mut level = 1u8;
    while level < 4 && checks.iter().filter(|c| c.level == level + 1).all(|c| c.passed) {
        level += 1;
    }
    let next: Vec<MaturityCheck> = checks.iter().filter(|c| c.level == level + 1 && !c.passed).cloned().collect();
    let of_next = checks.iter().filter(|c| c.level == level + 1).count();
    let fraction = if of_next == 0 { 0.0 } else { (of_next - next.len()) as f64 / of_next as f64 };
    DimensionScore {
        dimension,
        level: MaturityLevel::from_number(level),
        level_number: level,
        score: f64::from(level) + fraction,
        checks,
        next,
    }
}

/// Assess the four dimensions from the figures and the questionnaire's answers (0-3 each; a
/// missing answer fails its check).
pub fn assess(e: &Evidence, answers: &BTreeMap<MaturityQuestion, u8>) -> Vec<DimensionScore> {
    [
        MaturityDimension::ChannelManagement,
        MaturityDimension::CustomerExperience,
        MaturityDimension::ProcessReengineering,
        MaturityDimension::DataInsight,
    ]
    .into_iter()
    .map(|d| score(d, checks(d, e, answers)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_answered(value: u8) -> BTreeMap<MaturityQuestion, u8> {
        QUESTIONS.iter().map(|(q, _)| (*q, value)).collect()
    }

    /// Figures that pass every data check.
    fn excellent() -> Evidence {
        Evidence {
            channels_in_use: 4,
            conversations: 100,
            video_conversations: 30,
            service_level: Some(0.9),
            fcr_rate: Some(0.9),
            handled: 90,
            csat_count: 40,
            csat_average: Some(4.7),
            csat_previous: Some(4.6),
            qa_scored: 90,
            qa_reviewed: 5,
            tagged: 80,
            business_types: 3,
            alert_levels: 2,
            forecast_groups: 1,
            schedules: 1,
            webhooks: 1,
            api_keys: 1,
            widgets: 2,
            exports: 3,
        }
    }

    fn of(r: &[DimensionScore], d: MaturityDimension) -> &DimensionScore {
        r.iter().find(|s| s.dimension == d).unwrap()
    }

    #[test]
    fn nothing_yet_is_service_driven_everywhere() {
        let r = assess(&Evidence::default(), &BTreeMap::new());
        assert_eq!(r.len(), 4);
        for s in &r {
            assert_eq!((s.level, s.level_number), (MaturityLevel::ServiceDriven, 1), "{s:?}");
            assert!(s.score >= 1.0 && s.score < 2.0);
            assert!(!s.next.is_empty() && s.next.iter().all(|c| c.level == 2));
        }
        // Unmeasurable figures are null, not zero.
        let cx = of(&r, MaturityDimension::CustomerExperience);
        assert_eq!(cx.checks.iter().find(|c| c.key == "csat_average").unwrap().value, None);
    }

    #[test]
    fn everything_in_place_is_experience_driven_everywhere() {
        let r = assess(&excellent(), &all_answered(3));
        for s in &r {
            assert_eq!((s.level, s.score), (MaturityLevel::ExperienceDriven, 4.0), "{s:?}");
            assert!(s.next.is_empty());
        }
    }

    #[test]
    fn the_questionnaire_holds_a_level_the_data_alone_cannot_give() {
        let without = assess(&excellent(), &BTreeMap::new());
        // Process re-engineering needs its written processes answer at level 2 already.
        assert_eq!(of(&without, MaturityDimension::ProcessReengineering).level, MaturityLevel::ServiceDriven);
        assert_eq!(of(&without, MaturityDimension::ChannelManagement).level, MaturityLevel::ProcessDriven);
        let partly = assess(&excellent(), &all_answered(1));
        assert_eq!(of(&partly, MaturityDimension::ChannelManagement).level, MaturityLevel::ProcessDriven, "1 = partly does not pass");
        let mostly = assess(&excellent(), &all_answered(2));
        assert_eq!(of(&mostly, MaturityDimension::ChannelManagement).level, MaturityLevel::ExperienceDriven, "2 = mostly passes");
        let next = &of(&without, MaturityDimension::ChannelManagement).next;
        assert_eq!(next.len(), 1);
        assert_eq!((next[0].key.as_str(), next[0].source), ("channel_consistent", CheckSource::Questionnaire));
    }

    #[test]
    fn video_share_boundaries_of_channel_management() {
        let answers = all_answered(3);
        let mut e = excellent();
        e.video_conversations = 5; // exactly 5 %: level 3 reached, level 4 (20 %) not
        let s = assess(&e, &answers);
        let ch = of(&s, MaturityDimension::ChannelManagement);
        assert_eq!(ch.level, MaturityLevel::CustomerDriven);
        assert_eq!(ch.next.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["video_share"]);
        assert!((ch.score - (3.0 + 2.0 / 3.0)).abs() < 1e-9, "two of level 4's three checks pass: {}", ch.score);
        e.video_conversations = 4; // 4 %: below level 3
        assert_eq!(of(&assess(&e, &answers), MaturityDimension::ChannelManagement).level, MaturityLevel::ProcessDriven);
        e.video_conversations = 20; // exactly 20 %: the top
        assert_eq!(of(&assess(&e, &answers), MaturityDimension::ChannelManagement).level, MaturityLevel::ExperienceDriven);
    }

    #[test]
    fn a_level_needs_every_level_below_it() {
        // Customer experience passes level 4's CSAT but not level 2's service level.
        let mut e = excellent();
        e.service_level = Some(0.59);
        let s = assess(&e, &all_answered(3));
        let cx = of(&s, MaturityDimension::CustomerExperience);
        assert_eq!(cx.level, MaturityLevel::ServiceDriven);
        assert_eq!(cx.next.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["service_level"]);
        e.service_level = Some(0.60);
        assert_eq!(of(&assess(&e, &all_answered(3)), MaturityDimension::CustomerExperience).level, MaturityLevel::ExperienceDriven);
    }

    #[test]
    fn a_falling_csat_keeps_customer_experience_below_the_top() {
        let mut e = excellent();
        e.csat_previous = Some(4.8);
        let cx = assess(&e, &all_answered(3)).into_iter().find(|s| s.dimension == MaturityDimension::CustomerExperience).unwrap();
        assert_eq!(cx.level, MaturityLevel::CustomerDriven);
        let trend = cx.next.iter().find(|c| c.key == "csat_trend").unwrap();
        assert!((trend.value.unwrap() + 0.1).abs() < 1e-9);
        e.csat_previous = None; // no earlier answers: the trend cannot be shown
        let cx = assess(&e, &all_answered(3)).into_iter().find(|s| s.dimension == MaturityDimension::CustomerExperience).unwrap();
        assert_eq!(cx.level, MaturityLevel::CustomerDriven);
    }

    #[test]
    fn data_insight_climbs_with_tags_and_integrations() {
        let answers = all_answered(3);
        let mut e = Evidence { conversations: 100, exports: 1, tagged: 10, ..Evidence::default() };
        assert_eq!(of(&assess(&e, &answers), MaturityDimension::DataInsight).level, MaturityLevel::ProcessDriven);
        e.tagged = 50;
        e.api_keys = 1;
        assert_eq!(of(&assess(&e, &answers), MaturityDimension::DataInsight).level, MaturityLevel::CustomerDriven);
        e.webhooks = 1;
        assert_eq!(of(&assess(&e, &answers), MaturityDimension::DataInsight).level, MaturityLevel::ExperienceDriven);
        e.tagged = 9;
        assert_eq!(of(&assess(&e, &answers), MaturityDimension::DataInsight).level, MaturityLevel::ServiceDriven);
    }

    #[test]
    fn question_keys_are_their_wire_names() {
        assert_eq!(serde_key(MaturityQuestion::DataDrivesBusiness), "data_drives_business");
        assert_eq!(serde_key(MaturityQuestion::CxOwned), "cx_owned");
    }
}
