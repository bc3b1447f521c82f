//! English: VADER's compound score, which is already in -1..=1.

use vader_sentiment::SentimentIntensityAnalyzer;

/// The VADER analyser over its embedded lexicon.
pub(crate) struct English {
    vader: SentimentIntensityAnalyzer<'static>,
}

impl English {
    pub(crate) fn new() -> English {
        English { vader: SentimentIntensityAnalyzer::new() }
    }

    /// VADER's compound score. The port indexes its token list around negations and boosters;
    /// a message it cannot handle scores neutral instead of taking the caller down with it.
    pub(crate) fn score(&self, text: &str) -> f64 {
        let vader = &self.vader;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| vader.polarity_scores(text).get("compound").copied().unwrap_or(0.0)))
            .unwrap_or(0.0)
    }
}
