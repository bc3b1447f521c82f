//! The excerpt of a found message shown in search results, with where the query's words are in
//! it. Pure. Offsets count Unicode characters (code points), not bytes: a client slices
//! `Array.from(text)`.

use super::terms::fold;

/// An excerpt and the `[start, end)` character ranges to highlight in it (sorted, disjoint).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The excerpt; "…" marks text cut at either end.
    pub text: String,
    /// Highlighted ranges, in characters of `text`.
    pub highlights: Vec<(usize, usize)>,
}

/// Where the needles occur in `body` (folded comparison), as merged character ranges.
pub fn find(body: &str, needles: &[String]) -> Vec<(usize, usize)> {
    let hay: Vec<char> = body.chars().map(fold).collect();
    let mut ranges = Vec::new();
    for needle in needles {
        let n: Vec<char> = needle.chars().collect();
        if n.is_empty() || n.len() > hay.len() {
            continue;
        }
        for start in 0..=hay.len() - n.len() {
            if hay[start..start + n.len()] == n[..] {
                ranges.push((start, start + n.len()));
            }
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// An excerpt of at most `width` characters around the first highlight (the whole body when
/// it fits), with the highlights inside it.
pub fn snippet(body: &str, needles: &[String], width: usize) -> Snippet {
    let chars: Vec<char> = body.chars().collect();
    let all = find(body, needles);
    if chars.len() <= width {
        return Snippet { text: body.to_string(), highlights: all };
    }
    // Start a third of the width before the first hit, so the hit has context on both sides.
    let first = all.first().map_or(0, |r| r.0);
    let start = first.saturating_sub(width / 3).min(chars.len() - width);
    let end = start + width;
    let lead = usize::from(start > 0);
    let mut text: String = if start > 0 { "…".into() } else { String::new() };
    text.extend(&chars[start..end]);
    if end < chars.len() {
        text.push('…');
    }
    let highlights = all.into_iter().filter(|&(s, e)| s >= start && e <= end).map(|(s, e)| (s - start + lead, e - start + lead)).collect();
    Snippet { text, highlights }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn highlights_count_characters_and_ignore_case() {
        let s = snippet("我想办理信用卡分期业务", &n(&["分期"]), 80);
        assert_eq!(s.highlights, vec![(7, 9)]);
        let s = snippet("Please REFUND me", &n(&["refund"]), 80);
        assert_eq!(s.highlights, vec![(7, 13)]);
    }

    #[test]
    fn overlapping_hits_merge() {
        assert_eq!(find("信用卡分期", &n(&["信用卡", "卡分"])), vec![(0, 4)]);
    }

    #[test]
    fn a_long_body_is_cut_around_the_first_hit() {
        let body = format!("{}退款{}", "啊".repeat(100), "哦".repeat(100));
        let s = snippet(&body, &n(&["退款"]), 30);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        let chars: Vec<char> = s.text.chars().collect();
        let (a, b) = s.highlights[0];
        assert_eq!(chars[a..b].iter().collect::<String>(), "退款");
    }
}
