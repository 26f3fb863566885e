//! CVRPLIB instances (`.vrp`), solutions (`.sol`) and the table of
//! best-known values (`bks.csv`).
//!
//! # The `.vrp` format
//!
//! CVRPLIB uses the TSPLIB format (Reinelt 1991, *TSPLIB 95*): a
//! *specification part* of `KEY : value` lines (`KEY: value` is accepted too)
//! followed by *data sections*, each opened by a line holding only its name,
//! and an optional `EOF` line. Keywords and section names are written in
//! capitals; a line that starts with anything else is data of the current
//! section. Read here:
//!
//! | keyword | meaning |
//! |---|---|
//! | `NAME`, `COMMENT` | free text (surrounding quotes are removed) |
//! | `TYPE` | must be `CVRP` when present |
//! | `DIMENSION` | number of nodes, **depot included** |
//! | `CAPACITY` | vehicle capacity (integer) |
//! | `DISTANCE` | route length limit (CMT, Golden) |
//! | `SERVICE_TIME` | service time of every customer, added to the route length (CMT) |
//! | `EDGE_WEIGHT_TYPE` | `EUC_2D` (distances from coordinates) or `EXPLICIT` |
//! | `EDGE_WEIGHT_FORMAT` | for `EXPLICIT`: `FULL_MATRIX`, `LOWER_ROW`, `LOWER_DIAG_ROW`, `UPPER_ROW`, `UPPER_DIAG_ROW` (and the `*_COL` variants); `FUNCTION` for `EUC_2D` |
//! | `NODE_COORD_TYPE` | `TWOD_COORDS` or `NO_COORDS` |
//! | `DISPLAY_DATA_TYPE` | `COORD_DISPLAY`, `TWOD_DISPLAY` or `NO_DISPLAY` |
//!
//! Sections: `NODE_COORD_SECTION` (`id x y` per line), `DEMAND_SECTION`
//! (`id demand`), `DEPOT_SECTION` (depot ids, then `-1`),
//! `EDGE_WEIGHT_SECTION` (numbers in the order of `EDGE_WEIGHT_FORMAT`,
//! spread over lines in any way) and `DISPLAY_DATA_SECTION` (`id x y`; used as
//! the coordinates when there is no `NODE_COORD_SECTION`).
//!
//! Node ids in the file run from 1 to `DIMENSION`. Everything in this module
//! uses **0-based node indices**: index = id − 1, so the usual depot (node 1)
//! is index 0.
//!
//! Anything else is an error that names the file, the line and what was
//! expected: unknown keywords or sections, unsupported values (for example
//! `EDGE_WEIGHT_TYPE : GEO`), missing sections, wrong counts, non-numeric or
//! negative values, node ids out of range or repeated, a demand above the
//! capacity, a depot with a demand, several depots or none, a `DEPOT_SECTION`
//! without its `-1`.
//!
//! # Distances
//!
//! The file does not say how distances are rounded; that is a convention of
//! each benchmark set, so it is chosen by the caller with [`Rounding`]:
//!
//! - X, XXL, A, B, P, E, F, M: TSPLIB `nint` of the Euclidean distance,
//!   [`Rounding::Nint`]. The published best-known values assume it.
//! - CMT and Golden: real-valued distances. Use [`Rounding::Scaled`] to keep
//!   `k` decimals in integer units, or [`CvrpInstance::distance`] directly.
//!
//! # The `.sol` format
//!
//! ```text
//! Route #1: 31 46 35
//! Route #2: 15 22 41 20
//! Cost 27591
//! ```
//!
//! The numbers are 0-based node indices (file id − 1), as CVRPLIB and the
//! peer tools number them: with the depot at node 1, customers are
//! `1..DIMENSION-1`. The depot itself is not listed.
//!
//! # Examples
//!
//! ```
//! use wasteroute::io::cvrplib::{self, Rounding};
//!
//! let text = "NAME : tiny\nTYPE : CVRP\nDIMENSION : 3\nCAPACITY : 10\n\
//!             EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n\
//!             DEMAND_SECTION\n1 0\n2 4\n3 5\nDEPOT_SECTION\n1\n-1\nEOF\n";
//! let inst = cvrplib::parse_vrp(text, "tiny.vrp")?;
//! assert_eq!(inst.dimension(), 3);
//! assert_eq!(inst.distance_matrix(Rounding::Nint)[1], 5); // node 0 -> node 1
//!
//! let sol = cvrplib::parse_sol("Route #1: 1 2\nCost 20\n", "tiny.sol", Some(&inst))?;
//! assert_eq!(sol.routes, vec![vec![1, 2]]);
//! # Ok::<(), wasteroute::Error>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;
use std::path::Path;

use super::{Src, show};
use crate::{Error, Result};

/// A CVRPLIB instance, validated: one depot, every node with a demand, and
/// either coordinates or an explicit matrix for the distances.
///
/// Nodes are 0-based indices in file order (index = file id − 1).
#[derive(Debug, Clone, PartialEq)]
pub struct CvrpInstance {
    name: String,
    comment: Option<String>,
    dimension: usize,
    capacity: i64,
    distance_limit: Option<f64>,
    service_time: Option<f64>,
    coords: Option<Vec<(f64, f64)>>,
    demands: Vec<i64>,
    depot: usize,
    weights: Weights,
}

/// Where the distances of a [`CvrpInstance`] come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Weights {
    /// `EDGE_WEIGHT_TYPE : EUC_2D`: the Euclidean distance between the
    /// coordinates ([`CvrpInstance::coords`] is then always present).
    Euc2d,
    /// `EDGE_WEIGHT_TYPE : EXPLICIT`: the weights of `EDGE_WEIGHT_SECTION`,
    /// expanded to a full row-major `DIMENSION × DIMENSION` matrix (entry
    /// `(i, j)` at `i * DIMENSION + j`). Triangular formats are mirrored, so
    /// the matrix is symmetric; a `FULL_MATRIX` is kept as given. Diagonal
    /// entries not present in the format are 0.
    Explicit {
        /// The format the weights were listed in.
        format: EdgeWeightFormat,
        /// The full matrix, row-major.
        matrix: Vec<f64>,
    },
}

