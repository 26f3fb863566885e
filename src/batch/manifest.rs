//! The batch manifest: shared defaults and one `[[district]]` entry per
//! district (`docs/batch.md` has an example).
//!
//! ```toml
//! mode = "plan"                  # or "week": a weekly plan per district
//! osm = "../map.osm.pbf"         # paths are relative to the manifest's folder
//! facilities = "../facilities.csv"
//! fleet = "../fleet.toml"
//! seconds = 600                  # per district
//! iterations = 600
//! seed = 1
//! threads = 2
//!
//! [[district]]
//! name = "vaduz"
//! pickups = "vaduz.csv"
//! seed = 7                       # any default may be overridden
//! ```
//!
//! Unknown keys are refused with the closest known name, as in every other
//! reader; errors name the manifest, the district and the field (and the
//! line where it can be found).

use crate::error::{Error, Location, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a district's job computes (its job is [`super::job`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Tomorrow's routes, as `wasteroute plan` makes them.
    Plan,
    /// The week's routes and visit days, as `wasteroute week` makes them.
    Week,
}

impl Mode {
    /// The name in the manifest and in `status.json`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Plan => "plan",
            Mode::Week => "week",
        }
    }
}

/// The run settings of a district: they make up, with the inputs' hash and
/// the wasteroute version, what a complete folder must match to be reused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// What the district's job computes.
    pub mode: Mode,
    /// Wall-clock limit of each district, seconds (`None`: none).
    pub seconds: Option<f64>,
    /// Iteration limit of the search (0: none).
    pub iterations: u64,
    /// Stop after this many iterations without improvement.
    pub no_improvement: u64,
    /// Random seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Largest distance from a point to a usable road, metres.
    pub snap_limit_m: f64,
    /// Recombine the routes with a set-packing MIP after the search.
    pub recombine: bool,
    /// Write `map.html`, `route_sheets.html` and `gpx/` into the folder.
    pub map: bool,
    /// Route on the turn-aware graph ([`crate::plan::PlanOptions::turns`]);
    /// absent from the `status.json` of older runs (read as false).
    #[serde(default)]
    pub turns: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Plan,
            seconds: None,
            iterations: crate::plan::DEFAULT_ITERATIONS,
            no_improvement: crate::plan::DEFAULT_NO_IMPROVEMENT,
            seed: crate::solver::SolveParams::default().seed,
            threads: crate::plan::DEFAULT_THREADS,
            snap_limit_m: crate::graph::DEFAULT_MAX_SNAP_M,
            recombine: true,
            map: true,
            turns: false,
        }
    }
}

/// The input files of a district.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    /// OpenStreetMap extract.
    pub osm: PathBuf,
    /// Pickups (CSV or GeoJSON).
    pub pickups: PathBuf,
    /// Facilities (CSV).
    pub facilities: PathBuf,
    /// Fleet and targets (TOML).
    pub fleet: PathBuf,
    /// Closed or slowed streets (GeoJSON), if any.
    pub closures: Option<PathBuf>,
}

/// One district of the manifest, its defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// Its name: the name of its folder under the batch's `--out`.
    pub name: String,
    /// 0-based position in the manifest (shard `I` of `N` takes the
    /// positions `p` with `p mod N = I`).
    pub position: usize,
    /// Input files (resolved against the manifest's folder).
    pub inputs: Inputs,
    /// Run settings.
    pub settings: Settings,
}

/// A batch manifest, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The manifest file.
    pub path: PathBuf,
    /// Districts, in the manifest's order.
    pub districts: Vec<District>,
}

/// Keys of the settings, accepted at the top and in a district.
const SETTING_KEYS: [&str; 10] = [
    "mode",
    "seconds",
    "iterations",
    "no_improvement",
    "seed",
    "threads",
    "snap_limit_m",
    "recombine",
    "map",
    "turns",
];
/// Input keys accepted at the top (shared inputs).
const SHARED_INPUTS: [&str; 4] = ["osm", "facilities", "fleet", "closures"];

