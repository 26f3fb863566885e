//! Weekdays, sets of days and visit patterns.
//!
//! A pickup collected `f` times a week is visited on the days of one
//! *pattern*: a set of `f` working days. With only a frequency, the allowed
//! patterns are the evenly spaced ones over the working days, the rule of the
//! periodic VRP literature (Vidal et al. 2012, "A hybrid genetic algorithm
//! for multidepot and periodic vehicle routing problems", Operations Research
//! 60(3); Taverna & Tilk 2026, EJOR 331(2), rule "visiting schemes"): with
//! `D` working days and `f` dividing `D`, the `D/f` sets
//! `{s, s + D/f, ..., s + (f-1)·D/f}` for `s = 0 .. D/f - 1`, counted in
//! working days. Six working days (Monday to Saturday): three a week gives
//! mon/wed/fri or tue/thu/sat, twice a week mon/thu, tue/fri or wed/sat.
//! When `f` does not divide `D`, the working-day offsets are
//! `floor(k·D/f)` shifted by every start `s`, which spaces the visits as
//! evenly as whole days allow (five working days, twice a week: mon/wed,
//! tue/thu, wed/fri, thu/mon, fri/tue).
//!
//! A planner may also pin the days (`mon;wed;fri`), allow more days than the
//! frequency (then the evenly spaced choices among them), or list the
//! patterns themselves (`mon;thu|tue;fri`).

use std::fmt;

/// A day of the week, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// The seven days in calendar order.
pub const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const LONG_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Weekday {
    /// 0 for Monday .. 6 for Sunday.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The day with calendar index `i` (0 = Monday); `None` above 6.
    pub fn from_index(i: usize) -> Option<Weekday> {
        WEEK.get(i).copied()
    }

    /// The three-letter name used in files and outputs (`mon`).
    pub fn name(self) -> &'static str {
        NAMES[self.index()]
    }

    /// Reads `mon` or `monday` in any case, with surrounding spaces.
    pub fn parse(s: &str) -> Option<Weekday> {
        let s = s.trim().to_ascii_lowercase();
        let i = NAMES
            .iter()
            .position(|n| *n == s)
            .or_else(|| LONG_NAMES.iter().position(|n| *n == s))?;
        Weekday::from_index(i)
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of weekdays (a bit per day, Monday = bit 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DaySet(u8);

impl DaySet {
    /// No day.
    pub const EMPTY: DaySet = DaySet(0);
    /// All seven days.
    pub const ALL: DaySet = DaySet(0x7f);
    /// Monday to Saturday: the working days of a fleet file that names none.
    pub const MON_TO_SAT: DaySet = DaySet(0x3f);

    /// The set of the given days.
    pub fn of(days: &[Weekday]) -> DaySet {
        days.iter().fold(DaySet::EMPTY, |s, d| s.with(*d))
    }

    /// This set and `day`.
    pub fn with(self, day: Weekday) -> DaySet {
        DaySet(self.0 | 1 << day.index())
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & 1 << day.index() != 0
    }

    /// The number of days.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set has no day.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every day of `self` is in `other`.
    pub fn is_subset(self, other: DaySet) -> bool {
        self.0 & !other.0 == 0
    }

    /// The days of `self` not in `other`.
    pub fn minus(self, other: DaySet) -> DaySet {
        DaySet(self.0 & !other.0)
    }

    /// The days in calendar order.
    pub fn days(self) -> impl Iterator<Item = Weekday> {
        WEEK.into_iter().filter(move |d| self.contains(*d))
    }

    /// Reads a `;`-separated list of day names (`mon;wed;fri`). Repeated
    /// days are an error, as is an empty list.
    pub fn parse(s: &str) -> Result<DaySet, String> {
        let mut set = DaySet::EMPTY;
        for part in s.split(';') {
            let part = part.trim();
            let day = Weekday::parse(part).ok_or_else(|| {
                format!("'{part}' is not a day (use mon, tue, wed, thu, fri, sat, sun)")
            })?;
            if set.contains(day) {
                return Err(format!("{day} is listed twice in '{}'", s.trim()));
            }
            set = set.with(day);
        }
        Ok(set)
    }

    /// For each day of the set, the number of calendar days since the
    /// previous visit day of the set, the week taken as a cycle: visits on
    /// Monday and Thursday give Monday 4 (from the Thursday before) and
    /// Thursday 3. A single day gives 7.
    pub fn gaps(self) -> Vec<(Weekday, u32)> {
        let days: Vec<Weekday> = self.days().collect();
        (0..days.len())
            .map(|k| {
                let prev = days[(k + days.len() - 1) % days.len()];
                let gap = (days[k].index() + 7 - prev.index()) % 7;
                (days[k], if gap == 0 { 7 } else { gap as u32 })
            })
            .collect()
    }
}

impl fmt::Display for DaySet {
    /// `mon;wed;fri`, the form [`DaySet::parse`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, d) in self.days().enumerate() {
            if k > 0 {
                f.write_str(";")?;
            }
            f.write_str(d.name())?;
        }
        Ok(())
    }
}

