//! The conversation figures and their definitions. Each row keeps its sums (which add up across
//! intervals) beside the rates and averages derived from them (which do not).

use kefu_core::{service_level, SlRule, Verdict, Wait};
use serde::{Deserialize, Serialize};

use crate::contacts::Contact;

/// Conversation figures of one interval and one key (group, business type, channel, agent).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationFigures {
    /// Conversations that entered a line (进线量); left messages are not counted.
    pub offered: u64,
    /// Of those, accepted by an agent (接通量).
    pub answered: u64,
    /// Of those, given up by the customer while waiting (放弃量).
    pub abandoned: u64,
    /// Of the abandoned, those who gave up within the short-abandon limit (5 s): they never
    /// really waited, so service level leaves them out.
    pub abandoned_short: u64,
    /// Answered within their group's service-level target.
    pub answered_in_target: u64,
    /// answered_in_target ÷ (answered + abandoned − abandoned_short); None with nobody judged.
    pub service_level: Option<f64>,
    /// Total wait of the answered (ms): ASA's numerator.
    pub wait_ms: i64,
    /// Average speed of answer (s).
    pub asa_secs: Option<f64>,
    /// Longest wait of anyone answered or abandoned (s).
    pub longest_wait_secs: f64,
    /// Answered and closed by an agent: AHT's denominator.
    pub handled: u64,
    /// Total talk time of the handled (ms): answered to closed.
    pub talk_ms: i64,
    /// Total wrap-up time after the handled (ms).
    pub wrap_ms: i64,
    /// Average handle time (s) = talk + wrap-up, per handled conversation.
    pub aht_secs: Option<f64>,
    /// Average talk part of AHT (s).
    pub talk_secs: Option<f64>,
    /// Average wrap-up part of AHT (s).
    pub wrap_secs: Option<f64>,
    /// Transfers made.
    pub transfers: u64,
    /// Handled conversations whose customer did not come back within the window.
    pub resolved_first_contact: u64,
    /// resolved_first_contact ÷ handled.
    pub fcr_rate: Option<f64>,
    /// CSAT answers.
    pub csat_count: u64,
    /// Sum of CSAT scores.
    pub csat_sum: u64,
    /// CSAT answers of 4 or 5.
    pub csat_good: u64,
    /// Average CSAT score.
    pub csat_average: Option<f64>,
    /// Share of CSAT answers that were 4 or 5.
    pub csat_good_share: Option<f64>,
    /// Closed conversations whose messages were counted.
    pub with_messages: u64,
    /// Messages of customers and agents in them.
    pub messages: u64,
    /// Messages per closed conversation.
    pub messages_per_conversation: Option<f64>,
}

fn ratio(num: f64, den: u64) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

impl ConversationFigures {
    /// Count one contact, with its group's target (ms) and the short-abandon limit (ms). Service
    /// level judges it by kefu-core's rule, the one the live floor uses too.
    pub fn count(&mut self, c: &Contact, target_ms: i64, short_abandon_ms: i64) {
        let rule = SlRule { target_ms, short_abandon_ms };
        if c.left_message {
            return;
        }
        self.offered += 1;
        if let Some(answered) = c.answered_at {
            let wait = (answered - c.queued_at).max(0);
            self.answered += 1;
            self.wait_ms += wait;
            self.answered_in_target += u64::from(rule.judge(Wait::Answered(wait)) == Verdict::InTarget);
            self.longest_wait_secs = self.longest_wait_secs.max(wait as f64 / 1000.0);
        } else if let Some(waited) = c.abandoned_after {
            self.abandoned += 1;
            self.abandoned_short += u64::from(rule.judge(Wait::Abandoned(waited)) == Verdict::NotJudged);
            self.longest_wait_secs = self.longest_wait_secs.max(waited as f64 / 1000.0);
        }
        if c.closed_by_agent {
            self.handled += 1;
            self.talk_ms += c.talk_ms;
            self.wrap_ms += c.wrap_ms;
            self.resolved_first_contact += u64::from(c.first_contact_resolved == Some(true));
        }
        self.transfers += u64::from(c.transfers);
        if let Some(score) = c.csat {
            self.csat_count += 1;
            self.csat_sum += u64::from(score);
            self.csat_good += u64::from(score >= 4);
        }
        if let Some(m) = c.messages {
            self.with_messages += 1;
            self.messages += u64::from(m);
        }
    }

    /// Add another row's sums (the derived figures are recomputed by [`Self::finish`]).
    pub fn add(&mut self, o: &ConversationFigures) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.abandoned_short += o.abandoned_short;
        self.answered_in_target += o.answered_in_target;
        self.wait_ms += o.wait_ms;
        self.longest_wait_secs = self.longest_wait_secs.max(o.longest_wait_secs);
        self.handled += o.handled;
        self.talk_ms += o.talk_ms;
        self.wrap_ms += o.wrap_ms;
        self.transfers += o.transfers;
        self.resolved_first_contact += o.resolved_first_contact;
        self.csat_count += o.csat_count;
        self.csat_sum += o.csat_sum;
        self.csat_good += o.csat_good;
        self.with_messages += o.with_messages;
        self.messages += o.messages;
    }

    /// Derive the rates and averages from the sums.
    pub fn finish(&mut self) {
        let judged = (self.answered + self.abandoned).saturating_sub(self.abandoned_short);
        self.service_level = service_level(self.answered_in_target, judged);
        self.asa_secs = ratio(self.wait_ms as f64 / 1000.0, self.answered);
        self.talk_secs = ratio(self.talk_ms as f64 / 1000.0, self.handled);
        self.wrap_secs = ratio(self.wrap_ms as f64 / 1000.0, self.handled);
        self.aht_secs = ratio((self.talk_ms + self.wrap_ms) as f64 / 1000.0, self.handled);
        self.fcr_rate = ratio(self.resolved_first_contact as f64, self.handled);
        self.csat_average = ratio(self.csat_sum as f64, self.csat_count);
        self.csat_good_share = ratio(self.csat_good as f64, self.csat_count);
        self.messages_per_conversation = ratio(self.messages as f64, self.with_messages);
    }
}
