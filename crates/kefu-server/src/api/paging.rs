//! One way to page the admin catalogs (groups, business types, tags, canned responses, wrap-up
//! codes, API keys, webhooks, a customer's conversations; widgets by name) and the QA lists (rules,
//! forms, reviewers, queue, my results, appeals): `q` finds text, `after` is the id of the last row already shown
//! and `limit` the page size. Each list keeps its own order (by id, name or position); a page
//! starts right after the `after` row in that order, so rows created meanwhile never make a page
//! repeat or skip one. Catalogs are small (tens to hundreds of rows) and read whole from the
//! store; the matching here folds case for every script, which SQLite's `lower()` does not.
//! The short live lists (today's alerts, sentiment alerts, a call's recordings) page by id order
//! past the cursor (`page_by_id`), and the planning groups like the catalogs.

use serde::Deserialize;

use crate::error::{ApiError, ApiResult};

/// The paging and text-search parameters every catalog list takes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Text inside the row's name (and the other fields the list names), any case.
    pub q: Option<String>,
    /// `next_after` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 200; without it, every matching row at once.
    pub limit: Option<i64>,
}

/// The paging parameters of a list whose rows are named, not numbered (widgets).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct NamedListQuery {
    /// Text inside the row's name (and the other fields the list names), any case.
    pub q: Option<String>,
    /// `next_after` of the previous page: the name of the last row shown.
    pub after: Option<String>,
    /// Page size, 1 to 200; without it, every matching row at once.
    pub limit: Option<i64>,
}

/// One page of a list, with what the next request needs.
pub struct Page<T, K = i64> {
    pub rows: Vec<T>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; None on the last page.
    pub next_after: Option<K>,
}

impl ListQuery {
    /// The page of `rows` (in their list order) that this query asks for. `id` names a row;
    /// `text` gives the fields `q` is looked for in.
    pub fn page<T>(&self, rows: Vec<T>, id: impl Fn(&T) -> i64, text: impl Fn(&T) -> Vec<&str>) -> ApiResult<Page<T>> {
        page_of(rows, self.q.as_deref(), self.after, self.limit, id, text)
    }

    /// As [`ListQuery::page`] for the short live lists kept in id order (alerts, a call's
    /// recordings): rows come and go (an alert clears), so a page starts at the first row past
    /// the cursor's id in that order rather than at the cursor row itself, which may be gone.
    pub fn page_by_id<T>(
        &self,
        rows: Vec<T>,
        order: IdOrder,
        id: impl Fn(&T) -> i64,
        text: impl Fn(&T) -> Vec<&str>,
    ) -> ApiResult<Page<T>> {
        let mut all = page_of(rows, self.q.as_deref(), None, None, &id, text)?;
        if let Some(after) = self.after {
            all.rows.retain(|r| match order {
                IdOrder::Oldest => id(r) > after,
                IdOrder::Newest => id(r) < after,
            });
        }
        let limit = limit_of(self.limit, 200)?;
        let (rows, next_after) = split_page(all.rows, limit, id);
        Ok(Page { rows, total: all.total, next_after })
    }
}

/// Which way a list kept in id order runs.
#[derive(Debug, Clone, Copy)]
pub enum IdOrder {
    /// Oldest first (ids rising).
    Oldest,
    /// Newest first (ids falling).
    Newest,
}

/// The long, growing lists (conversations, webhook deliveries) page newest first by id in the
/// store, not in memory: `after` is the id of the last row shown, and the next page holds the
/// older rows. A row created meanwhile has a greater id, so it never shifts a later page.
pub fn limit_of(limit: Option<i64>, default: i64) -> ApiResult<i64> {
    match limit {
        Some(l) if !(1..=200).contains(&l) => Err(ApiError::invalid("limit: 1 to 200")),
        Some(l) => Ok(l),
        None => Ok(default),
    }
}

