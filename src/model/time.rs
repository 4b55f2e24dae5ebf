//! Timestamps: the one text form issues store, and the forms people type.
//!
//! Stored timestamps are RFC 3339 in UTC with a `Z` and only as many
//! fractional digits as the instant needs (`2026-04-16T22:39:21Z`,
//! `2026-11-21T07:25:18.668391540Z`), so the same instant always serializes to
//! the same bytes. Reading is lenient: any RFC 3339 offset, a space instead of
//! the `T`, or a bare date.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc};
use std::fmt;

/// An instant, stored with nanosecond precision in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// A timestamp or date string that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date or time {input:?}: expected {expected}")]
pub struct TimeError {
    /// What was given.
    pub input: String,
    /// What would have been accepted.
    pub expected: &'static str,
}

const STORED: &str = "an RFC 3339 timestamp such as 2026-04-16T22:39:21Z";
const TYPED: &str = "a date (2026-12-01), a timestamp (2026-12-01T09:00:00Z), \
                     a relative time (+3d, 2w, 12h, 30m), or today/tomorrow/next-week";

const PAST: &str = "a date (2026-12-01), a timestamp (2026-12-01T09:00:00Z), \
                    a time back from now (7d, 2w, 12h, 30m, 7d ago), or today/yesterday";

impl Timestamp {
    /// Wraps a chrono instant.
    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        Timestamp(dt)
    }

    /// The instant as chrono sees it.
    pub fn datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// Microseconds since the Unix epoch (what the cache stores).
    pub fn as_micros(&self) -> i64 {
        self.0.timestamp_micros()
    }

    /// Inverse of [`Timestamp::as_micros`].
    pub fn from_micros(us: i64) -> Option<Self> {
        DateTime::<Utc>::from_timestamp_micros(us).map(Timestamp)
    }

    /// Parses a stored timestamp (lenient about offset and separators).
    pub fn parse(s: &str) -> Result<Self, TimeError> {
        parse_absolute(s).ok_or_else(|| TimeError { input: s.to_string(), expected: STORED })
    }

    /// The canonical text form.
    pub fn to_canonical(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    /// The date and minute, for human tables.
    pub fn short(&self) -> String {
        self.0.format("%Y-%m-%d %H:%M").to_string()
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(&self, later: Timestamp) -> i64 {
        (later.0 - self.0).num_days()
    }

    /// `self` shifted by `d`, if the result is a representable year (0 to 9999).
    pub fn plus(&self, d: Duration) -> Option<Timestamp> {
        self.0.checked_add_signed(d).map(Timestamp).filter(Timestamp::in_range)
    }

    /// Years 0 to 9999: what RFC 3339 can write, so every stored timestamp reads back.
    fn in_range(&self) -> bool {
        (0..=9999).contains(&self.0.year())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_canonical())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_canonical())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn parse_absolute(s: &str) -> Option<Timestamp> {
    parse_absolute_any(s).filter(Timestamp::in_range)
}

fn parse_absolute_any(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(Timestamp(dt.with_timezone(&Utc)));
    }
    // "2026-04-16 22:39:21" (SQLite's form, as bd once wrote it) and the
    // same with a `T` but no offset: both taken as UTC.
    for fmt in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Timestamp(Utc.from_utc_datetime(&naive)));
        }
    }
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f %z") {
        return Some(Timestamp(dt.with_timezone(&Utc)));
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(Timestamp(Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))));
    }
    None
}

/// Parses a time a person typed (`--due`, `--defer`, `--until`), relative to `now`.
///
/// Relative forms count forward from `now`: `+3d`, `3d`, `2w`, `12h`, `30m`;
/// `today` is the start of the current UTC day, `tomorrow` the next,
/// `next-week` seven days from the start of today.
pub fn parse_when(input: &str, now: Timestamp) -> Result<Timestamp, TimeError> {
    let err = || TimeError { input: input.to_string(), expected: TYPED };
    let s = input.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(err());
    }
    let start_of_today = || {
        let d = now.0.date_naive();
        Timestamp(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)))
    };
    match s.as_str() {
        "now" => return Ok(now),
        "today" => return Ok(start_of_today()),
        "tomorrow" => return start_of_today().plus(Duration::days(1)).ok_or_else(err),
        "next-week" | "next week" | "nextweek" => return start_of_today().plus(Duration::days(7)).ok_or_else(err),
        "next-month" | "next month" => {
            let d = now.0.date_naive();
            let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
            let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(err)?;
            return Ok(Timestamp(Utc.from_utc_datetime(&first.and_time(NaiveTime::MIN))));
        }
        _ => {}
    }
    let rel = s.strip_prefix('+').unwrap_or(&s);
    if let Some(unit) = rel.chars().last().filter(|c| c.is_ascii_alphabetic()) {
        let digits = &rel[..rel.len() - 1];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = digits.parse().map_err(|_| err())?;
            let d = match unit {
                'm' => Duration::try_minutes(n),
                'h' => Duration::try_hours(n),
                'd' => Duration::try_days(n),
                'w' => Duration::try_weeks(n),
                _ => None,
            }
            .ok_or_else(err)?;
            return now.plus(d).ok_or_else(err);
        }
    }
    parse_absolute(input).ok_or_else(err)
}

