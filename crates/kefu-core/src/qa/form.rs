//! Scoring forms (评分表) a reviewer fills in: items with weights, and fatal-error items
//! (致命错误) that zero the score whatever else was earned.

use serde::{Deserialize, Serialize};

/// One item of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormItem {
    /// What is judged (服务态度 ...).
    pub label: String,
    /// The most points it gives (0 for a fatal item).
    pub weight: u32,
    /// A yes/no item: failing it makes the whole review 0.
    #[serde(default)]
    pub fatal: bool,
}

/// A reviewer's mark on one item, in the form's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemMark {
    /// Points given, 0 to the item's weight (ignored for a fatal item).
    #[serde(default)]
    pub score: u32,
    /// For a fatal item: the error was made.
    #[serde(default)]
    pub failed: bool,
}

/// Why a form or a filled-in form is refused; the text names the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError(pub String);

/// Check a form's items: 1 to 30, labels 1-40 characters, weights at most 100, fatal items
/// weigh 0, and at least one scored item.
pub fn check_form(items: &[FormItem]) -> Result<(), FormError> {
    if items.is_empty() || items.len() > 30 {
        return Err(FormError("items: 1 to 30 items".into()));
    }
    for (i, item) in items.iter().enumerate() {
        let n = item.label.trim().chars().count();
        if n == 0 || n > 40 {
            return Err(FormError(format!("items[{i}].label: 1 to 40 characters")));
        }
        if item.fatal && item.weight != 0 {
            return Err(FormError(format!("items[{i}].weight: a fatal item weighs 0 (failing it zeroes the score)")));
        }
        if !item.fatal && !(1..=100).contains(&item.weight) {
            return Err(FormError(format!("items[{i}].weight: 1 to 100")));
        }
    }
    Ok(())
}

/// The review's score, 0-100, and whether a fatal item failed: the points given over the
/// points possible, rounded; any failed fatal item makes it 0.
pub fn review_score(items: &[FormItem], marks: &[ItemMark]) -> Result<(u8, bool), FormError> {
    if items.len() != marks.len() {
        return Err(FormError(format!("items: the form has {} items, {} marks were given", items.len(), marks.len())));
    }
    let (mut got, mut max, mut fatal) = (0u64, 0u64, false);
    for (i, (item, mark)) in items.iter().zip(marks).enumerate() {
        if item.fatal {
            fatal |= mark.failed;
            continue;
        }
        if mark.score > item.weight {
            return Err(FormError(format!("items[{i}].score: 0 to {}", item.weight)));
        }
        got += u64::from(mark.score);
        max += u64::from(item.weight);
    }
    if fatal {
        return Ok((0, true));
    }
    // check_form guarantees a scored item; a form without one scores full marks.
    let score = (got * 100 + max / 2).checked_div(max).unwrap_or(100);
    Ok((score.min(100) as u8, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Vec<FormItem> {
        let item = |label: &str, weight, fatal| FormItem { label: label.into(), weight, fatal };
        vec![item("服务态度", 30, false), item("业务准确", 50, false), item("泄露客户信息", 0, true)]
    }

    fn mark(score: u32, failed: bool) -> ItemMark {
        ItemMark { score, failed }
    }

    #[test]
    fn score_is_points_over_possible_rounded() {
        assert_eq!(review_score(&form(), &[mark(30, false), mark(50, false), mark(0, false)]), Ok((100, false)));
        assert_eq!(review_score(&form(), &[mark(20, false), mark(25, false), mark(0, false)]), Ok((56, false)), "45/80 = 56.25");
    }

    #[test]
    fn a_failed_fatal_item_zeroes_the_score() {
        assert_eq!(review_score(&form(), &[mark(30, false), mark(50, false), mark(0, true)]), Ok((0, true)));
    }

    #[test]
    fn marks_must_fit_the_form() {
        assert!(review_score(&form(), &[mark(31, false), mark(0, false), mark(0, false)]).unwrap_err().0.starts_with("items[0].score"));
        assert!(review_score(&form(), &[mark(1, false)]).is_err());
        assert!(check_form(&form()).is_ok());
        assert!(check_form(&[]).is_err());
        let mut bad = form();
        bad[2].weight = 5;
        assert!(check_form(&bad).unwrap_err().0.contains("fatal"));
        bad = form();
        bad[0].label = " ".into();
        assert!(check_form(&bad).is_err());
    }
}