/// The order in which an `EXPLICIT` matrix is listed (`EDGE_WEIGHT_FORMAT`).
///
/// For `n` nodes, rows and columns numbered from 0:
///
/// ```text
/// FULL_MATRIX     all n*n entries, row by row
/// LOWER_ROW       (1,0) (2,0) (2,1) (3,0) ...          n(n-1)/2 entries
/// LOWER_DIAG_ROW  (0,0) (1,0) (1,1) (2,0) ...          n(n+1)/2 entries
/// UPPER_ROW       (0,1) (0,2) ... (0,n-1) (1,2) ...    n(n-1)/2 entries
/// UPPER_DIAG_ROW  (0,0) (0,1) ... (0,n-1) (1,1) ...    n(n+1)/2 entries
/// ```
///
/// The `*_COL` variants list the same triangle column by column; for a
/// symmetric matrix `LOWER_COL` is `UPPER_ROW`, `UPPER_COL` is `LOWER_ROW`,
/// and likewise with the diagonal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeWeightFormat {
    /// `FULL_MATRIX`.
    FullMatrix,
    /// `LOWER_ROW`: strict lower triangle, row by row.
    LowerRow,
    /// `LOWER_DIAG_ROW`: lower triangle with the diagonal, row by row.
    LowerDiagRow,
    /// `UPPER_ROW`: strict upper triangle, row by row.
    UpperRow,
    /// `UPPER_DIAG_ROW`: upper triangle with the diagonal, row by row.
    UpperDiagRow,
    /// `LOWER_COL`: strict lower triangle, column by column.
    LowerCol,
    /// `LOWER_DIAG_COL`: lower triangle with the diagonal, column by column.
    LowerDiagCol,
    /// `UPPER_COL`: strict upper triangle, column by column.
    UpperCol,
    /// `UPPER_DIAG_COL`: upper triangle with the diagonal, column by column.
    UpperDiagCol,
}

impl EdgeWeightFormat {
    const ALL: [(EdgeWeightFormat, &'static str); 9] = [
        (EdgeWeightFormat::FullMatrix, "FULL_MATRIX"),
        (EdgeWeightFormat::LowerRow, "LOWER_ROW"),
        (EdgeWeightFormat::LowerDiagRow, "LOWER_DIAG_ROW"),
        (EdgeWeightFormat::UpperRow, "UPPER_ROW"),
        (EdgeWeightFormat::UpperDiagRow, "UPPER_DIAG_ROW"),
        (EdgeWeightFormat::LowerCol, "LOWER_COL"),
        (EdgeWeightFormat::LowerDiagCol, "LOWER_DIAG_COL"),
        (EdgeWeightFormat::UpperCol, "UPPER_COL"),
        (EdgeWeightFormat::UpperDiagCol, "UPPER_DIAG_COL"),
    ];

    /// The keyword value, for example `"LOWER_ROW"`.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("?", |(_, s)| s)
    }

    fn parse(s: &str) -> Option<EdgeWeightFormat> {
        Self::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(s))
            .map(|(f, _)| *f)
    }

    /// Number of weights the section holds for `n` nodes, or `None` on
    /// overflow.
    fn count(self, n: usize) -> Option<usize> {
        use EdgeWeightFormat::*;
        match self {
            FullMatrix => n.checked_mul(n),
            LowerRow | UpperRow | LowerCol | UpperCol => {
                n.checked_mul(n.saturating_sub(1)).map(|x| x / 2)
            }
            LowerDiagRow | UpperDiagRow | LowerDiagCol | UpperDiagCol => {
                n.checked_mul(n.checked_add(1)?).map(|x| x / 2)
            }
        }
    }

    /// The `(row, column)` positions in listing order.
    fn positions(self, n: usize) -> Box<dyn Iterator<Item = (usize, usize)>> {
        use EdgeWeightFormat::*;
        match self {
            FullMatrix => Box::new((0..n).flat_map(move |i| (0..n).map(move |j| (i, j)))),
            LowerRow => Box::new((0..n).flat_map(|i| (0..i).map(move |j| (i, j)))),
            LowerDiagRow => Box::new((0..n).flat_map(|i| (0..=i).map(move |j| (i, j)))),
            UpperRow => Box::new((0..n).flat_map(move |i| (i + 1..n).map(move |j| (i, j)))),
            UpperDiagRow => Box::new((0..n).flat_map(move |i| (i..n).map(move |j| (i, j)))),
            LowerCol => Box::new((0..n).flat_map(move |j| (j + 1..n).map(move |i| (i, j)))),
            LowerDiagCol => Box::new((0..n).flat_map(move |j| (j..n).map(move |i| (i, j)))),
            UpperCol => Box::new((0..n).flat_map(|j| (0..j).map(move |i| (i, j)))),
            UpperDiagCol => Box::new((0..n).flat_map(|j| (0..=j).map(move |i| (i, j)))),
        }
    }
}

impl fmt::Display for EdgeWeightFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How real distances become the integers the solver works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// TSPLIB `nint`: `⌊d + 0.5⌋`. The convention of the X, XXL, A, B, P, E,
    /// F and M sets and of their best-known values.
    Nint,
    /// `⌊d · 10^k + 0.5⌋`: keeps `k` decimals, for real-valued instances
    /// (CMT, Golden). `Scaled(0)` is [`Rounding::Nint`]. Values beyond the
    /// `i64` range saturate, so keep `k` small (2 to 4 is plenty).
    Scaled(u32),
}

impl Rounding {
    /// Rounds the non-negative distance `d`.
    pub fn apply(self, d: f64) -> i64 {
        let x = match self {
            Rounding::Nint => d,
            Rounding::Scaled(k) => d * 10f64.powi(k.min(300) as i32),
        };
        // `as` saturates on overflow and maps NaN to 0: never panics.
        (x + 0.5).floor() as i64
    }
}

impl CvrpInstance {
    /// The instance name (`NAME`, or the file stem when `NAME` is absent).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `COMMENT` line, without surrounding quotes.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }

    /// Number of nodes, depot included (`DIMENSION`).
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// Number of customers: `DIMENSION − 1`.
    pub fn n_customers(&self) -> usize {
        self.dimension - 1
    }

    /// Vehicle capacity (`CAPACITY`), in the unit of the demands.
    pub fn capacity(&self) -> i64 {
        self.capacity
    }

    /// Route length limit (`DISTANCE`), in distance units, service times
    /// included (CMT convention).
    pub fn distance_limit(&self) -> Option<f64> {
        self.distance_limit
    }