/// The evenly spaced patterns of `frequency` visits over `working` days (see
/// the module docs), in order of their first day. `frequency` must be from 1
/// to the number of working days.
pub fn even_patterns(working: DaySet, frequency: usize) -> Result<Vec<DaySet>, String> {
    let days: Vec<Weekday> = working.days().collect();
    let n = days.len();
    if frequency == 0 || frequency > n {
        return Err(format!(
            "frequency {frequency} needs 1 to {n} working days ({working} are the working days)"
        ));
    }
    let mut out: Vec<DaySet> = Vec::new();
    for s in 0..n {
        let set = (0..frequency).fold(DaySet::EMPTY, |set, k| {
            set.with(days[(s + k * n / frequency) % n])
        });
        if !out.contains(&set) {
            out.push(set);
        }
    }
    Ok(out)
}

/// The patterns a pickup may be visited on, from its `frequency` and its
/// optional `days` text, given the working days:
///
/// - no text: [`even_patterns`];
/// - `mon;wed;fri` with as many days as the frequency: exactly those days;
/// - more days than the frequency: the evenly spaced patterns over those
///   days (the allowed days act as the pickup's own working days);
/// - `mon;thu|tue;fri`: the listed patterns, each of `frequency` days.
///
/// Every day must be a working day.
pub fn allowed_patterns(
    working: DaySet,
    frequency: usize,
    days: Option<&str>,
) -> Result<Vec<DaySet>, String> {
    let text = match days.map(str::trim) {
        None | Some("") => return even_patterns(working, frequency),
        Some(t) => t,
    };
    let mut patterns: Vec<DaySet> = Vec::new();
    for alt in text.split('|') {
        let set = DaySet::parse(alt)?;
        let closed = set.minus(working);
        if !closed.is_empty() {
            return Err(format!(
                "{closed} is not a working day (the working days are {working})"
            ));
        }
        if !patterns.contains(&set) {
            patterns.push(set);
        }
    }
    if let [only] = patterns[..]
        && only.len() > frequency
    {
        return even_patterns(only, frequency);
    }
    for p in &patterns {
        if p.len() != frequency {
            return Err(format!(
                "the pattern {p} has {} days but the frequency is {frequency}",
                p.len()
            ));
        }
    }
    Ok(patterns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Weekday::*;

    fn six() -> DaySet {
        DaySet::of(&[Mon, Tue, Wed, Thu, Fri, Sat])
    }

    fn names(ps: &[DaySet]) -> Vec<String> {
        ps.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn day_names_read_both_ways() {
        for d in WEEK {
            assert_eq!(Weekday::parse(d.name()), Some(d));
            assert_eq!(Weekday::parse(&d.name().to_uppercase()), Some(d));
        }
        assert_eq!(Weekday::parse(" Wednesday "), Some(Wed));
        assert_eq!(Weekday::parse("wd"), None);
        assert_eq!(Weekday::from_index(7), None);
    }

    #[test]
    fn day_sets_print_as_they_read() {
        let s = DaySet::parse("fri; mon;wed").unwrap();
        assert_eq!(s.to_string(), "mon;wed;fri");
        assert_eq!(s.len(), 3);
        assert!(s.is_subset(six()));
        assert!(!DaySet::of(&[Sun]).is_subset(six()));
        assert!(DaySet::parse("mon;mon").unwrap_err().contains("twice"));
        assert!(DaySet::parse("mon;xyz").unwrap_err().contains("'xyz'"));
        assert!(DaySet::parse("").is_err());
    }

    #[test]
    fn six_working_days_give_the_textbook_patterns() {
        let p = |f| names(&even_patterns(six(), f).unwrap());
        assert_eq!(p(3), ["mon;wed;fri", "tue;thu;sat"]);
        assert_eq!(p(2), ["mon;thu", "tue;fri", "wed;sat"]);
        assert_eq!(p(6), ["mon;tue;wed;thu;fri;sat"]);
        assert_eq!(p(1).len(), 6);
        assert!(even_patterns(six(), 7).is_err());
        assert!(even_patterns(six(), 0).is_err());
    }

    #[test]
    fn every_even_pattern_has_the_frequency_and_only_working_days() {
        for working in [six(), DaySet::of(&[Mon, Tue, Wed, Thu, Fri]), DaySet::ALL] {
            for f in 1..=working.len() {
                let ps = even_patterns(working, f).unwrap();
                assert!(!ps.is_empty());
                for p in &ps {
                    assert_eq!(p.len(), f, "{working} f={f}: {p}");
                    assert!(p.is_subset(working));
                }
                // With f dividing D there are exactly D/f patterns, disjoint.
                if working.len() % f == 0 {
                    assert_eq!(ps.len(), working.len() / f);
                    let union = ps.iter().fold(DaySet::EMPTY, |u, p| DaySet(u.0 | p.0));
                    assert_eq!(union, working);
                }
            }
        }
    }

    #[test]
    fn uneven_frequencies_spread_the_visits() {
        let five = DaySet::of(&[Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(
            names(&even_patterns(five, 2).unwrap()),
            ["mon;wed", "tue;thu", "wed;fri", "mon;thu", "tue;fri"]
        );
        // Four visits over six days: never three days in a row off.
        for p in even_patterns(six(), 4).unwrap() {
            assert!(p.gaps().iter().all(|(_, g)| *g <= 3), "{p}");
        }
    }

    #[test]
    fn gaps_count_calendar_days_around_the_week() {
        let p = DaySet::of(&[Mon, Thu]);
        assert_eq!(p.gaps(), vec![(Mon, 4), (Thu, 3)]);
        assert_eq!(DaySet::of(&[Wed]).gaps(), vec![(Wed, 7)]);
        // Over a pattern the gaps add up to the week.
        for p in even_patterns(six(), 3).unwrap() {
            assert_eq!(p.gaps().iter().map(|(_, g)| g).sum::<u32>(), 7);
        }
    }

    #[test]
    fn a_pickup_may_pin_allow_or_list_its_days() {
        let w = six();
        assert_eq!(names(&allowed_patterns(w, 2, None).unwrap()).len(), 3);
        assert_eq!(
            names(&allowed_patterns(w, 3, Some("mon;wed;fri")).unwrap()),
            ["mon;wed;fri"]
        );
        assert_eq!(
            names(&allowed_patterns(w, 2, Some("mon;thu|tue;fri")).unwrap()),
            ["mon;thu", "tue;fri"]
        );
        // Allowed days wider than the frequency: evenly spaced among them.
        assert_eq!(
            names(&allowed_patterns(w, 2, Some("mon;tue;thu;fri")).unwrap()),
            ["mon;thu", "tue;fri"]
        );
        let e = allowed_patterns(w, 2, Some("mon;sun")).unwrap_err();
        assert!(e.contains("sun is not a working day"), "{e}");
        let e = allowed_patterns(w, 3, Some("mon;thu|tue;fri")).unwrap_err();
        assert!(e.contains("frequency is 3"), "{e}");
        let e = allowed_patterns(w, 3, Some("mon;thu")).unwrap_err();
        assert!(e.contains("has 2 days"), "{e}");
        assert!(allowed_patterns(w, 9, None).is_err());
    }
}
