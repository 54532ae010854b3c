//! ISO 8601 dates, as found in news metadata.
//!
//! Lineage orders copies by time, so a date must become one comparable number. Accepted:
//! full RFC 3339 date-times (`2019-06-05T10:30:00+08:00`, `…Z`), date-times without an
//! offset (taken as UTC, with `T` or a space, optional fractional seconds and minutes-only
//! precision), offsets written `+0800`, and plain dates (`2019-06-05`, `20190605`), taken
//! as midnight UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses an ISO 8601 date or date-time to seconds since the Unix epoch (UTC).
///
/// ```
/// use wiretrace::corpus::parse_date;
/// assert_eq!(parse_date("1970-01-02"), Some(86_400));
/// assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some(0));
/// assert_eq!(parse_date("yesterday"), None);
/// ```
pub fn parse_date(raw: &str) -> Option<i64> {
    let s = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.timestamp());
        }
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt.and_utc().timestamp());
        }
    }
    for fmt in ["%Y-%m-%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|dt| dt.and_utc().timestamp());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn accepts_common_iso_forms() {
        let noon = 1_559_736_000; // 2019-06-05T12:00:00Z
        assert_eq!(parse_date("2019-06-05T12:00:00Z"), Some(noon));
        assert_eq!(parse_date("2019-06-05T12:00:00+00:00"), Some(noon));
        assert_eq!(parse_date("2019-06-05T20:00:00+08:00"), Some(noon));
        assert_eq!(parse_date("2019-06-05T20:00:00+0800"), Some(noon));
        assert_eq!(parse_date("2019-06-05 12:00:00"), Some(noon));
        assert_eq!(parse_date("2019-06-05T12:00:00.250"), Some(noon));
        assert_eq!(parse_date("2019-06-05T12:00"), Some(noon));
        assert_eq!(parse_date("2019-06-05"), Some(noon - 12 * 3600));
        assert_eq!(parse_date("20190605"), Some(noon - 12 * 3600));
        assert_eq!(parse_date(" 2019-06-05 "), Some(noon - 12 * 3600));
    }

    #[test]
    fn rejects_non_dates() {
        for bad in ["", "June 5, 2019", "2019-13-01", "2019-02-30", "12:00"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
