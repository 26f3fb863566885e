//! Times of day: seconds after midnight, written `HH:MM`.

/// Parses `HH:MM` (or `HH:MM:SS`) into seconds after midnight. Hours run
/// up to 47, for shifts that end after midnight.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let mut it = s.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec: i64 = match it.next() {
        Some(x) => x.parse().ok()?,
        None => 0,
    };
    if it.next().is_some()
        || !(0..48).contains(&h)
        || !(0..60).contains(&m)
        || !(0..60).contains(&sec)
    {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

/// Formats seconds after midnight as `HH:MM`, rounded to the minute.
pub fn format_time(s: i64) -> String {
    let m = (s + 30).div_euclid(60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_format() {
        assert_eq!(parse_time("06:30"), Some(6 * 3600 + 30 * 60));
        assert_eq!(parse_time("6:05:30"), Some(6 * 3600 + 5 * 60 + 30));
        assert_eq!(parse_time("25:00"), Some(25 * 3600));
        assert_eq!(parse_time("06:60"), None);
        assert_eq!(parse_time("48:00"), None);
        assert_eq!(parse_time("06:00:00:00"), None);
        assert_eq!(parse_time("six"), None);
        assert_eq!(format_time(6 * 3600 + 29 * 60 + 40), "06:30");
        assert_eq!(format_time(0), "00:00");
    }
}