    /// Service time of every customer (`SERVICE_TIME`), in distance units.
    pub fn service_time(&self) -> Option<f64> {
        self.service_time
    }

    /// Node coordinates in node order, from `NODE_COORD_SECTION` or else from
    /// `DISPLAY_DATA_SECTION`. Always present for `EUC_2D`.
    pub fn coords(&self) -> Option<&[(f64, f64)]> {
        self.coords.as_deref()
    }

    /// Demand of every node in node order; the depot's is 0.
    pub fn demands(&self) -> &[i64] {
        &self.demands
    }

    /// 0-based index of the depot (0 for every CVRPLIB file).
    pub fn depot(&self) -> usize {
        self.depot
    }

    /// Where the distances come from.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The exact (unrounded) distance from node `i` to node `j`.
    ///
    /// # Panics
    /// If `i` or `j` is not below [`dimension`](Self::dimension).
    pub fn distance(&self, i: usize, j: usize) -> f64 {
        let n = self.dimension;
        assert!(
            i < n && j < n,
            "node index out of range: ({i}, {j}) with {n} nodes"
        );
        match &self.weights {
            Weights::Euc2d => match &self.coords {
                Some(c) => {
                    let (dx, dy) = (c[i].0 - c[j].0, c[i].1 - c[j].1);
                    (dx * dx + dy * dy).sqrt()
                }
                // The parser guarantees coordinates for EUC_2D.
                None => f64::NAN,
            },
            Weights::Explicit { matrix, .. } => matrix[i * n + j],
        }
    }

    /// The rounded distance matrix, row-major `n × n` (entry `(i, j)` at
    /// `i * n + j`), `n` = [`dimension`](Self::dimension).
    ///
    /// It holds `n²` values: 8 MB for 1,000 nodes, 7 GB for the 30,000 of
    /// the largest XXL instance; compute single entries with
    /// [`distance`](Self::distance) there.
    pub fn distance_matrix(&self, rounding: Rounding) -> Vec<i64> {
        let n = self.dimension;
        let mut out = Vec::with_capacity(n.saturating_mul(n));
        for i in 0..n {
            for j in 0..n {
                out.push(rounding.apply(self.distance(i, j)));
            }
        }
        out
    }
}

/// A CVRP solution as in a `.sol` file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CvrpSolution {
    /// Routes as 0-based node indices (the `.sol` numbering), depot excluded.
    pub routes: Vec<Vec<usize>>,
    /// The `Cost` line, if any.
    pub cost: Option<f64>,
}

/// One row of `bks.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bks {
    /// Best-known objective value (real-valued for CMT, integer otherwise).
    pub bks: f64,
    /// True when the value is proven optimal (`optimal_proven` = `yes`);
    /// false for `no` and `unknown`.
    pub optimal: bool,
    /// Number of customers (`DIMENSION − 1`).
    pub n_customers: usize,
    /// Vehicle capacity.
    pub capacity: i64,
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Lines of `text` with 1-based numbers, trimmed; a leading byte-order mark is
/// dropped.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()))
}

fn parse_finite(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// .vrp
// ---------------------------------------------------------------------------

const KEYWORDS: [&str; 11] = [
    "NAME",
    "COMMENT",
    "TYPE",
    "DIMENSION",
    "CAPACITY",
    "DISTANCE",
    "SERVICE_TIME",
    "EDGE_WEIGHT_TYPE",
    "EDGE_WEIGHT_FORMAT",
    "NODE_COORD_TYPE",
    "DISPLAY_DATA_TYPE",
];

const SECTIONS: [&str; 5] = [
    "NODE_COORD_SECTION",
    "DEMAND_SECTION",
    "DEPOT_SECTION",
    "EDGE_WEIGHT_SECTION",
    "DISPLAY_DATA_SECTION",
];

/// A data section: the line of its name and its data lines.
struct Section<'a> {
    line: usize,
    data: Vec<(usize, &'a str)>,
}

impl Section<'_> {
    /// The last line of the section (its header when it has no data).
    fn last_line(&self) -> usize {
        self.data.last().map_or(self.line, |d| d.0)
    }
}

/// The file split into keywords and sections, before interpretation.
struct Raw<'a> {
    keywords: HashMap<&'static str, (usize, &'a str)>,
    sections: HashMap<&'static str, Section<'a>>,
    /// Line of the first section (end of the specification part).
    spec_end: usize,
    /// Line of `EOF`, or the last line of the file.
    end: usize,
}

/// The value of the keyword `key`'s `text` (at `line`) among `choices`
/// (ASCII case ignored), or an error saying it is unsupported and what is
/// `expected`.
fn choice<T: Copy>(
    src: &Src,
    (line, key, text): (usize, &str, &str),
    choices: &[(&str, T)],
    expected: &str,
) -> Result<T> {
    choices
        .iter()
        .find(|(name, _)| text.eq_ignore_ascii_case(name))
        .map(|&(_, v)| v)
        .ok_or_else(|| {
            src.err(
                line,
                key,
                format!("unsupported {key} '{}': expected {expected}", show(text)),
            )
        })
}

/// `text` (of `field` at `line`) parsed as a `T`, or an error saying what
/// was `expected` and what was found.
fn parsed<T: std::str::FromStr>(
    src: &Src,
    (line, field, text): (usize, &str, &str),
    expected: &str,
) -> Result<T> {
    text.parse().map_err(|_| {
        src.err(
            line,
            field,
            format!("expected {expected}, found '{}'", show(text)),
        )
    })
}

