//! Readers and writers for external formats. Nothing outside this module
//! names a file format.
//!
//! - [`cvrplib`]: CVRPLIB/TSPLIB `.vrp` instances, `.sol` solutions and the
//!   `bks.csv` table of best-known values;
//! - [`kim`]: the waste-collection VRPTW benchmark of Kim, Kim & Sahoo (2006)
//!   and the JSON solutions written for it;
//! - [`osm`]: OpenStreetMap `.osm.pbf` extracts, read for the road graph;
//! - [`plan`]: the inputs of a plan (pickups, facilities, fleet), read into
//!   the types of [`crate::domain`];
//! - [`params`]: solver parameter files.

pub mod cvrplib;
pub mod kim;
pub mod osm;
pub mod params;
pub mod plan;
pub mod pvrpif;

use std::path::Path;

use crate::error::Location;
use crate::{Error, Result};

/// Builds errors located in one file (the hand-written text readers).
pub(crate) struct Src<'a> {
    /// The file the errors name.
    pub file: &'a Path,
}

impl Src<'_> {
    /// `id` as a 1-based node index up to `dimension` (TSPLIB ids), or an
    /// error saying the range; `what` names the id (`node`, `depot`).
    pub fn node_in_range(
        &self,
        line: usize,
        field: &str,
        what: &str,
        id: i64,
        dimension: usize,
    ) -> Result<usize> {
        usize::try_from(id)
            .ok()
            .filter(|i| (1..=dimension).contains(i))
            .ok_or_else(|| {
                self.err(
                    line,
                    field,
                    format!(
                        "{what} id {id} is out of range: DIMENSION is {dimension}, so ids run from 1 to {dimension}"
                    ),
                )
            })
    }

    /// An input error at 1-based `line` (0 counts as 1) naming `field`.
    pub fn err(&self, line: usize, field: &str, message: impl Into<String>) -> Error {
        Error::input(
            Location::file(self.file)
                .at_line(line.max(1))
                .with_field(field),
            message,
        )
    }
}

/// `s`, shortened to 48 characters for an error message.
pub(crate) fn show(s: &str) -> String {
    const MAX: usize = 48;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

/// Reads a text file. A file that is not UTF-8 is an input error naming the
/// line and column of the first bad byte.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read, [`Error::Input`] if it is not
/// UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    text_of(path, &bytes)?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(format!("{}: {e}", path.display())))
}

/// `bytes` read from `path` as text; not UTF-8 is an input error naming the
/// line and column of the first bad byte.
pub(crate) fn text_of<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_and_column(bytes, e.valid_up_to());
        Error::input(
            Location::file(path).at_line(line),
            format!("{} (column {column})", not_utf8_message()),
        )
    })
}

/// The 1-based line and column (in bytes) of byte offset `at` of `bytes`.
pub(crate) fn line_and_column(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, at - start + 1)
}

/// A TOML parse error of `text` at `loc` (a file, or nothing for text),
/// naming the line where the parser stopped.
pub(crate) fn toml_error(loc: Location, text: &str, e: &toml::de::Error) -> Error {
    let Some(span) = e.span() else {
        return Error::input(loc, e.message().trim().to_string());
    };
    let line = line_and_column(text.as_bytes(), span.start).0;
    let mut loc = loc.at_line(line);
    // The key of a `key = value` line, when the error is about its value.
    if let Some((key, _)) = text.lines().nth(line - 1).and_then(|l| l.split_once('='))
        && let key = key.trim().trim_matches('"')
        && !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        loc = loc.with_field(key);
    }
    Error::input(loc, e.message().trim().to_string())
}

/// What to say about text that is not UTF-8.
pub(crate) fn not_utf8_message() -> &'static str {
    "the text is not valid UTF-8: save the file as UTF-8"
}

/// The closest of `known` to `name` by edit distance (insertions,
/// deletions, substitutions and swaps of neighbouring letters each count
/// one), if it is close enough to be a likely misspelling: at most 2 edits,
/// or a third of the longer name's length for long names.
pub(crate) fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let len = name.chars().count();
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|&(d, k)| d <= 2.max(len.max(k.chars().count()) / 3))
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// "unknown X 'name'" with the closest known name, or else the list of
/// known names.
pub(crate) fn unknown_name(what: &str, name: &str, known: &[&str]) -> String {
    match closest(name, known) {
        Some(k) => format!("unknown {what} '{name}' (did you mean '{k}'?)"),
        None => format!("unknown {what} '{name}' (known: {})", known.join(", ")),
    }
}

/// Optimal string alignment distance between `a` and `b` (Levenshtein plus
/// transpositions of adjacent characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, x) in d.iter_mut().enumerate().take(w) {
        *x = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_find_the_intended_name() {
        let known = ["id", "stream", "tw_start", "tw_end", "demand_kg"];
        assert_eq!(closest("streem", &known), Some("stream"));
        assert_eq!(closest("tw_strat", &known), Some("tw_start"));
        assert_eq!(closest("demand", &known), Some("demand_kg"));
        assert_eq!(closest("colour", &known), None);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert!(unknown_name("column", "colour", &known).contains("known: id, stream"));
    }

    #[test]
    fn toml_errors_name_the_line_and_the_key() {
        let text = "a = 1\nheight_m = \"tall\"\n";
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            a: i64,
            height_m: f64,
        }
        let e = toml::from_str::<T>(text).unwrap_err();
        let m = toml_error(Location::file("p.toml"), text, &e).to_string();
        assert!(m.starts_with("p.toml:2: field 'height_m': "), "{m}");
    }

    #[test]
    fn text_that_is_not_utf8_names_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.toml");
        std::fs::write(&p, b"a = 1\nname = \"Caf\xe9\"\n").unwrap();
        let e = read_text(&p).unwrap_err().to_string();
        assert!(
            e.contains("x.toml:2") && e.contains("column 12") && e.contains("UTF-8"),
            "{e}"
        );
        assert_eq!(line_and_column(b"ab\ncd", 4), (2, 2));
    }
}
