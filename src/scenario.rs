//! What-if scenarios: a base set of inputs with overrides (closures, an
//! extra facility, demand growth per zone, a different fleet), compared side
//! by side with the same seed and budget.
//!
//! A scenario file (TOML):
//!
//! ```toml
//! name = "Tidal flood"
//! description = "Spring tide floods the low streets by the river"
//! base = "../"                  # folder with map.osm.pbf, pickups.csv, facilities.csv, fleet.toml
//! closures = "flood.geojson"    # optional, relative to this file
//! # osm / pickups / facilities / fleet = "..."   optional: replace one base file
//!
//! [[extra_facility]]            # optional, the fields of facilities.csv
//! id = "TS-NEW"
//! lat = 47.12
//! lon = 9.51
//! kind = "transfer"
//! open = "06:00"
//! close = "18:00"
//!
//! [demand]                      # optional multipliers per zone
//! rural = 1.2
//!
//! [fleet]                       # optional vehicle counts per type name
//! compactor = 5
//!
//! [frequency]                   # optional visits per week (weekly plans):
//! rural = 3                     # by zone, by stream, or by both
//! "rural.recyclable" = 1        # (the most specific key wins); a pickup whose
//!                               # frequency changes loses its pinned `days`
//! ```

use crate::domain::Zone;
use crate::error::Location;
use crate::io::plan::facility_from_fields;
use crate::plan::{PlanInput, Summary};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A scenario file, as written.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: Option<String>,
    description: Option<String>,
    base: Option<String>,
    osm: Option<String>,
    pickups: Option<String>,
    facilities: Option<String>,
    fleet: Option<String>,
    closures: Option<String>,
    #[serde(default)]
    extra_facility: Vec<toml::Table>,
    #[serde(default)]
    demand: BTreeMap<String, f64>,
    #[serde(default, rename = "fleet_counts", alias = "fleet-counts")]
    fleet_counts: BTreeMap<String, usize>,
    #[serde(default)]
    frequency: BTreeMap<String, usize>,
}

/// A scenario: inputs and overrides, resolved to paths.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// A short name.
    pub name: String,
    /// What it models.
    pub description: String,
    /// The scenario file.
    pub path: PathBuf,
    osm: PathBuf,
    pickups: PathBuf,
    facilities: PathBuf,
    fleet: PathBuf,
    closures: Option<PathBuf>,
    extra: Vec<toml::Table>,
    demand: BTreeMap<String, f64>,
    counts: BTreeMap<String, usize>,
    frequency: BTreeMap<String, usize>,
}