fn split_raw<'a>(src: &Src, text: &'a str) -> Result<Raw<'a>> {
    let mut keywords: HashMap<&'static str, (usize, &'a str)> = HashMap::new();
    let mut sections: HashMap<&'static str, Section<'a>> = HashMap::new();
    let mut current: Option<&'static str> = None;
    let mut spec_end = None;
    let mut end = 0;
    for (no, line) in numbered_lines(text) {
        end = no;
        if line.is_empty() {
            continue;
        }
        // A keyword, section name or EOF is a word in capitals that starts
        // the line; anything else (numbers, or words such as "nan" that a
        // broken data line may hold) is data of the current section.
        let key_len = line
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(line.len());
        let (key, rest) = line.split_at(key_len);
        let is_keyword = key.starts_with(|c: char| c.is_ascii_uppercase())
            && (rest.is_empty() || rest.starts_with(|c: char| c == ':' || c.is_whitespace()));
        if !is_keyword {
            match current.and_then(|s| sections.get_mut(s)) {
                Some(section) => section.data.push((no, line)),
                None => {
                    return Err(src.err(
                        no,
                        "line",
                        format!(
                            "expected a keyword line ('KEY : value', KEY in capitals) or a \
                             section name, found '{}' outside any section",
                            show(line)
                        ),
                    ));
                }
            }
            continue;
        }
        let rest = rest.trim_start();
        let value = rest.strip_prefix(':').unwrap_or(rest).trim();
        if key == "EOF" {
            break;
        }
        if key.ends_with("_SECTION") {
            let Some(&name) = SECTIONS.iter().find(|s| **s == key) else {
                return Err(src.err(
                    no,
                    key,
                    format!(
                        "unknown section '{key}': expected one of {}",
                        SECTIONS.join(", ")
                    ),
                ));
            };
            if !value.is_empty() {
                return Err(src.err(
                    no,
                    name,
                    format!(
                        "expected nothing after {name} on its line (the data starts on the \
                         next line), found '{}'",
                        show(value)
                    ),
                ));
            }
            if let Some(first) = sections.get(name) {
                return Err(src.err(
                    no,
                    name,
                    format!(
                        "{name} appears twice; the first one is on line {}",
                        first.line
                    ),
                ));
            }
            sections.insert(
                name,
                Section {
                    line: no,
                    data: Vec::new(),
                },
            );
            spec_end.get_or_insert(no);
            current = Some(name);
        } else {
            let Some(&name) = KEYWORDS.iter().find(|k| **k == key) else {
                return Err(src.err(
                    no,
                    key,
                    format!(
                        "unknown keyword '{key}': expected one of {}, a section name or EOF",
                        KEYWORDS.join(", ")
                    ),
                ));
            };
            if let Some((first, _)) = keywords.get(name) {
                return Err(src.err(
                    no,
                    name,
                    format!("{name} appears twice; the first one is on line {first}"),
                ));
            }
            keywords.insert(name, (no, value));
            current = None;
        }
    }
    let end = end.max(1);
    Ok(Raw {
        keywords,
        sections,
        spec_end: spec_end.unwrap_or(end),
        end,
    })
}

/// Reads a CVRPLIB `.vrp` file.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Input`] naming the
/// file, line and keyword or section for any malformed content (see the
/// [module documentation](self)).
pub fn read_vrp(path: impl AsRef<Path>) -> Result<CvrpInstance> {
    let path = path.as_ref();
    parse_vrp(&read_text(path)?, path)
}

/// Parses the text of a `.vrp` file; `name` is the file name used in error
/// messages (and as the instance name when `NAME` is absent).
///
/// # Errors
/// As [`read_vrp`], without the I/O errors.
pub fn parse_vrp(text: &str, name: impl AsRef<Path>) -> Result<CvrpInstance> {
    let file = name.as_ref();
    let src = Src { file };
    let raw = split_raw(&src, text)?;
    VrpReader { src, raw }.read()
}

struct VrpReader<'a> {
    src: Src<'a>,
    raw: Raw<'a>,
}

/// Which coordinate section a per-node table comes from, for messages.
const COORD_LAYOUT: &str = "id x y";

impl<'a> VrpReader<'a> {
    fn keyword(&self, key: &'static str) -> Option<(usize, &'a str)> {
        self.raw.keywords.get(key).copied()
    }

    fn require(&self, key: &'static str, what: &str) -> Result<(usize, &'a str)> {
        self.keyword(key).ok_or_else(|| {
            self.src.err(
                self.raw.spec_end,
                key,
                format!(
                    "missing keyword {key}: expected a line '{key} : <{what}>' in the \
                     specification part, before the first section"
                ),
            )
        })
    }

    fn missing_section(&self, name: &str, why: &str) -> Error {
        self.src.err(
            self.raw.end,
            name,
            format!(
                "missing section {name}: {why}; the file ends at line {}",
                self.raw.end
            ),
        )
    }