/// The most districts a manifest may hold.
pub const MAX_DISTRICTS: usize = 100_000;

impl Manifest {
    /// Reads the manifest `path`.
    ///
    /// # Errors
    /// [`Error::Io`] if unreadable; [`Error::Input`] naming the file, the
    /// district, the field and where possible the line of a malformed
    /// manifest, an unknown key (with the closest known one), a bad value,
    /// a district without a name or pickups, or two districts of one name.
    pub fn read(path: &Path) -> Result<Manifest> {
        let text = crate::io::read_text(path)?;
        Manifest::from_str(path, &text)
    }

    /// Reads a manifest from `text`, the content of `path` (which names the
    /// file in errors; relative input paths are resolved against its folder).
    ///
    /// # Errors
    /// As [`Manifest::read`], without the I/O errors.
    pub fn from_str(path: &Path, text: &str) -> Result<Manifest> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| crate::io::toml_error(Location::file(path), text, &e))?;
        let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let r = Reader { path, text, base };
        let mut top_known: Vec<&str> = SETTING_KEYS.to_vec();
        top_known.extend(SHARED_INPUTS);
        top_known.push("district");
        for key in table.keys() {
            if !top_known.contains(&key.as_str()) {
                let msg = if key == "pickups" || key == "name" {
                    format!("'{key}' belongs to each [[district]], not to the shared defaults")
                } else {
                    crate::io::unknown_name("manifest key", key, &top_known)
                };
                return Err(r.err(None, key, msg));
            }
        }
        let defaults = r.settings(None, &table, Settings::default())?;
        let shared = |key: &str| r.path_value(None, &table, key);
        let (osm, facilities, fleet, closures) = (
            shared("osm")?,
            shared("facilities")?,
            shared("fleet")?,
            shared("closures")?,
        );
        let entries = match table.get("district") {
            None => return Err(r.err(None, "district", "no [[district]] is defined")),
            Some(toml::Value::Array(a)) => a,
            Some(_) => {
                return Err(r.err(
                    None,
                    "district",
                    "must be a list of tables, written [[district]]",
                ));
            }
        };
        if entries.is_empty() {
            return Err(r.err(None, "district", "no [[district]] is defined"));
        }
        if entries.len() > MAX_DISTRICTS {
            return Err(r.err(
                None,
                "district",
                format!(
                    "{} districts; at most {MAX_DISTRICTS} are supported",
                    entries.len()
                ),
            ));
        }
        let mut district_known: Vec<&str> = vec!["name", "pickups"];
        district_known.extend(SHARED_INPUTS);
        district_known.extend(SETTING_KEYS);
        let mut districts: Vec<District> = Vec::with_capacity(entries.len());
        for (k, entry) in entries.iter().enumerate() {
            let Some(t) = entry.as_table() else {
                return Err(r.err(Some((k, None)), "district", "must be a table"));
            };
            let name = match t.get("name") {
                Some(toml::Value::String(s)) => s.clone(),
                Some(_) => return Err(r.err(Some((k, None)), "name", "must be a string")),
                None => return Err(r.err(Some((k, None)), "name", "every district needs a name")),
            };
            let at = Some((k, Some(name.as_str())));
            check_name(&name).map_err(|m| r.err(at, "name", m))?;
            if let Some(other) = districts.iter().find(|d| d.name == name) {
                return Err(r.err(
                    at,
                    "name",
                    format!(
                        "district {} has this name too; each district needs its own folder",
                        other.position + 1
                    ),
                ));
            }
            for key in t.keys() {
                if !district_known.contains(&key.as_str()) {
                    let msg = crate::io::unknown_name("district key", key, &district_known);
                    return Err(r.err(at, key, msg));
                }
            }
            let need = |key: &str, own: Option<PathBuf>, shared: &Option<PathBuf>| {
                own.or_else(|| shared.clone()).ok_or_else(|| {
                    r.err(
                        at,
                        key,
                        format!("no {key} file: give it here or as a shared default"),
                    )
                })
            };
            let pickups = r
                .path_value(at, t, "pickups")?
                .ok_or_else(|| r.err(at, "pickups", "every district needs its pickups file"))?;
            let inputs = Inputs {
                osm: need("osm", r.path_value(at, t, "osm")?, &osm)?,
                pickups,
                facilities: need(
                    "facilities",
                    r.path_value(at, t, "facilities")?,
                    &facilities,
                )?,
                fleet: need("fleet", r.path_value(at, t, "fleet")?, &fleet)?,
                closures: r
                    .path_value(at, t, "closures")?
                    .or_else(|| closures.clone()),
            };
            let settings = r.settings(at, t, defaults.clone())?;
            districts.push(District {
                name,
                position: k,
                inputs,
                settings,
            });
        }
        Ok(Manifest {
            path: path.to_path_buf(),
            districts,
        })
    }
}

