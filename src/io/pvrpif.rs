//! The PVRP-IF instance format of Taverna & Tilk (2026), "Enhancing Waste
//! Collection: A Branch-and-Cut-and-Price approach for the Periodic Vehicle
//! Routing Problem with Intermediate Facilities", EJOR 331(2), instances at
//! github.com/iolab-uniud/pvrpif-instances (MIT).
//!
//! A GeoJSON FeatureCollection with an `info` object (`planningHorizon`,
//! `numVehicles`, `maxCapacity`, `maxDuration`), one Point feature per node
//! (`properties`: `id`, `type` = `depot` | `customer` |
//! `intermediateFacility`, `frequency`, `demand`, `service`) and `duration`,
//! the n x n travel-time matrix indexed by `id`. This module reads the
//! format; the rules of a solution are in `shared/tools/pvrpif`'s checker.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Location, Result};

/// What a node of the instance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// The depot, where every route starts and ends.
    Depot,
    /// A bin to collect, `frequency` times over the horizon.
    Customer,
    /// An unloading site (intermediate facility).
    Facility,
}

/// One node, indexed by its `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Visits over the horizon (customers; 0 for the others).
    pub frequency: u32,
    /// Waste collected at each visit.
    pub demand: f64,
    /// Service time at each visit.
    pub service: f64,
    /// Longitude and latitude, when the feature has a Point geometry.
    pub lon_lat: Option<(f64, f64)>,
}

/// A PVRP-IF instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The file name without `.geojson`.
    pub name: String,
    /// Days in the planning horizon.
    pub horizon: u32,
    /// Routes (vehicles) allowed per day.
    pub num_vehicles: u32,
    /// Capacity of one trip (between unloadings).
    pub max_capacity: f64,
    /// Longest route: travel plus service times.
    pub max_duration: f64,
    /// The nodes, `nodes[id]`.
    pub nodes: Vec<Node>,
    /// Travel times, `duration[from][to]`.
    pub duration: Vec<Vec<f64>>,
}

impl Instance {
    /// Reads an instance file.
    pub fn read(path: &Path) -> Result<Instance> {
        let text = super::read_text(path)?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(|n| n.strip_suffix(".geojson").unwrap_or(n).to_string())
            .unwrap_or_default();
        Instance::parse(&text, name, Location::file(path))
    }