    fn read(self) -> Result<CvrpInstance> {
        let src = &self.src;
        let unquote = |s: &str| s.trim().trim_matches('"').trim().to_string();

        let name = match self.keyword("NAME").map(|(_, v)| unquote(v)) {
            Some(n) if !n.is_empty() => n,
            _ => src
                .file
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
        };
        let comment = self
            .keyword("COMMENT")
            .map(|(_, v)| unquote(v))
            .filter(|c| !c.is_empty());

        if let Some((line, value)) = self.keyword("TYPE")
            && !value.eq_ignore_ascii_case("CVRP")
        {
            return Err(src.err(
                line,
                "TYPE",
                format!("unsupported TYPE '{}': expected CVRP", show(value)),
            ));
        }

        let (dim_line, dim_text) = self.require("DIMENSION", "number of nodes, depot included")?;
        let dimension = dim_text
            .parse::<usize>()
            .ok()
            .filter(|&d| d >= 2)
            .ok_or_else(|| {
                src.err(
                    dim_line,
                    "DIMENSION",
                    format!(
                        "expected the number of nodes (depot included) as an integer of at \
                         least 2, found '{}'",
                        show(dim_text)
                    ),
                )
            })?;

        let (cap_line, cap_text) = self.require("CAPACITY", "vehicle capacity")?;
        let capacity = cap_text
            .parse::<i64>()
            .ok()
            .filter(|&c| c > 0)
            .ok_or_else(|| {
                src.err(
                    cap_line,
                    "CAPACITY",
                    format!(
                        "expected the vehicle capacity as a positive integer, found '{}'",
                        show(cap_text)
                    ),
                )
            })?;

        let distance_limit = match self.keyword("DISTANCE") {
            None => None,
            Some((line, text)) => {
                Some(parse_finite(text).filter(|&d| d > 0.0).ok_or_else(|| {
                    src.err(
                        line,
                        "DISTANCE",
                        format!(
                            "expected the route length limit as a positive number, found '{}'",
                            show(text)
                        ),
                    )
                })?)
            }
        };
        let service_time = match self.keyword("SERVICE_TIME") {
            None => None,
            Some((line, text)) => {
                Some(parse_finite(text).filter(|&d| d >= 0.0).ok_or_else(|| {
                    src.err(
                        line,
                        "SERVICE_TIME",
                        format!(
                            "expected the service time as a non-negative number, found '{}'",
                            show(text)
                        ),
                    )
                })?)
            }
        };

        // Edge weights: type and format.
        let (ewt_line, ewt) = self.require("EDGE_WEIGHT_TYPE", "EUC_2D or EXPLICIT")?;
        let explicit = choice(
            src,
            (ewt_line, "EDGE_WEIGHT_TYPE", ewt),
            &[("EUC_2D", false), ("EXPLICIT", true)],
            "EUC_2D or EXPLICIT",
        )?;
        let format = match self.keyword("EDGE_WEIGHT_FORMAT") {
            None if explicit => {
                return Err(src.err(
                    ewt_line,
                    "EDGE_WEIGHT_FORMAT",
                    "EDGE_WEIGHT_TYPE EXPLICIT needs an EDGE_WEIGHT_FORMAT line \
                     (FULL_MATRIX, LOWER_ROW, LOWER_DIAG_ROW, UPPER_ROW or UPPER_DIAG_ROW)",
                ));
            }
            None => None,
            Some((line, text)) => {
                if text.eq_ignore_ascii_case("FUNCTION") && !explicit {
                    None
                } else if !explicit {
                    return Err(src.err(
                        line,
                        "EDGE_WEIGHT_FORMAT",
                        format!(
                            "EDGE_WEIGHT_FORMAT '{}' contradicts EDGE_WEIGHT_TYPE EUC_2D \
                             (line {ewt_line}): expected FUNCTION or no EDGE_WEIGHT_FORMAT",
                            show(text)
                        ),
                    ));
                } else {
                    Some(EdgeWeightFormat::parse(text).ok_or_else(|| {
                        src.err(
                            line,
                            "EDGE_WEIGHT_FORMAT",
                            format!(
                                "unsupported EDGE_WEIGHT_FORMAT '{}': expected FULL_MATRIX, \
                                 LOWER_ROW, LOWER_DIAG_ROW, UPPER_ROW, UPPER_DIAG_ROW or a \
                                 *_COL variant",
                                show(text)
                            ),
                        )
                    })?)
                }
            }
        };

        let no_coords = match self.keyword("NODE_COORD_TYPE") {
            None => false,
            Some((line, text)) => choice(
                src,
                (line, "NODE_COORD_TYPE", text),
                &[("TWOD_COORDS", false), ("NO_COORDS", true)],
                "TWOD_COORDS or NO_COORDS",
            )?,
        };
        let no_display = match self.keyword("DISPLAY_DATA_TYPE") {
            None => false,
            Some((line, text)) => choice(
                src,
                (line, "DISPLAY_DATA_TYPE", text),
                &[
                    ("NO_DISPLAY", true),
                    ("COORD_DISPLAY", false),
                    ("TWOD_DISPLAY", false),
                ],
                "COORD_DISPLAY, TWOD_DISPLAY or NO_DISPLAY",
            )?,
        };

        // Coordinates.
        let node_coords = self.coords_section(
            "NODE_COORD_SECTION",
            no_coords,
            "NODE_COORD_TYPE is NO_COORDS",
            dimension,
        )?;
        if node_coords.is_none() && !explicit {
            return Err(self.missing_section(
                "NODE_COORD_SECTION",
                "EDGE_WEIGHT_TYPE EUC_2D needs one 'id x y' line per node",
            ));
        }
        let display_coords = self.coords_section(
            "DISPLAY_DATA_SECTION",
            no_display,
            "DISPLAY_DATA_TYPE is NO_DISPLAY",
            dimension,
        )?;
        let coords = node_coords.or(display_coords);

        // Weights.
        let weights = match (format, self.raw.sections.get("EDGE_WEIGHT_SECTION")) {
            (Some(format), Some(sec)) => Weights::Explicit {
                format,
                matrix: self.edge_weights(sec, format, dimension)?,
            },
            (Some(format), None) => {
                return Err(self.missing_section(
                    "EDGE_WEIGHT_SECTION",
                    &format!("EDGE_WEIGHT_TYPE EXPLICIT needs the weights in {format} order"),
                ));
            }
            (None, Some(sec)) => {
                return Err(src.err(
                    sec.line,
                    "EDGE_WEIGHT_SECTION",
                    format!(
                        "EDGE_WEIGHT_SECTION given but EDGE_WEIGHT_TYPE is EUC_2D \
                         (line {ewt_line}): expected EXPLICIT with an EDGE_WEIGHT_FORMAT"
                    ),
                ));
            }
            (None, None) => Weights::Euc2d,
        };

        // Demands.
        let Some(dem_sec) = self.raw.sections.get("DEMAND_SECTION") else {
            return Err(
                self.missing_section("DEMAND_SECTION", "expected one 'id demand' line per node")
            );
        };
        let rows = self.node_rows("DEMAND_SECTION", dem_sec, dimension, "id demand", 1)?;
        let mut demands = Vec::with_capacity(dimension);
        let mut demand_lines = Vec::with_capacity(dimension);
        for (index, (line, values)) in rows.iter().enumerate() {
            let id = index + 1;
            let text = values.first().copied().unwrap_or("");
            let d: i64 = parsed(
                src,
                (*line, "DEMAND_SECTION", text),
                &format!("the demand of node {id} as an integer"),
            )?;
            if d < 0 {
                return Err(src.err(
                    *line,
                    "DEMAND_SECTION",
                    format!("the demand of node {id} is negative ({d}); expected 0 or more"),
                ));
            }
            if d > capacity {
                return Err(src.err(
                    *line,
                    "DEMAND_SECTION",
                    format!(
                        "the demand of node {id} is {d}, above CAPACITY {capacity} \
                         (line {cap_line}): no vehicle can serve it"
                    ),
                ));
            }
            demands.push(d);
            demand_lines.push(*line);
        }

        // Depot.
        let Some(dep_sec) = self.raw.sections.get("DEPOT_SECTION") else {
            return Err(self.missing_section(
                "DEPOT_SECTION",
                "expected the depot's node id followed by -1",
            ));
        };
        let depot = self.depot(dep_sec, dimension)?;
        if let (Some(&d), Some(&line)) = (demands.get(depot), demand_lines.get(depot))
            && d != 0
        {
            return Err(src.err(
                line,
                "DEMAND_SECTION",
                format!("the depot (node {}) has demand {d}; expected 0", depot + 1),
            ));
        }

        Ok(CvrpInstance {
            name,
            comment,
            dimension,
            capacity,
            distance_limit,
            service_time,
            coords,
            demands,
            depot,
            weights,
        })
    }