/// A district name is a folder name: letters, digits, `-`, `_` and `.`,
/// not starting with `.`, at most 100 characters.
fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.chars().count() > 100 {
        return Err("is longer than 100 characters".into());
    }
    if name.starts_with('.') {
        return Err(format!(
            "'{name}' starts with '.'; it names the district's folder, so it must not be hidden"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "'{name}' holds '{c}'; it names the district's folder: use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(())
}

/// Reads values out of the manifest's tables, naming where they are.
struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    base: PathBuf,
}

/// A district: its 0-based index, and its name once known.
type At<'n> = Option<(usize, Option<&'n str>)>;

impl Reader<'_> {
    /// An input error at `key` of the top level (`at` = `None`) or of a
    /// district.
    fn err(&self, at: At<'_>, key: &str, msg: impl Into<String>) -> Error {
        let (field, line) = match at {
            None => (key.to_string(), top_key_line(self.text, key)),
            Some((k, name)) => {
                let who = match name {
                    Some(n) => format!("district '{n}'"),
                    None => format!("district {}", k + 1),
                };
                (format!("{who}.{key}"), district_key_line(self.text, k, key))
            }
        };
        let mut loc = Location::file(self.path).with_field(field);
        if let Some(l) = line {
            loc = loc.at_line(l);
        }
        Error::input(loc, msg)
    }

    fn path_value(&self, at: At<'_>, t: &toml::Table, key: &str) -> Result<Option<PathBuf>> {
        match t.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(self.base.join(s))),
            Some(_) => Err(self.err(at, key, "must be a file path (a non-empty string)")),
        }
    }

    /// `base` with the settings found in `t` applied.
    fn settings(&self, at: At<'_>, t: &toml::Table, base: Settings) -> Result<Settings> {
        let mut s = base;
        let int = |key: &str, min: i64, max: i64| -> Result<Option<i64>> {
            match t.get(key) {
                None => Ok(None),
                Some(toml::Value::Integer(i)) if (min..=max).contains(i) => Ok(Some(*i)),
                Some(v) => Err(self.err(
                    at,
                    key,
                    format!("expected a whole number from {min} to {max}, found {v}"),
                )),
            }
        };
        let positive = |key: &str| -> Result<Option<f64>> {
            let x = match t.get(key) {
                None => return Ok(None),
                Some(toml::Value::Float(x)) => *x,
                Some(toml::Value::Integer(i)) => *i as f64,
                Some(v) => return Err(self.err(at, key, format!("expected a number, found {v}"))),
            };
            if x.is_finite() && x > 0.0 {
                Ok(Some(x))
            } else {
                Err(self.err(
                    at,
                    key,
                    format!("must be a finite number above 0, found {x}"),
                ))
            }
        };
        let boolean = |key: &str| -> Result<Option<bool>> {
            match t.get(key) {
                None => Ok(None),
                Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
                Some(v) => Err(self.err(at, key, format!("expected true or false, found {v}"))),
            }
        };
        match t.get("mode") {
            None => {}
            Some(toml::Value::String(m)) if m == "plan" => s.mode = Mode::Plan,
            Some(toml::Value::String(m)) if m == "week" => s.mode = Mode::Week,
            Some(toml::Value::String(m)) => {
                return Err(self.err(
                    at,
                    "mode",
                    crate::io::unknown_name("mode", m, &["plan", "week"]),
                ));
            }
            Some(v) => {
                return Err(self.err(
                    at,
                    "mode",
                    format!("expected \"plan\" or \"week\", found {v}"),
                ));
            }
        }
        if let Some(x) = positive("seconds")? {
            s.seconds = Some(x);
        }
        if let Some(i) = int("iterations", 0, i64::MAX)? {
            s.iterations = i as u64;
        }
        if let Some(i) = int("no_improvement", 1, i64::MAX)? {
            s.no_improvement = i as u64;
        }
        if let Some(i) = int("seed", 0, i64::MAX)? {
            s.seed = i as u64;
        }
        if let Some(i) = int("threads", 1, 1024)? {
            s.threads = i as usize;
        }
        if let Some(x) = positive("snap_limit_m")? {
            s.snap_limit_m = x;
        }
        if let Some(b) = boolean("recombine")? {
            s.recombine = b;
        }
        if let Some(b) = boolean("map")? {
            s.map = b;
        }
        if let Some(b) = boolean("turns")? {
            s.turns = b;
        }
        Ok(s)
    }
}

