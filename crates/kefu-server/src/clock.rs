//! The one place the server reads the wall clock (the core never does).

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// RFC 3339 text of a millisecond timestamp.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// A client's RFC 3339 time (a query or body field named `field`) as milliseconds; a 422 naming
/// the field otherwise. The inverse of [`rfc3339`].
pub fn time_param(field: &str, value: &str) -> crate::error::ApiResult<i64> {
    time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok())
        .ok_or_else(|| crate::error::ApiError::invalid(format!("{field}: an RFC 3339 time such as 2026-12-01T08:00:00+08:00")))
}

/// [`time_param`] for an optional field: absent or blank is None.
pub fn optional_time_param(field: &str, value: Option<&str>) -> crate::error::ApiResult<Option<i64>> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(|v| time_param(field, v)).transpose()
}