    /// Reads an instance from text; `at` names the source in errors.
    pub fn parse(text: &str, name: String, at: Location) -> Result<Instance> {
        let data: Value = serde_json::from_str(text)
            .map_err(|e| Error::input(at.clone().at_line(e.line()), format!("not JSON: {e}")))?;
        let field = |f: &str| at.clone().with_field(f);
        let get = |v: &'_ Value, key: &str, loc: Location| -> Result<Value> {
            v.get(key)
                .cloned()
                .ok_or_else(|| Error::input(loc, "missing"))
        };
        let info = get(&data, "info", field("info"))?;
        let number = |v: &Value, key: &str, loc: Location| -> Result<f64> {
            let x = get(v, key, loc.clone())?;
            x.as_f64()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| Error::input(loc, format!("expected a number >= 0, got {x}")))
        };
        let whole = |v: &Value, key: &str, loc: Location| -> Result<u32> {
            let x = number(v, key, loc.clone())?;
            if x.fract() != 0.0 || x > f64::from(u32::MAX) {
                return Err(Error::input(
                    loc,
                    format!("expected a whole number, got {x}"),
                ));
            }
            Ok(x as u32)
        };
        let horizon = whole(&info, "planningHorizon", field("info.planningHorizon"))?;
        if horizon == 0 {
            return Err(Error::input(
                field("info.planningHorizon"),
                "must be at least 1",
            ));
        }
        let num_vehicles = whole(&info, "numVehicles", field("info.numVehicles"))?;
        let max_capacity = number(&info, "maxCapacity", field("info.maxCapacity"))?;
        let max_duration = number(&info, "maxDuration", field("info.maxDuration"))?;

        let features = get(&data, "features", field("features"))?;
        let features = features
            .as_array()
            .filter(|f| !f.is_empty())
            .ok_or_else(|| Error::input(field("features"), "expected a non-empty list"))?;
        let mut nodes: Vec<Option<Node>> = vec![None; features.len()];
        for (k, f) in features.iter().enumerate() {
            let loc = |p: &str| {
                at.clone()
                    .at_line(k + 1)
                    .with_field(format!("properties.{p}"))
            };
            let props = get(
                f,
                "properties",
                at.clone().at_line(k + 1).with_field("properties"),
            )?;
            let id = whole(&props, "id", loc("id"))? as usize;
            let kind = match props.get("type").and_then(Value::as_str) {
                Some("depot") => NodeKind::Depot,
                Some("customer") => NodeKind::Customer,
                Some("intermediateFacility") => NodeKind::Facility,
                other => {
                    return Err(Error::input(
                        loc("type"),
                        format!(
                            "expected depot, customer or intermediateFacility, got {}",
                            other.unwrap_or("nothing")
                        ),
                    ));
                }
            };
            let frequency = match props.get("frequency") {
                None => 0,
                Some(_) => whole(&props, "frequency", loc("frequency"))?,
            };
            let demand = number(&props, "demand", loc("demand"))?;
            let service = number(&props, "service", loc("service"))?;
            if kind == NodeKind::Customer {
                if frequency == 0 || horizon % frequency != 0 {
                    return Err(Error::input(
                        loc("frequency"),
                        format!("{frequency} does not divide the planning horizon {horizon}"),
                    ));
                }
                if demand > max_capacity {
                    return Err(Error::input(
                        loc("demand"),
                        format!("{demand} is above the trip capacity {max_capacity}"),
                    ));
                }
            }
            let lon_lat = f
                .pointer("/geometry/coordinates")
                .and_then(Value::as_array)
                .and_then(|c| Some((c.first()?.as_f64()?, c.get(1)?.as_f64()?)));
            let slot = nodes.get_mut(id).ok_or_else(|| {
                Error::input(
                    loc("id"),
                    format!("{id} is not below the number of nodes {}", features.len()),
                )
            })?;
            if slot.is_some() {
                return Err(Error::input(loc("id"), format!("{id} is used twice")));
            }
            *slot = Some(Node {
                kind,
                frequency,
                demand,
                service,
                lon_lat,
            });
        }
        // Every slot is filled: ids are distinct and below the count.
        let nodes: Vec<Node> = nodes.into_iter().flatten().collect();
        let count = |k| nodes.iter().filter(|n| n.kind == k).count();
        if count(NodeKind::Depot) != 1 || nodes[0].kind != NodeKind::Depot {
            return Err(Error::input(
                field("features"),
                "node 0 must be the one depot",
            ));
        }
        if count(NodeKind::Facility) == 0 {
            return Err(Error::input(field("features"), "no intermediateFacility"));
        }

        let n = nodes.len();
        let rows = get(&data, "duration", field("duration"))?;
        let rows = rows.as_array().filter(|r| r.len() == n).ok_or_else(|| {
            Error::input(
                field("duration"),
                format!("expected {n} rows, one per node"),
            )
        })?;
        let mut duration = Vec::with_capacity(n);
        for (i, row) in rows.iter().enumerate() {
            let loc = || field(&format!("duration[{i}]"));
            let row = row
                .as_array()
                .filter(|r| r.len() == n)
                .ok_or_else(|| Error::input(loc(), format!("expected {n} numbers")))?;
            let row: Option<Vec<f64>> = row
                .iter()
                .map(|x| x.as_f64().filter(|x| x.is_finite() && *x >= 0.0))
                .collect();
            duration.push(row.ok_or_else(|| Error::input(loc(), "expected numbers >= 0"))?);
        }
        Ok(Instance {
            name,
            horizon,
            num_vehicles,
            max_capacity,
            max_duration,
            nodes,
            duration,
        })
    }

    /// The ids of the customers.
    pub fn customers(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].kind == NodeKind::Customer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(edit: impl FnOnce(&mut Value)) -> Result<Instance> {
        let mut v: Value = serde_json::json!({
            "type": "FeatureCollection",
            "info": {"planningHorizon": 4, "numVehicles": 2, "maxCapacity": 10, "maxDuration": 100},
            "features": [
                {"properties": {"id": 0, "type": "depot", "frequency": 0, "demand": 0, "service": 0}},
                {"properties": {"id": 1, "type": "customer", "frequency": 2.0, "demand": 4, "service": 1},
                 "geometry": {"type": "Point", "coordinates": [9.1, 45.4]}},
                {"properties": {"id": 2, "type": "intermediateFacility", "frequency": 0, "demand": 0, "service": 0}}
            ],
            "duration": [[0, 1, 2], [1, 0, 3], [2, 3, 0]]
        });
        edit(&mut v);
        Instance::parse(
            &v.to_string(),
            "tiny".into(),
            Location::file("tiny.geojson"),
        )
    }

    #[test]
    fn reads_the_fields() {
        let i = tiny(|_| {}).unwrap();
        assert_eq!((i.horizon, i.num_vehicles), (4, 2));
        assert_eq!(i.nodes[1].frequency, 2);
        assert_eq!(i.nodes[1].lon_lat, Some((9.1, 45.4)));
        assert_eq!(i.nodes[2].kind, NodeKind::Facility);
        assert_eq!(i.duration[1][2], 3.0);
        assert_eq!(i.customers().collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn errors_name_the_record_and_field() {
        let e = tiny(|v| v["features"][1]["properties"]["frequency"] = 3.into()).unwrap_err();
        assert!(
            e.to_string()
                .contains("tiny.geojson:2: field 'properties.frequency'"),
            "{e}"
        );
        let e = tiny(|v| v["features"][1]["properties"]["demand"] = 11.into()).unwrap_err();
        assert!(e.to_string().contains("above the trip capacity"), "{e}");
        let e = tiny(|v| v["features"][2]["properties"]["id"] = 1.into()).unwrap_err();
        assert!(e.to_string().contains("used twice"), "{e}");
        let e = tiny(|v| v["duration"][1] = serde_json::json!([1, 0])).unwrap_err();
        assert!(e.to_string().contains("field 'duration[1]'"), "{e}");
        let e = tiny(|v| v["info"]["maxCapacity"] = "big".into()).unwrap_err();
        assert!(e.to_string().contains("info.maxCapacity"), "{e}");
        let e = tiny(|v| v["features"][2]["properties"]["type"] = "customer".into()).unwrap_err();
        assert!(e.to_string().contains("frequency"), "{e}");
    }

    #[test]
    fn reads_every_bundled_instance() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/periodic/pvrpif");
        let Ok(dirs) = std::fs::read_dir(&root) else {
            return; // the shared data is beside the project root only on the project machine
        };
        let mut read = 0;
        for dir in dirs.flatten().filter(|d| d.path().is_dir()) {
            for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
                if f.path().extension().is_some_and(|e| e == "geojson") {
                    let i = Instance::read(&f.path()).unwrap();
                    assert!(i.customers().count() >= 20, "{}", i.name);
                    read += 1;
                }
            }
        }
        assert!(read == 0 || read == 40, "{read} instances");
    }
}