    /// The rows of a per-node section in node order: `(line, values)`, after
    /// checking the field count, the node ids (1..=dimension, each once) and
    /// the number of rows.
    fn node_rows(
        &self,
        name: &str,
        sec: &Section<'a>,
        dimension: usize,
        layout: &str,
        n_values: usize,
    ) -> Result<Vec<(usize, Vec<&'a str>)>> {
        let src = &self.src;
        let mut by_id: HashMap<usize, (usize, Vec<&'a str>)> = HashMap::new();
        for &(line, text) in &sec.data {
            let tokens: Vec<&str> = text.split_whitespace().collect();
            if tokens.len() != n_values + 1 {
                return Err(src.err(
                    line,
                    name,
                    format!(
                        "expected '{layout}' ({} fields), found {} field(s): '{}'",
                        n_values + 1,
                        tokens.len(),
                        show(text)
                    ),
                ));
            }
            let id_text = tokens.first().copied().unwrap_or("");
            let id: i64 = parsed(src, (line, name, id_text), "a node id (an integer)")?;
            let id = src.node_in_range(line, name, "node", id, dimension)?;
            if let Some((first, _)) = by_id.get(&id) {
                return Err(src.err(
                    line,
                    name,
                    format!("node {id} appears twice in {name}; the first time on line {first}"),
                ));
            }
            by_id.insert(id, (line, tokens.get(1..).unwrap_or(&[]).to_vec()));
        }
        if by_id.len() != dimension {
            // Ids are distinct and in range, so there are fewer rows than nodes.
            let missing = (1..=dimension)
                .find(|i| !by_id.contains_key(i))
                .unwrap_or(0);
            return Err(src.err(
                sec.last_line(),
                name,
                format!(
                    "{name} (line {}) has {} entries but DIMENSION is {dimension}: expected \
                     one '{layout}' line per node; node {missing} has none",
                    sec.line,
                    by_id.len()
                ),
            ));
        }
        let mut rows: Vec<(usize, (usize, Vec<&'a str>))> = by_id.into_iter().collect();
        rows.sort_unstable_by_key(|(id, _)| *id);
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    }

    /// The coordinates of section `name` (`NODE_COORD_SECTION` or
    /// `DISPLAY_DATA_SECTION`), if given; an error if the header said there
    /// are none (`forbidden`, for the reason `why`).
    fn coords_section(
        &self,
        name: &'static str,
        forbidden: bool,
        why: &str,
        dimension: usize,
    ) -> Result<Option<Vec<(f64, f64)>>> {
        let Some(sec) = self.raw.sections.get(name) else {
            return Ok(None);
        };
        if forbidden {
            return Err(self
                .src
                .err(sec.line, name, format!("{name} given but {why}")));
        }
        self.coord_table(name, sec, dimension).map(Some)
    }

    fn coord_table(
        &self,
        name: &str,
        sec: &Section<'a>,
        dimension: usize,
    ) -> Result<Vec<(f64, f64)>> {
        let rows = self.node_rows(name, sec, dimension, COORD_LAYOUT, 2)?;
        let mut coords = Vec::with_capacity(dimension);
        for (index, (line, values)) in rows.iter().enumerate() {
            let mut xy = [0.0; 2];
            for (k, slot) in xy.iter_mut().enumerate() {
                let text = values.get(k).copied().unwrap_or("");
                *slot = parse_finite(text).ok_or_else(|| {
                    self.src.err(
                        *line,
                        name,
                        format!(
                            "expected the {} coordinate of node {} as a number, found '{}'",
                            if k == 0 { "x" } else { "y" },
                            index + 1,
                            show(text)
                        ),
                    )
                })?;
            }
            coords.push((xy[0], xy[1]));
        }
        Ok(coords)
    }

    fn edge_weights(
        &self,
        sec: &Section<'a>,
        format: EdgeWeightFormat,
        n: usize,
    ) -> Result<Vec<f64>> {
        let src = &self.src;
        let name = "EDGE_WEIGHT_SECTION";
        let Some(expected) = format.count(n) else {
            return Err(src.err(
                sec.line,
                name,
                format!("DIMENSION {n} is too large for an explicit matrix"),
            ));
        };
        let mut values = Vec::new();
        for &(line, text) in &sec.data {
            for tok in text.split_whitespace() {
                if values.len() == expected {
                    return Err(src.err(
                        line,
                        name,
                        format!(
                            "too many weights: {format} with DIMENSION {n} has {expected}, \
                             found another value '{}'",
                            show(tok)
                        ),
                    ));
                }
                let w = parse_finite(tok).ok_or_else(|| {
                    src.err(
                        line,
                        name,
                        format!("expected a weight (a number), found '{}'", show(tok)),
                    )
                })?;
                if w < 0.0 {
                    return Err(src.err(
                        line,
                        name,
                        format!("weight {tok} is negative; expected 0 or more"),
                    ));
                }
                values.push(w);
            }
        }
        if values.len() != expected {
            return Err(src.err(
                sec.last_line(),
                name,
                format!(
                    "{name} (line {}) ends after {} weights; {format} with DIMENSION {n} \
                     needs {expected}",
                    sec.line,
                    values.len()
                ),
            ));
        }
        let mut matrix = vec![0.0; n * n];
        let symmetric = format != EdgeWeightFormat::FullMatrix;
        for ((i, j), w) in format.positions(n).zip(values) {
            if let Some(slot) = matrix.get_mut(i * n + j) {
                *slot = w;
            }
            if symmetric && let Some(slot) = matrix.get_mut(j * n + i) {
                *slot = w;
            }
        }
        Ok(matrix)
    }

    fn depot(&self, sec: &Section<'a>, dimension: usize) -> Result<usize> {
        let src = &self.src;
        let name = "DEPOT_SECTION";
        let mut depots: Vec<(usize, usize)> = Vec::new();
        let mut terminated: Option<usize> = None;
        for &(line, text) in &sec.data {
            for tok in text.split_whitespace() {
                if let Some(at) = terminated {
                    return Err(src.err(
                        line,
                        name,
                        format!(
                            "unexpected '{}' after the -1 that ends {name} (line {at})",
                            show(tok)
                        ),
                    ));
                }
                let v: i64 = parsed(src, (line, name, tok), "a depot node id or -1")?;
                if v == -1 {
                    terminated = Some(line);
                    continue;
                }
                let id = src.node_in_range(line, name, "depot", v, dimension)?;
                if let Some(&(first_line, first)) = depots.first() {
                    return Err(src.err(
                        line,
                        name,
                        format!(
                            "a second depot (node {id}): CVRPLIB instances have exactly one \
                             depot, and node {first} on line {first_line} is already one"
                        ),
                    ));
                }
                depots.push((line, id));
            }
        }
        let Some(end) = terminated else {
            return Err(src.err(
                sec.last_line(),
                name,
                format!("{name} (line {}) must end with -1", sec.line),
            ));
        };
        match depots.first() {
            Some(&(_, id)) => Ok(id - 1),
            None => Err(src.err(
                end,
                name,
                "no depot: expected the depot's node id before -1",
            )),
        }
    }
}

// ---------------------------------------------------------------------------
// .sol
// ---------------------------------------------------------------------------

/// Reads a CVRPLIB `.sol` file. With `instance`, customers are also checked
/// against it (in range, not the depot).
///
/// Only the format is checked here (numbers, duplicates, range); whether
/// every customer is served and the routes respect the capacity is the job
/// of the feasibility checker.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Input`] naming the
/// line for a line that is neither `Route #k: ...` nor `Cost C`, a
/// non-numeric customer, a customer listed twice, a repeated route number or
/// `Cost` line, no route at all, and (with `instance`) a customer out of
/// range or equal to the depot.
pub fn read_sol(path: impl AsRef<Path>, instance: Option<&CvrpInstance>) -> Result<CvrpSolution> {
    let path = path.as_ref();
    parse_sol(&read_text(path)?, path, instance)
}

/// Parses the text of a `.sol` file; `name` is used in error messages.
///
/// # Errors
/// As [`read_sol`], without the I/O errors.
pub fn parse_sol(
    text: &str,
    name: impl AsRef<Path>,
    instance: Option<&CvrpInstance>,
) -> Result<CvrpSolution> {
    let src = Src {
        file: name.as_ref(),
    };
    let mut routes: Vec<Vec<usize>> = Vec::new();
    let mut cost: Option<(usize, f64)> = None;
    // customer -> (line, route number)
    let mut seen: HashMap<usize, (usize, u64)> = HashMap::new();
    let mut route_numbers: HashMap<u64, usize> = HashMap::new();
    let mut last = 1;
    for (no, line) in numbered_lines(text) {
        last = no;
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = strip_prefix_ci(line, "Route") {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('#').unwrap_or(rest);
            let Some((num_text, customers)) = rest.split_once(':') else {
                return Err(src.err(
                    no,
                    "Route",
                    format!("expected 'Route #k: c1 c2 ...', found '{}'", show(line)),
                ));
            };
            let k = num_text.trim().parse::<u64>().map_err(|_| {
                src.err(
                    no,
                    "Route",
                    format!(
                        "expected a route number after 'Route #', found '{}'",
                        show(num_text.trim())
                    ),
                )
            })?;
            let field = format!("Route #{k}");
            if let Some(first) = route_numbers.insert(k, no) {
                return Err(src.err(
                    no,
                    &field,
                    format!("route #{k} appears twice; the first time on line {first}"),
                ));
            }
            let mut route = Vec::new();
            for tok in customers.split_whitespace() {
                let c: usize = parsed(
                    &src,
                    (no, &field, tok),
                    "a customer number (a non-negative integer)",
                )?;
                if let Some(inst) = instance {
                    if c >= inst.dimension() {
                        return Err(src.err(
                            no,
                            &field,
                            format!(
                                "customer {c} is out of range: instance {} has nodes 0 to {} \
                                 (node index = file id - 1)",
                                inst.name(),
                                inst.dimension() - 1
                            ),
                        ));
                    }
                    if c == inst.depot() {
                        return Err(src.err(
                            no,
                            &field,
                            format!(
                                "{c} is the depot of instance {}; routes list customers only",
                                inst.name()
                            ),
                        ));
                    }
                }
                if let Some((first_line, first_route)) = seen.insert(c, (no, k)) {
                    return Err(src.err(
                        no,
                        &field,
                        format!(
                            "customer {c} is visited twice: it is already in route \
                             #{first_route} (line {first_line})"
                        ),
                    ));
                }
                route.push(c);
            }
            routes.push(route);
        } else if let Some(rest) = strip_prefix_ci(line, "Cost") {
            let rest = rest.trim_start();
            let value = rest.strip_prefix(':').unwrap_or(rest).trim();
            if let Some((first, _)) = cost {
                return Err(src.err(
                    no,
                    "Cost",
                    format!("a second Cost line; the first is on line {first}"),
                ));
            }
            let c = parse_finite(value).ok_or_else(|| {
                src.err(
                    no,
                    "Cost",
                    format!("expected 'Cost <number>', found '{}'", show(line)),
                )
            })?;
            cost = Some((no, c));
        } else {
            return Err(src.err(
                no,
                "line",
                format!(
                    "expected 'Route #k: c1 c2 ...' or 'Cost C', found '{}'",
                    show(line)
                ),
            ));
        }
    }
    if routes.is_empty() {
        return Err(src.err(
            last,
            "Route",
            "no route: expected at least one 'Route #k: c1 c2 ...' line",
        ));
    }
    Ok(CvrpSolution {
        routes,
        cost: cost.map(|(_, c)| c),
    })
}

/// Formats `cost` the way CVRPLIB does: integral values without decimals.
fn format_cost(cost: f64) -> String {
    if cost.fract() == 0.0 && cost.abs() < 1e15 {
        format!("{cost:.0}")
    } else {
        format!("{cost}")
    }
}

/// The text of a `.sol` file: one `Route #k: ...` line per **non-empty**
/// route, numbered from 1 in order (empty routes are left out, as CVRPLIB
/// does), then `Cost C` when the cost is known. Integral costs are written
/// without decimals (`Cost 27591`).
pub fn format_sol(solution: &CvrpSolution) -> String {
    let mut out = String::new();
    for (k, route) in solution.routes.iter().filter(|r| !r.is_empty()).enumerate() {
        let _ = write!(out, "Route #{}:", k + 1);
        for c in route {
            let _ = write!(out, " {c}");
        }
        out.push('\n');
    }
    if let Some(cost) = solution.cost {
        let _ = writeln!(out, "Cost {}", format_cost(cost));
    }
    out
}

/// Writes `solution` to `path` in the `.sol` format of [`format_sol`],
/// atomically (a temporary file, then a rename).
///
/// # Errors
/// [`Error::Invalid`] if the cost is not finite; [`Error::Io`] if the file
/// cannot be written.
pub fn write_sol(path: impl AsRef<Path>, solution: &CvrpSolution) -> Result<()> {
    if let Some(c) = solution.cost
        && !c.is_finite()
    {
        return Err(Error::Invalid(format!(
            "cannot write a .sol file with cost {c}: expected a finite number"
        )));
    }
    crate::fsx::write_file(path.as_ref(), format_sol(solution).as_bytes())
}

// ---------------------------------------------------------------------------
// bks.csv
// ---------------------------------------------------------------------------

const BKS_COLUMNS: [&str; 5] = [
    "instance",
    "n_customers",
    "capacity",
    "bks",
    "optimal_proven",
];

/// Reads `bks.csv` (columns `instance,n_customers,capacity,bks,optimal_proven`,
/// others such as `source` are ignored) into a map from instance name.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read; [`Error::Input`] naming the
/// line and column for a missing column, an unparsable value, an
/// `optimal_proven` other than `yes`, `no` or `unknown`, or an instance
/// listed twice.
pub fn read_bks(path: impl AsRef<Path>) -> Result<HashMap<String, Bks>> {
    let path = path.as_ref();
    parse_bks(&read_text(path)?, path)
}

/// Parses the text of a `bks.csv` file; `name` is used in error messages.
///
/// # Errors
/// As [`read_bks`], without the I/O errors.
pub fn parse_bks(text: &str, name: impl AsRef<Path>) -> Result<HashMap<String, Bks>> {
    let src = Src {
        file: name.as_ref(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line() as usize);
        src.err(line, "csv", format!("malformed CSV: {e}"))
    };
    let headers = reader.headers().map_err(csv_err)?.clone();
    let mut col = [0usize; 5];
    for (slot, want) in col.iter_mut().zip(BKS_COLUMNS) {
        *slot = headers.iter().position(|h| h == want).ok_or_else(|| {
            src.err(
                1,
                want,
                format!(
                    "missing column '{want}': expected a header with {}",
                    BKS_COLUMNS.join(",")
                ),
            )
        })?;
    }
    let mut out: HashMap<String, Bks> = HashMap::new();
    let mut lines: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(csv_err)?;
        let line = record.position().map_or(1, |p| p.line() as usize);
        let get = |k: usize| record.get(col[k]).unwrap_or("");
        let bad = |k: usize, what: &str| {
            src.err(
                line,
                BKS_COLUMNS[k],
                format!("expected {what}, found '{}'", show(get(k))),
            )
        };
        let instance = get(0).to_string();
        if instance.is_empty() {
            return Err(bad(0, "an instance name"));
        }
        let n_customers = get(1)
            .parse::<usize>()
            .map_err(|_| bad(1, "the number of customers (an integer)"))?;
        let capacity = get(2)
            .parse::<i64>()
            .ok()
            .filter(|&c| c > 0)
            .ok_or_else(|| bad(2, "the capacity (a positive integer)"))?;
        let bks = parse_finite(get(3))
            .filter(|&b| b >= 0.0)
            .ok_or_else(|| bad(3, "the best-known value (a non-negative number)"))?;
        let optimal = match get(4).to_ascii_lowercase().as_str() {
            "yes" | "true" => true,
            "no" | "false" | "unknown" => false,
            _ => return Err(bad(4, "yes, no or unknown")),
        };
        if let Some(first) = lines.insert(instance.clone(), line) {
            return Err(src.err(
                line,
                "instance",
                format!("instance {instance} is listed twice; the first time on line {first}"),
            ));
        }
        out.insert(
            instance,
            Bks {
                bks,
                optimal,
                n_customers,
                capacity,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_lists_as_many_positions_as_it_counts() {
        for (format, _) in EdgeWeightFormat::ALL {
            for n in 0..6 {
                assert_eq!(
                    format.positions(n).count(),
                    format.count(n).unwrap(),
                    "{format} n={n}"
                );
            }
        }
    }

    #[test]
    fn column_formats_equal_the_transposed_row_formats() {
        // For a symmetric matrix LOWER_COL lists the entries of UPPER_ROW.
        let pairs = [
            (EdgeWeightFormat::LowerCol, EdgeWeightFormat::UpperRow),
            (EdgeWeightFormat::UpperCol, EdgeWeightFormat::LowerRow),
            (
                EdgeWeightFormat::LowerDiagCol,
                EdgeWeightFormat::UpperDiagRow,
            ),
            (
                EdgeWeightFormat::UpperDiagCol,
                EdgeWeightFormat::LowerDiagRow,
            ),
        ];
        for (col, row) in pairs {
            let a: Vec<_> = col.positions(5).map(|(i, j)| (j, i)).collect();
            let b: Vec<_> = row.positions(5).collect();
            assert_eq!(a, b, "{col} vs {row}");
        }
    }

    #[test]
    fn nint_rounds_half_up_and_scaled_keeps_decimals() {
        assert_eq!(Rounding::Nint.apply(2.5), 3);
        assert_eq!(Rounding::Nint.apply(2.4999), 2);
        assert_eq!(Rounding::Scaled(0).apply(7.5), Rounding::Nint.apply(7.5));
        assert_eq!(Rounding::Scaled(2).apply(12.345_6), 1235);
        assert_eq!(Rounding::Scaled(400).apply(1.0), i64::MAX);
    }

    #[test]
    fn costs_are_written_like_cvrplib() {
        assert_eq!(format_cost(27591.0), "27591");
        assert_eq!(format_cost(524.61), "524.61");
    }
}