/// Of `limit + 1` rows read newest first, the page and the cursor of the next one (None when
/// this is the last page).
pub fn split_page<T>(mut rows: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> (Vec<T>, Option<i64>) {
    if rows.len() as i64 <= limit {
        return (rows, None);
    }
    rows.truncate(limit as usize);
    let next = rows.last().map(&id);
    (rows, next)
}

impl NamedListQuery {
    /// As [`ListQuery::page`], the cursor being a row's name.
    pub fn page<T>(&self, rows: Vec<T>, name: impl Fn(&T) -> String, text: impl Fn(&T) -> Vec<&str>) -> ApiResult<Page<T, String>> {
        page_of(rows, self.q.as_deref(), self.after.clone(), self.limit, name, text)
    }
}

fn page_of<T, K: PartialEq + std::fmt::Display>(
    rows: Vec<T>,
    q: Option<&str>,
    after: Option<K>,
    limit: Option<i64>,
    id: impl Fn(&T) -> K,
    text: impl Fn(&T) -> Vec<&str>,
) -> ApiResult<Page<T, K>> {
    if limit.is_some_and(|l| !(1..=200).contains(&l)) {
        return Err(ApiError::invalid("limit: 1 to 200"));
    }
    let needle = q.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
    let mut rows: Vec<T> = match &needle {
        Some(n) => rows.into_iter().filter(|r| text(r).iter().any(|f| f.to_lowercase().contains(n.as_str()))).collect(),
        None => rows,
    };
    let total = rows.len() as i64;
    if let Some(after) = after {
        let at = rows
            .iter()
            .position(|r| id(r) == after)
            .ok_or_else(|| ApiError::invalid(format!("after: row {after} is not in this list any more; start again without after")))?;
        rows.drain(..=at);
    }
    let mut next_after = None;
    if let Some(limit) = limit {
        if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            next_after = rows.last().map(&id);
        }
    }
    Ok(Page { rows, total, next_after })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<(i64, &'static str)> {
        vec![(3, "Billing"), (1, "账单 Cards"), (7, "Loans"), (2, "cards abroad")]
    }

    fn page(q: ListQuery) -> ApiResult<Page<(i64, &'static str)>> {
        q.page(names(), |r| r.0, |r| vec![r.1])
    }

    #[test]
    fn pages_follow_the_list_order_and_end_with_no_cursor() {
        let first = page(ListQuery { limit: Some(2), ..Default::default() }).unwrap();
        assert_eq!((first.rows.iter().map(|r| r.0).collect::<Vec<_>>(), first.total, first.next_after), (vec![3, 1], 4, Some(1)));
        let second = page(ListQuery { limit: Some(2), after: first.next_after, ..Default::default() }).unwrap();
        assert_eq!((second.rows.iter().map(|r| r.0).collect::<Vec<_>>(), second.next_after), (vec![7, 2], None));
        assert_eq!(page(ListQuery::default()).unwrap().rows.len(), 4, "without limit, every row");
    }

    #[test]
    fn text_matches_any_case_and_counts_only_matches() {
        let hit = page(ListQuery { q: Some(" CARDS ".into()), ..Default::default() }).unwrap();
        assert_eq!((hit.rows.iter().map(|r| r.0).collect::<Vec<_>>(), hit.total), (vec![1, 2], 2));
    }

    #[test]
    fn a_store_page_of_limit_plus_one_rows_says_where_the_next_starts() {
        assert_eq!(split_page(vec![9, 8, 7], 2, |r| *r), (vec![9, 8], Some(8)));
        assert_eq!(split_page(vec![9, 8], 2, |r| *r), (vec![9, 8], None));
        assert!(limit_of(Some(0), 50).is_err() && limit_of(Some(201), 50).is_err());
        assert_eq!(limit_of(None, 50).unwrap(), 50);
    }

    #[test]
    fn a_live_list_pages_past_a_cursor_row_that_has_gone() {
        let q = ListQuery { after: Some(5), limit: Some(2), ..Default::default() };
        let newest = q.page_by_id(vec![9, 7, 4, 3, 1], IdOrder::Newest, |r| *r, |_| vec![]).unwrap();
        assert_eq!((newest.rows, newest.total, newest.next_after), (vec![4, 3], 5, Some(3)));
        let oldest = q.page_by_id(vec![1, 3, 4, 7, 9], IdOrder::Oldest, |r| *r, |_| vec![]).unwrap();
        assert_eq!((oldest.rows, oldest.next_after), (vec![7, 9], None));
    }

    #[test]
    fn a_bad_limit_or_a_vanished_cursor_is_refused() {
        assert!(page(ListQuery { limit: Some(0), ..Default::default() }).is_err());
        assert!(page(ListQuery { limit: Some(201), ..Default::default() }).is_err());
        assert!(page(ListQuery { after: Some(99), ..Default::default() }).is_err());
    }
}
