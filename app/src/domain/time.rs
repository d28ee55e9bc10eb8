//! How times read in the console: relative to a given "now", and absolute in UTC.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// "just now", "5 min ago", "in 3 h", "2 d ago". `now` comes with the data, so the server and
/// the browser render the same words.
pub fn relative(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let secs = (now - at).num_seconds();
    let past = secs >= 0;
    let s = secs.unsigned_abs();
    let amount = match s {
        0..=44 => return "just now".to_owned(),
        45..=3_599 => format!("{} min", (s + 30) / 60),
        3_600..=86_399 => format!("{} h", (s + 1_800) / 3_600),
        _ => format!("{} d", (s + 43_200) / 86_400),
    };
    if past {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

// Formatted by hand rather than with chrono's strftime: the browser bundle stays smaller.

fn stamp(at: DateTime<Utc>, separator: char, suffix: &str) -> String {
    format!(
        "{:04}-{:02}-{:02}{separator}{:02}:{:02}:{:02}{suffix}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// "2026-11-28 10:42:07 UTC"
pub fn utc(at: DateTime<Utc>) -> String {
    stamp(at, ' ', " UTC")
}

/// "2026-11-28T10:42:07Z", for `datetime` attributes.
pub fn iso(at: DateTime<Utc>) -> String {
    stamp(at, 'T', "Z")
}

/// "10:00"
pub fn hour_of_day(at: DateTime<Utc>) -> String {
    format!("{:02}:00", at.hour())
}

/// A time as RFC 3339, or as a form's `datetime-local` value (`2026-03-01T09:30`), taken as
/// UTC.
pub fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
                .map(|t| t.and_utc())
        })
}

fn unreadable<E: serde::de::Error>(text: &str) -> E {
    E::custom(format!("'{text}' is not a date and time"))
}

/// Reads a parameter's time with [`parse_utc`] (`#[serde(deserialize_with = ...)]`).
pub fn utc_or_local<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    parse_utc(&text).ok_or_else(|| unreadable(&text))
}

/// [`utc_or_local`] for a time that may be absent (with `#[serde(default)]`).
pub fn maybe_utc_or_local<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    match <Option<String> as serde::Deserialize>::deserialize(d)? {
        Some(text) => parse_utc(&text).map(Some).ok_or_else(|| unreadable(&text)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn relative_words() {
        let now: DateTime<Utc> = "2026-11-28T10:00:00Z".parse().unwrap();
        let ago = |s: i64| relative(now, now - Duration::seconds(s));
        assert_eq!(ago(10), "just now");
        assert_eq!(ago(-10), "just now");
        assert_eq!(ago(60), "1 min ago");
        assert_eq!(ago(59 * 60), "59 min ago");
        assert_eq!(ago(3 * 3600), "3 h ago");
        assert_eq!(ago(-2 * 3600), "in 2 h");
        assert_eq!(ago(3 * 86_400), "3 d ago");
        assert_eq!(utc(now), "2026-11-28 10:00:00 UTC");
        let odd: DateTime<Utc> = "2026-02-03T04:05:06.789Z".parse().unwrap();
        assert_eq!(utc(odd), "2026-02-03 04:05:06 UTC");
        assert_eq!(iso(odd), "2026-02-03T04:05:06Z");
        assert_eq!(hour_of_day(odd), "04:00");
    }

    #[test]
    fn times_read_with_an_offset_or_as_utc_from_a_form() {
        let at: DateTime<Utc> = "2026-03-01T08:30:00Z".parse().unwrap();
        assert_eq!(parse_utc("2026-03-01T09:30:00+01:00"), Some(at));
        assert_eq!(parse_utc(" 2026-03-01T08:30 "), Some(at));
        assert_eq!(parse_utc("2026-03-01T08:30:00"), Some(at));
        assert_eq!(parse_utc("tomorrow"), None);
    }
}