/// Parses a point in the past a person typed for a filter
/// (`--created-after 7d`): an absolute date or time, `today`, `yesterday`,
/// `now`, or a length counted back from `now` (`7d`, `-7d`, `7d ago`, `2w`,
/// `12h`, `30m`).
pub fn parse_past(input: &str, now: Timestamp) -> Result<Timestamp, TimeError> {
    let err = || TimeError { input: input.to_string(), expected: PAST };
    let s = input.trim().to_ascii_lowercase();
    match s.as_str() {
        "" => return Err(err()),
        "now" => return Ok(now),
        "today" | "yesterday" => {
            let d = now.0.date_naive();
            let today = Timestamp(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)));
            return if s == "today" { Ok(today) } else { today.plus(Duration::days(-1)).ok_or_else(err) };
        }
        _ => {}
    }
    let rel = s.strip_suffix(" ago").unwrap_or(&s);
    let rel = rel.strip_prefix('-').unwrap_or(rel);
    if let Some(unit) = rel.chars().last().filter(|c| c.is_ascii_alphabetic()) {
        let digits = &rel[..rel.len() - 1];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = digits.parse().map_err(|_| err())?;
            let d = match unit {
                'm' => Duration::try_minutes(-n),
                'h' => Duration::try_hours(-n),
                'd' => Duration::try_days(-n),
                'w' => Duration::try_weeks(-n),
                _ => None,
            }
            .ok_or_else(err)?;
            return now.plus(d).ok_or_else(err);
        }
    }
    parse_absolute(input).ok_or_else(err)
}

/// Parses a length of time a person typed: `90` or `90s` (seconds), `30m`,
/// `2h`, `1d`, `1w`, or several of those run together (`1h30m`).
pub fn parse_duration(input: &str) -> Result<std::time::Duration, TimeError> {
    let err = || TimeError { input: input.to_string(), expected: DURATION };
    let s = input.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(err());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u64>().map(std::time::Duration::from_secs).map_err(|_| err());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(err()),
        };
        let n: u64 = digits.parse().map_err(|_| err())?;
        total = n.checked_mul(unit).and_then(|v| total.checked_add(v)).ok_or_else(err)?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(err());
    }
    Ok(std::time::Duration::from_secs(total))
}

/// What [`parse_duration`] accepts, for its error message.
const DURATION: &str = "a duration such as 90s, 30m, 2h, 1d or 1h30m";

/// The system clock.
pub fn system_now() -> Timestamp {
    Timestamp(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn canonical_form_drops_only_zero_fractions() {
        assert_eq!(t("2026-04-16T22:39:21.000000Z").to_canonical(), "2026-04-16T22:39:21Z");
        assert_eq!(t("2026-11-21T07:25:18.668391540Z").to_canonical(), "2026-11-21T07:25:18.668391540Z");
        assert_eq!(t("2026-11-21T07:25:18.528923Z").to_canonical(), "2026-11-21T07:25:18.528923Z");
        assert_eq!(t("2026-11-21T08:25:18+01:00").to_canonical(), "2026-11-21T07:25:18Z");
        assert_eq!(t("2026-11-21 07:25:18").to_canonical(), "2026-11-21T07:25:18Z");
        assert_eq!(t("2026-11-21").to_canonical(), "2026-11-21T00:00:00Z");
    }

    #[test]
    fn micros_round_trip() {
        let a = t("2026-11-21T07:25:18.668391Z");
        assert_eq!(Timestamp::from_micros(a.as_micros()), Some(a));
    }

    #[test]
    fn durations() {
        let secs = |s: &str| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(secs("90").unwrap(), 90);
        assert_eq!(secs("90s").unwrap(), 90);
        assert_eq!(secs("30m").unwrap(), 1800);
        assert_eq!(secs("1h30m").unwrap(), 5400);
        assert_eq!(secs(" 2D ").unwrap(), 172_800);
        for bad in ["", "m", "5x", "1h30", "-5s", "99999999999999999999w", "banana"] {
            assert!(secs(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(Timestamp::parse("yesterday-ish").is_err());
        assert!(Timestamp::parse("2026-13-01").is_err());
    }

    #[test]
    fn typed_forms() {
        let now = t("2026-11-21T07:25:00Z");
        assert_eq!(parse_when("+3d", now).unwrap(), t("2026-11-24T07:25:00Z"));
        assert_eq!(parse_when("2w", now).unwrap(), t("2026-12-05T07:25:00Z"));
        assert_eq!(parse_when("12h", now).unwrap(), t("2026-11-21T19:25:00Z"));
        assert_eq!(parse_when("tomorrow", now).unwrap(), t("2026-11-22T00:00:00Z"));
        assert_eq!(parse_when("next-month", now).unwrap(), t("2026-12-01T00:00:00Z"));
        assert_eq!(parse_when("2027-01-05", now).unwrap(), t("2027-01-05T00:00:00Z"));
        let e = parse_when("soonish", now).unwrap_err();
        assert!(e.to_string().contains("soonish"), "{e}");
        assert!(parse_when("3y", now).is_err());
        // Far futures are refused, never wrapped or written unreadably.
        assert!(parse_when("+99999999w", now).is_err());
        assert!(parse_when("+5000000d", now).is_err());
        assert!(Timestamp::parse("+15716-06-04T00:00:00Z").is_err());
        assert!(parse_when("+2000w", now).is_ok());
    }
}
