//! How text becomes search terms, the same way for a stored message and for a query: Chinese by
//! words (jieba) and by single characters, every other script by lowercased words. Pure: no
//! database, no clock.
//!
//! Why words *and* characters for Chinese. A message's Chinese runs are cut in jieba's search
//! mode ("信用卡" also yields "信用"), and each Han character is a term of its own. A query's
//! Chinese is cut into its most likely words: a word of two or more characters is looked up as a
//! word (selective: few messages hold "分期"), a lone character as a character (so "卡" alone
//! works). A word the query has but the message's cut split differently (its boundaries depend
//! on the sentence around it) would be missed by words alone; the store then falls back to the
//! query's characters plus a substring check of each Chinese run ([`Query::fallback`]), which is
//! exact, only slower, so it runs only when the word search finds nothing.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use jieba_rs::Jieba;

/// The segmenter with its built-in dictionary, loaded once (about 5 MB of words).
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// The segmenter, for other Chinese text work in the process (message sentiment), so its
/// dictionary is held once.
pub fn segmenter() -> &'static Jieba {
    &JIEBA
}

/// Load the dictionary now (about a third of a second), so the first message written after a
/// start does not pay for it inside its transaction.
pub fn warm() {
    LazyLock::force(&JIEBA);
}

/// A term longer than this is cut here (a pasted token or URL; nobody types it back whole).
const MAX_TERM_CHARS: usize = 48;

/// Whether `c` is a Han character (CJK unified ideographs and their extensions).
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// One character folded for matching: full-width ASCII (ＡＢＣ１２３, common in Chinese input)
/// to ASCII, then lowercase. Always one character, so offsets in folded text are offsets in
/// the original.
pub fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    // The first char of the lowercase form: 'İ' lowercases to two chars, 'i' is what a user types.
    c.to_lowercase().next().unwrap_or(c)
}

/// A stretch of text of one kind.
enum Run {
    Han(String),
    Word(String),
}

/// Split folded text into Han runs and words of other letters/digits; the rest separates.
fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut han = false;
    for c in text.chars().map(fold) {
        let kind = if is_han(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        if kind != Some(han) && !cur.is_empty() {
            let run = std::mem::take(&mut cur);
            out.push(if han { Run::Han(run) } else { Run::Word(run) });
        }
        if let Some(h) = kind {
            han = h;
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(if han { Run::Han(cur) } else { Run::Word(cur) });
    }
    out
}

fn clip(word: &str) -> String {
    word.chars().take(MAX_TERM_CHARS).collect()
}

/// The terms a stored text is found by, sorted and distinct.
pub fn index_terms(text: &str) -> Vec<String> {
    let mut terms = BTreeSet::new();
    for run in runs(text) {
        match run {
            Run::Word(w) => {
                terms.insert(clip(&w));
            }
            Run::Han(h) => {
                for token in JIEBA.cut_for_search(&h, true) {
                    if token.word.chars().nth(1).is_some() {
                        terms.insert(clip(token.word));
                    }
                }
                terms.extend(h.chars().map(String::from));
            }
        }
    }
    terms.into_iter().collect()
}

/// A parsed query: what a message must hold to match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Every term must be in the message (Chinese words, lone Chinese characters, other words).
    pub terms: Vec<String>,
    /// The query's Chinese runs (folded), for the fallback's substring check and for highlights.
    pub han_runs: Vec<String>,
}

impl Query {
    /// Parse a user's query (any mix of Chinese and other words).
    pub fn parse(q: &str) -> Query {
        let mut terms = BTreeSet::new();
        let mut han_runs = Vec::new();
        for run in runs(q) {
            match run {
                Run::Word(w) => {
                    terms.insert(clip(&w));
                }
                Run::Han(h) => {
                    // The query's likeliest words, without HMM guesses: a guessed word would be
                    // whatever the short query suggests, not what the sentence suggested.
                    for token in JIEBA.cut(&h, false) {
                        terms.insert(clip(token.word));
                    }
                    han_runs.push(h);
                }
            }
        }
        Query { terms: terms.into_iter().collect(), han_runs }
    }

    /// Nothing to look for (blank, or only punctuation).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The exact form for when the word form finds nothing: every Chinese word is replaced by
    /// its characters, and each Chinese run of the query must appear in the message as written
    /// (see the module doc). `None` when it would be the same query (no Chinese word of two or
    /// more characters).
    pub fn fallback(&self) -> Option<Query> {
        if !self.terms.iter().any(|t| t.chars().count() > 1 && t.chars().any(is_han)) {
            return None;
        }
        let mut terms = BTreeSet::new();
        for t in &self.terms {
            if t.chars().any(is_han) {
                terms.extend(t.chars().map(String::from));
            } else {
                terms.insert(t.clone());
            }
        }
        Some(Query { terms: terms.into_iter().collect(), han_runs: self.han_runs.clone() })
    }

    /// The strings to highlight in a found message: the Chinese runs and the other words
    /// (longest first, so "信用卡分期" wins over its characters).
    pub fn needles(&self) -> Vec<String> {
        let mut n: Vec<String> = self.han_runs.clone();
        n.extend(self.terms.iter().cloned());
        n.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        n.dedup();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_sentence_is_found_by_its_words_and_characters() {
        let terms = index_terms("我想办理信用卡分期业务");
        for t in ["信用卡", "分期", "业务", "办理", "卡", "分"] {
            assert!(terms.contains(&t.to_string()), "{t} missing from {terms:?}");
        }
        for q in ["分期", "信用卡", "信用卡分期", "卡", "办理信用卡"] {
            let q = Query::parse(q);
            assert!(q.terms.iter().all(|t| terms.contains(t)), "{q:?} not all in {terms:?}");
        }
    }

    #[test]
    fn latin_words_are_lowercased_and_full_width_folded() {
        assert_eq!(index_terms("Refund my ORDER #A12, please!"), vec!["a12", "my", "order", "please", "refund"]);
        assert_eq!(index_terms("ＶＩＰ客户"), vec!["vip", "客", "客户", "户"]);
        assert_eq!(Query::parse("REFUND").terms, vec!["refund"]);
    }

    #[test]
    fn mixed_text_splits_at_script_changes() {
        let terms = index_terms("iPhone15屏幕坏了");
        assert!(terms.contains(&"iphone15".to_string()));
        assert!(terms.contains(&"屏幕".to_string()));
    }

    #[test]
    fn punctuation_only_is_an_empty_query() {
        assert!(Query::parse("，。!? ").is_empty());
        assert!(index_terms("…").is_empty());
    }

    #[test]
    fn the_fallback_spells_chinese_words_as_characters() {
        let q = Query::parse("分期 refund");
        assert_eq!(q.terms, vec!["refund", "分期"]);
        let f = q.fallback().expect("has a Chinese word");
        assert_eq!(f.terms, vec!["refund", "分", "期"]);
        assert_eq!(f.han_runs, vec!["分期"]);
        assert_eq!(Query::parse("卡 refund").fallback(), None);
    }

    #[test]
    fn needles_put_longer_strings_first() {
        assert_eq!(Query::parse("信用卡分期").needles()[0], "信用卡分期");
    }

    #[test]
    fn long_terms_are_clipped() {
        let long = "a".repeat(100);
        assert_eq!(index_terms(&long)[0].len(), MAX_TERM_CHARS);
        assert_eq!(Query::parse(&long).terms[0].len(), MAX_TERM_CHARS);
    }
}