impl Scenario {
    /// Reads a scenario file; `default_base` is the folder used when the
    /// file names no `base` (the bundled demo).
    ///
    /// # Errors
    /// [`Error::Io`] if unreadable, [`Error::Input`] naming the line or key.
    pub fn load(path: &Path, default_base: &Path) -> Result<Scenario> {
        let text = crate::io::read_text(path)?;
        // `[fleet]` holds counts; rename it so it does not clash with the `fleet` file key.
        let value: toml::Table = toml::from_str(&text).map_err(|e| toml_err(path, &text, &e))?;
        let mut value = value;
        if let Some(toml::Value::Table(t)) = value.get("fleet") {
            let t = t.clone();
            value.remove("fleet");
            value.insert("fleet_counts".into(), toml::Value::Table(t));
        }
        let f: ScenarioFile = value.try_into().map_err(|e: toml::de::Error| {
            Error::input(Location::file(path), e.message().to_string())
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let base = f
            .base
            .as_ref()
            .map_or_else(|| default_base.to_path_buf(), |b| dir.join(b));
        let pick = |o: &Option<String>, default: &str| {
            o.as_ref()
                .map_or_else(|| base.join(default), |p| dir.join(p))
        };
        for (z, m) in &f.demand {
            if Zone::ALL.iter().all(|x| x.name() != z) {
                return Err(Error::input(
                    Location::file(path).with_field(format!("demand.{z}")),
                    "unknown zone (expected urban or rural)",
                ));
            }
            if !(*m >= 0.0 && m.is_finite()) {
                return Err(Error::input(
                    Location::file(path).with_field(format!("demand.{z}")),
                    "must be a non-negative number",
                ));
            }
        }
        for (key, &f) in &f.frequency {
            let field = || Location::file(path).with_field(format!("frequency.{key}"));
            let known = |zone: Option<&str>, stream: Option<&str>| {
                zone.is_none_or(|z| Zone::ALL.iter().any(|x| x.name() == z))
                    && stream
                        .is_none_or(|s| crate::domain::Stream::ALL.iter().any(|x| x.name() == s))
            };
            let ok = match key.split_once('.') {
                Some((z, st)) => known(Some(z), Some(st)),
                None => known(Some(key), None) || known(None, Some(key)),
            };
            if !ok {
                return Err(Error::input(
                    field(),
                    "expected a zone (urban, rural), a stream (household, recyclable, industrial, hazardous, medical) or zone.stream",
                ));
            }
            if !(1..=crate::domain::MAX_FREQUENCY).contains(&f) {
                return Err(Error::input(
                    field(),
                    format!(
                        "visits per week must be 1 to {}",
                        crate::domain::MAX_FREQUENCY
                    ),
                ));
            }
        }
        let stem = path
            .file_stem()
            .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
        Ok(Scenario {
            name: f.name.unwrap_or(stem),
            description: f.description.unwrap_or_default(),
            path: path.to_path_buf(),
            osm: pick(&f.osm, "map.osm.pbf"),
            pickups: pick(&f.pickups, "pickups.csv"),
            facilities: pick(&f.facilities, "facilities.csv"),
            fleet: pick(&f.fleet, "fleet.toml"),
            closures: f.closures.map(|c| dir.join(c)),
            extra: f.extra_facility,
            demand: f.demand,
            counts: f.fleet_counts,
            frequency: f.frequency,
        })
    }

    /// The plan inputs with the overrides applied.
    ///
    /// # Errors
    /// Errors of the input files, or of the overrides (naming this file).
    pub fn input(&self) -> Result<PlanInput> {
        let mut input = PlanInput::load(
            &self.osm,
            &self.pickups,
            &self.facilities,
            &self.fleet,
            self.closures.as_deref(),
        )?;
        for (k, table) in self.extra.iter().enumerate() {
            let fields: Vec<(String, String)> = table
                .iter()
                .map(|(key, v)| {
                    (
                        key.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect();
            let loc = Location::file(&self.path)
                .at_line(k + 1)
                .with_field("extra_facility");
            let f = facility_from_fields(&fields, loc.clone())?;
            if input.facilities.iter().any(|x| x.id == f.id) {
                return Err(Error::input(
                    loc,
                    format!("facility id '{}' already exists", f.id),
                ));
            }
            input.facilities.push(f);
        }
        for p in &mut input.pickups {
            if let Some(m) = self.demand.get(p.zone.name()) {
                p.demand_kg *= m;
                p.volume_m3 *= m;
                if let Some((kg, m3)) = &mut p.visits.per_day {
                    *kg *= m;
                    *m3 *= m;
                }
            }
            let (z, st) = (p.zone.name(), p.stream.name());
            let f = (self.frequency.get(&format!("{z}.{st}")))
                .or_else(|| self.frequency.get(st))
                .or_else(|| self.frequency.get(z));
            if let Some(&f) = f
                && f != p.visits.frequency
            {
                p.visits.frequency = f;
                p.visits.days = None;
            }
        }
        for (name, &count) in &self.counts {
            let v = input
                .fleet
                .spec
                .vehicle
                .iter_mut()
                .find(|v| &v.name == name)
                .ok_or_else(|| {
                    Error::input(
                        Location::file(&self.path).with_field(format!("fleet.{name}")),
                        "no vehicle type has this name",
                    )
                })?;
            if count > crate::domain::MAX_VEHICLES_PER_TYPE {
                return Err(Error::input(
                    Location::file(&self.path).with_field(format!("fleet.{name}")),
                    format!(
                        "{count} vehicles of one type; at most {} are supported",
                        crate::domain::MAX_VEHICLES_PER_TYPE
                    ),
                ));
            }
            v.count = count;
        }
        input.files.fleet = format!("{} (scenario {})", input.files.fleet, self.path.display());
        Ok(input)
    }
}

fn toml_err(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    crate::io::toml_error(Location::file(path), text, e)
}

/// One scenario's figures, for the side-by-side table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Scenario name.
    pub scenario: String,
    /// Vehicles per type.
    pub vehicles: BTreeMap<String, usize>,
    /// Vehicles in all.
    pub vehicles_used: usize,
    /// Trips.
    pub trips: usize,
    /// Kilometres.
    pub km: f64,
    /// Hours.
    pub hours: f64,
    /// Cost: the day's, or the week's for a weekly comparison.
    pub cost: f64,
    /// Per zone: (share of demand served, or of visits made for a weekly
    /// comparison, target, met).
    pub coverage: BTreeMap<Zone, (f64, f64, bool)>,
    /// Unserved pickups per reason.
    pub unserved: BTreeMap<String, usize>,
    /// Every target met.
    pub targets_met: bool,
    /// Rules the plan breaks (0: the checker accepts it).
    pub violations: usize,
}

impl Row {
    /// The row of a plan summary.
    pub fn of(name: &str, s: &Summary) -> Row {
        Row {
            scenario: name.to_string(),
            vehicles: s.vehicles_by_type.clone(),
            vehicles_used: s.vehicles_used,
            trips: s.trips,
            km: s.km,
            hours: s.hours,
            cost: s.cost,
            coverage: s
                .coverage
                .iter()
                .map(|(z, c)| (*z, (c.share_demand, c.target, c.met)))
                .collect(),
            unserved: s
                .unserved_by_reason
                .iter()
                .map(|(r, n)| (r.name().to_string(), *n))
                .collect(),
            targets_met: s.targets_met,
            violations: s.violations.len(),
        }
    }
}

impl Row {
    /// The row of a weekly plan's summary: vehicles are those owned for
    /// the week (the busiest day per type), trips, km, hours and cost the
    /// week's, coverage the share of visits made, unserved the visits left
    /// out per reason.
    pub fn of_week(name: &str, s: &crate::week::WeekSummary) -> Row {
        let mut unserved: BTreeMap<String, usize> = BTreeMap::new();
        for u in &s.unserved {
            *unserved.entry(u.reason.name().to_string()).or_default() += 1;
        }
        Row {
            scenario: name.to_string(),
            vehicles: s.vehicles_needed_by_type.clone(),
            vehicles_used: s.vehicles_needed,
            trips: s.trips,
            km: s.km,
            hours: s.hours,
            cost: s.cost,
            coverage: (s.coverage.iter())
                .map(|(z, c)| (*z, (c.share, c.target, c.met)))
                .collect(),
            unserved,
            targets_met: s.targets_met,
            violations: s.violations,
        }
    }
}

/// The table as CSV: one row per scenario.
pub fn rows_csv(rows: &[Row]) -> String {
    let types: std::collections::BTreeSet<&String> =
        rows.iter().flat_map(|r| r.vehicles.keys()).collect();
    let reasons: std::collections::BTreeSet<&String> =
        rows.iter().flat_map(|r| r.unserved.keys()).collect();
    let mut out = String::from("scenario,vehicles");
    for t in &types {
        out.push_str(&format!(",vehicles_{t}"));
    }
    out.push_str(",trips,km,hours,cost,urban_served,urban_target,urban_met,rural_served,rural_target,rural_met,targets_met,violations");
    for r in &reasons {
        out.push_str(&format!(",unserved_{r}"));
    }
    out.push('\n');
    for r in rows {
        out.push_str(&format!(
            "\"{}\",{}",
            r.scenario.replace('"', "\"\""),
            r.vehicles_used
        ));
        for t in &types {
            out.push_str(&format!(",{}", r.vehicles.get(*t).copied().unwrap_or(0)));
        }
        out.push_str(&format!(
            ",{},{:.3},{:.3},{:.2}",
            r.trips, r.km, r.hours, r.cost
        ));
        for z in Zone::ALL {
            let (s, t, m) = r.coverage.get(&z).copied().unwrap_or((1.0, 0.0, true));
            out.push_str(&format!(",{s:.4},{t},{m}"));
        }
        out.push_str(&format!(",{},{}", r.targets_met, r.violations));
        for reason in &reasons {
            out.push_str(&format!(
                ",{}",
                r.unserved.get(*reason).copied().unwrap_or(0)
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_err;

    fn scenario(body: &str) -> Scenario {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, body).unwrap();
        Scenario::load(&path, Path::new("/base")).unwrap()
    }

    #[test]
    fn a_fleet_file_replaces_the_base_fleet() {
        // The `fleet` key names a file; it used to be dropped before it was
        // read, so `compare` planned with the base fleet.
        let s = scenario("fleet = \"other.toml\"\n");
        assert_eq!(s.fleet.file_name().unwrap(), "other.toml");
        assert!(s.counts.is_empty());
    }

    #[test]
    fn a_fleet_table_holds_counts_and_keeps_the_base_fleet() {
        let s = scenario("[fleet]\ncompactor = 3\n");
        assert_eq!(s.fleet, Path::new("/base/fleet.toml"));
        assert_eq!(s.counts.get("compactor"), Some(&3));
    }

    #[test]
    fn files_resolve_against_the_base_and_the_scenario_folder() {
        let s = scenario("base = \"b\"\nclosures = \"flood.geojson\"\n");
        let dir = s.path.parent().unwrap();
        assert_eq!(s.pickups, dir.join("b/pickups.csv"));
        assert_eq!(
            s.closures.as_deref(),
            Some(dir.join("flood.geojson").as_path())
        );
    }

    #[test]
    fn bad_demand_multipliers_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "[demand]\nsuburban = 2.0\n").unwrap();
        let e = Scenario::load(&path, Path::new("/base")).unwrap_err();
        assert!(e.to_string().contains("demand.suburban"), "{e}");
        std::fs::write(&path, "[demand]\nrural = -1.0\n").unwrap();
        let e = Scenario::load(&path, Path::new("/base")).unwrap_err();
        assert!(e.to_string().contains("demand.rural"), "{e}");
    }

    /// A base folder with the Monaco fixture's files (the extract as the
    /// real one) and a scenario file `body` in a subfolder.
    fn with_base(body: &str) -> (tempfile::TempDir, Scenario) {
        let dir = tempfile::tempdir().unwrap();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        std::fs::copy(
            data.join("monaco-latest.osm.pbf"),
            dir.path().join("map.osm.pbf"),
        )
        .unwrap();
        for f in ["pickups.csv", "facilities.csv", "fleet.toml"] {
            std::fs::copy(data.join("plan").join(f), dir.path().join(f)).unwrap();
        }
        std::fs::create_dir(dir.path().join("s")).unwrap();
        let path = dir.path().join("s/what-if.toml");
        std::fs::write(&path, body).unwrap();
        let s = Scenario::load(&path, dir.path()).unwrap();
        (dir, s)
    }

    #[test]
    fn frequencies_change_by_zone_stream_or_both_and_drop_pinned_days() {
        // The weekly fixture's pickups over the plan fixture's other files.
        let body = "base = \"..\"\npickups = \"../week-pickups.csv\"\n\
            [frequency]\nrural = 3\nrecyclable = 1\n\"urban.household\" = 5\n";
        let (dir, s) = with_base(body);
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/week");
        let week = dir.path().join("week-pickups.csv");
        std::fs::copy(data.join("pickups.csv"), &week).unwrap();
        let base = crate::io::plan::read_pickups(&week).unwrap();
        let input = s.input().unwrap();
        for (a, b) in base.iter().zip(&input.pickups) {
            let want = match (a.zone, a.stream) {
                (_, crate::domain::Stream::Recyclable) => 1,
                (Zone::Urban, crate::domain::Stream::Household) => 5,
                (Zone::Rural, _) => 3,
                _ => a.visits.frequency,
            };
            assert_eq!(b.visits.frequency, want, "{}", a.id);
            if want != a.visits.frequency {
                assert_eq!(b.visits.days, None, "{}", a.id);
            } else {
                assert_eq!(b.visits.days, a.visits.days, "{}", a.id);
            }
        }
        // M01 (urban household, pinned mon;thu|tue;fri) goes to 5 a week.
        assert!(base[1].visits.days.is_some() && input.pickups[1].visits.days.is_none());
        for (body, field) in [
            ("[frequency]\nsuburban = 2\n", "frequency.suburban"),
            (
                "[frequency]\n\"rural.paper\" = 2\n",
                "frequency.rural.paper",
            ),
            ("[frequency]\nrural = 8\n", "frequency.rural"),
            ("[frequency]\nrural = 0\n", "frequency.rural"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("s.toml");
            std::fs::write(&path, body).unwrap();
            let e = Scenario::load(&path, dir.path()).unwrap_err().to_string();
            assert!(e.contains(&format!("'{field}'")), "{e}");
        }
    }

    #[test]
    fn the_name_defaults_to_the_file_stem() {
        let (_dir, s) = with_base("");
        assert_eq!(s.name, "what-if");
        assert_eq!(s.description, "");
        let (_dir, s) = with_base("name = \"Flood\"\ndescription = \"river\"\n");
        assert_eq!(
            (s.name.as_str(), s.description.as_str()),
            ("Flood", "river")
        );
    }

    #[test]
    fn input_applies_demand_growth_counts_and_an_extra_facility() {
        let body = "base = \"..\"\n\
            [demand]\nrural = 2.0\n\
            [fleet]\ntricycle = 5\n\
            [[extra_facility]]\nid = \"TS-NEW\"\nlat = 43.73\nlon = 7.42\nkind = \"transfer\"\n\
            open = \"06:00\"\nclose = \"18:00\"\nunload_s = 300\naccepts = \"household\"\n";
        let (dir, s) = with_base(body);
        let base = PlanInput::load(
            &dir.path().join("map.osm.pbf"),
            &dir.path().join("pickups.csv"),
            &dir.path().join("facilities.csv"),
            &dir.path().join("fleet.toml"),
            None,
        )
        .unwrap();
        let input = s.input().unwrap();
        for (a, b) in base.pickups.iter().zip(&input.pickups) {
            let m = if a.zone == Zone::Rural { 2.0 } else { 1.0 };
            assert_eq!(b.demand_kg, a.demand_kg * m, "{}", a.id);
            assert_eq!(b.volume_m3, a.volume_m3 * m, "{}", a.id);
        }
        let counts: Vec<(&str, usize)> = input
            .fleet
            .spec
            .vehicle
            .iter()
            .map(|v| (v.name.as_str(), v.count))
            .collect();
        assert_eq!(counts, vec![("compactor", 2), ("tricycle", 5)]);
        assert_eq!(input.facilities.len(), base.facilities.len() + 1);
        let new = input.facilities.last().unwrap();
        assert_eq!((new.id.as_str(), new.unload_s), ("TS-NEW", 300));
        assert!(
            input.files.fleet.contains("(scenario "),
            "{}",
            input.files.fleet
        );
    }

    #[test]
    fn input_refuses_overrides_that_do_not_fit_naming_the_key() {
        let (_d, s) = with_base("base = \"..\"\n[fleet]\nbarge = 1\n");
        assert_err(s.input(), &["fleet.barge", "no vehicle type"]);
        let (_d, s) = with_base("base = \"..\"\n[fleet]\ntricycle = 100000000\n");
        assert_err(s.input(), &["fleet.tricycle", "at most"]);
        let dup = "base = \"..\"\n[[extra_facility]]\nid = \"TS\"\nlat = 43.73\nlon = 7.42\n\
            kind = \"transfer\"\nopen = \"06:00\"\nclose = \"18:00\"\n";
        let (_d, s) = with_base(dup);
        assert_err(s.input(), &["'TS' already exists", "extra_facility"]);
    }

    #[test]
    fn rows_hold_a_plans_figures_and_the_csv_has_a_column_per_type_and_reason() {
        let (_dir, s) = with_base("base = \"..\"\n");
        let input = s.input().unwrap();
        let opts = crate::plan::PlanOptions {
            iterations: Some(20),
            ..crate::plan::PlanOptions::default()
        };
        let plan = crate::plan::run(&input, &opts, &mut crate::solver::Silent).unwrap();
        let sum = &plan.summary;
        let row = Row::of("base \"quoted\"", sum);
        assert_eq!(row.vehicles_used, sum.vehicles_used);
        assert_eq!(row.vehicles, sum.vehicles_by_type);
        assert_eq!((row.trips, row.km, row.cost), (sum.trips, sum.km, sum.cost));
        assert_eq!(row.violations, sum.violations.len());
        assert_eq!(
            row.coverage[&Zone::Urban],
            (
                sum.coverage[&Zone::Urban].share_demand,
                1.0,
                sum.coverage[&Zone::Urban].met
            )
        );
        let mut other = row.clone();
        other.scenario = "more".into();
        other.vehicles = [("barge".to_string(), 1)].into_iter().collect();
        other.unserved = [("closures".to_string(), 3)].into_iter().collect();
        let csv = rows_csv(&[row.clone(), other]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        let head: Vec<&str> = lines[0].split(',').collect();
        assert!(head.contains(&"vehicles_barge") && head.contains(&"unserved_closures"));
        for t in row.vehicles.keys() {
            assert!(head.contains(&format!("vehicles_{t}").as_str()), "{t}");
        }
        assert!(
            lines[1].starts_with("\"base \"\"quoted\"\"\","),
            "{}",
            lines[1]
        );
        // Every row has every column; a type or reason a row lacks is 0.
        let mut rdr = csv::Reader::from_reader(csv.as_bytes());
        let cols = rdr.headers().unwrap().clone();
        let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
        let at = |r: &csv::StringRecord, c: &str| {
            r[cols.iter().position(|h| h == c).unwrap()].to_string()
        };
        assert_eq!(at(&recs[0], "vehicles_barge"), "0");
        assert_eq!(at(&recs[0], "unserved_closures"), "0");
        assert_eq!(at(&recs[1], "unserved_closures"), "3");
    }
}