/// Whether `line` sets `key` (`key = ...`).
fn sets(line: &str, key: &str) -> bool {
    line.split_once('=')
        .is_some_and(|(lhs, _)| lhs.trim().trim_matches('"') == key)
}

fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('[')
}

/// The 1-based line where the top-level `key` is set, before any table.
fn top_key_line(text: &str, key: &str) -> Option<usize> {
    for (i, l) in text.lines().enumerate() {
        if is_header(l) {
            if key == "district" && l.trim().starts_with("[[district]]") {
                return Some(i + 1);
            }
            return None;
        }
        if sets(l, key) {
            return Some(i + 1);
        }
    }
    None
}

/// The 1-based line where `key` is set in the `k`-th `[[district]]` (or the
/// line of its header).
fn district_key_line(text: &str, k: usize, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim().starts_with("[[district]]"))
        .nth(k)?
        .0;
    let after = lines[start + 1..]
        .iter()
        .take_while(|l| !is_header(l))
        .position(|l| sets(l, key));
    Some(after.map_or(start + 1, |p| start + p + 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_err;

    fn read(text: &str) -> Result<Manifest> {
        Manifest::from_str(Path::new("/data/city/nightly.toml"), text)
    }

    const SHARED: &str = "osm = \"map.osm.pbf\"\nfacilities = \"f.csv\"\nfleet = \"fleet.toml\"\n";

    #[test]
    fn defaults_apply_and_districts_override_them() {
        let m = read(&format!(
            "{SHARED}seed = 3\niterations = 50\n\n[[district]]\nname = \"a\"\npickups = \"a.csv\"\n\n\
             [[district]]\nname = \"b\"\npickups = \"b/p.csv\"\nseed = 9\nfleet = \"small.toml\"\nmap = false\nturns = true\n"
        ))
        .unwrap();
        assert_eq!(m.districts.len(), 2);
        let (a, b) = (&m.districts[0], &m.districts[1]);
        assert_eq!((a.position, b.position), (0, 1));
        assert_eq!(a.inputs.pickups, Path::new("/data/city/a.csv"));
        assert_eq!(a.inputs.fleet, Path::new("/data/city/fleet.toml"));
        assert_eq!(b.inputs.fleet, Path::new("/data/city/small.toml"));
        assert_eq!(b.inputs.osm, Path::new("/data/city/map.osm.pbf"));
        assert_eq!((a.settings.seed, b.settings.seed), (3, 9));
        assert_eq!((a.settings.iterations, b.settings.iterations), (50, 50));
        assert!(a.settings.map && !b.settings.map);
        assert!(!a.settings.turns && b.settings.turns);
        assert_eq!(a.settings.threads, crate::plan::DEFAULT_THREADS);
    }

    #[test]
    fn errors_name_the_file_the_district_the_field_and_the_line() {
        let e = read(&format!(
            "{SHARED}\n[[district]]\nname = \"a\"\npickups = \"a.csv\"\n\n[[district]]\nname = \"vaduz\"\npickups = \"v.csv\"\nthreads = 0\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("/data/city/nightly.toml:12: field 'district 'vaduz'.threads': "),
            "{e}"
        );
        assert_err(
            read(&format!(
                "{SHARED}\n[[district]]\nname = \"a\"\npickup = \"a.csv\"\n"
            )),
            &[
                "nightly.toml:7",
                "district 'a'.pickup",
                "did you mean 'pickups'",
            ],
        );
        assert_err(
            read(&format!(
                "{SHARED}sead = 1\n[[district]]\nname = \"a\"\npickups = \"a.csv\"\n"
            )),
            &["nightly.toml:4: field 'sead'", "did you mean 'seed'"],
        );
        assert_err(
            read(
                "osm = \"m.pbf\"\nfleet = \"f.toml\"\n[[district]]\nname = \"a\"\npickups = \"a.csv\"\n",
            ),
            &["district 'a'.facilities", "no facilities file"],
        );
        assert_err(
            read(&format!("{SHARED}[[district]]\npickups = \"a.csv\"\n")),
            &["district 1.name", "needs a name"],
        );
        assert_err(
            read(&format!(
                "{SHARED}[[district]]\nname = \"a\"\npickups = \"a.csv\"\n[[district]]\nname = \"a\"\npickups = \"b.csv\"\n"
            )),
            &["district 'a'.name", "district 1 has this name"],
        );
        for bad in ["../x", ".hidden", "a b", ""] {
            let e = read(&format!(
                "{SHARED}[[district]]\nname = \"{bad}\"\npickups = \"a.csv\"\n"
            ))
            .unwrap_err()
            .to_string();
            assert!(e.contains(".name'"), "{bad}: {e}");
        }
        assert_err(read(SHARED), &["no [[district]]"]);
        assert_err(
            read(&format!(
                "{SHARED}seconds = nan\n[[district]]\nname = \"a\"\npickups = \"a.csv\"\n"
            )),
            &["field 'seconds'"],
        );
        let e = read("osm = \n").unwrap_err().to_string();
        assert!(e.starts_with("/data/city/nightly.toml:1"), "{e}");
    }

    #[test]
    fn the_mode_is_read_for_the_batch_and_per_district() {
        let m = read(&format!(
            "{SHARED}mode = \"week\"\n[[district]]\nname = \"a\"\npickups = \"a.csv\"\n\
             [[district]]\nname = \"b\"\npickups = \"b.csv\"\nmode = \"plan\"\n"
        ))
        .unwrap();
        let modes: Vec<Mode> = m.districts.iter().map(|d| d.settings.mode).collect();
        assert_eq!(modes, [Mode::Week, Mode::Plan]);
        assert_eq!(Mode::Week.name(), "week");
        let e = read(&format!(
            "{SHARED}mode = 3\n[[district]]\nname = \"a\"\npickups = \"a.csv\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("field 'mode'") && e.contains("\"week\""), "{e}");
        let e = read(&format!(
            "{SHARED}mode = \"plna\"\n[[district]]\nname = \"a\"\npickups = \"a.csv\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("did you mean 'plan'"), "{e}");
    }
}
