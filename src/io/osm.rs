//! Reading road data from OpenStreetMap `.osm.pbf` extracts (osmpbfreader).
//!
//! The reader knows nothing about vehicles: it returns every way that has a
//! `highway` tag, the coordinates of every node, and the tags of nodes that
//! carry a `barrier`. [`crate::graph`] decides what a vehicle may use.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::error::{Error, Location, Result};

/// The tags of an OSM object, as `(key, value)` pairs.
pub type Tags = Vec<(String, String)>;

/// Looks up `key` in `tags`.
pub fn tag<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// One OSM way with a `highway` tag.
#[derive(Debug, Clone, PartialEq)]
pub struct OsmWay {
    /// The OSM way id.
    pub id: i64,
    /// The OSM node ids, in order.
    pub nodes: Vec<i64>,
    /// Every tag of the way.
    pub tags: Tags,
}

/// The road-related content of an extract.
#[derive(Debug, Clone, Default)]
pub struct OsmRoads {
    /// Every way with a `highway` tag, in file order.
    pub ways: Vec<OsmWay>,
    /// `(node id, latitude, longitude)` of every node, sorted by id.
    ///
    /// # Units
    /// 10^-7 degrees (WGS84), as OSM stores them.
    nodes: Vec<(i64, i32, i32)>,
    /// The tags of nodes with a `barrier` tag.
    pub barriers: HashMap<i64, Tags>,
}

impl OsmRoads {
    /// Builds the content by hand (tests, synthetic networks).
    ///
    /// `nodes` are `(id, lat, lon)` in degrees, in any order.
    pub fn from_parts(
        ways: Vec<OsmWay>,
        nodes: Vec<(i64, f64, f64)>,
        barriers: HashMap<i64, Tags>,
    ) -> OsmRoads {
        let e7 = |x: f64| (x * 1e7).round() as i32;
        let mut nodes: Vec<(i64, i32, i32)> = nodes
            .into_iter()
            .map(|(id, lat, lon)| (id, e7(lat), e7(lon)))
            .collect();
        nodes.sort_unstable_by_key(|n| n.0);
        OsmRoads {
            ways,
            nodes,
            barriers,
        }
    }

    /// The `(lat, lon)` of node `id`, if the extract has it.
    ///
    /// # Units
    /// Degrees (WGS84).
    pub fn coord(&self, id: i64) -> Option<(f64, f64)> {
        self.nodes
            .binary_search_by_key(&id, |n| n.0)
            .ok()
            .map(|i| (self.nodes[i].1 as f64 * 1e-7, self.nodes[i].2 as f64 * 1e-7))
    }

    /// The number of nodes with coordinates.
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }
}

/// Reads the ways with a `highway` tag, all node coordinates and the barrier
/// nodes of an `.osm.pbf` file, decoding blocks in parallel.
///
/// # Errors
/// [`Error::Io`] if the file cannot be opened, [`Error::Input`] if it is not
/// a valid OSM PBF file.
pub fn read_roads(path: &Path) -> Result<OsmRoads> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    read_roads_from(path, BufReader::with_capacity(1 << 20, file))
}

/// Reads an `.osm.pbf` stream as [`read_roads`] does; `path` names the file
/// in errors. For tests and fuzzing without a file (a `&[u8]` is a reader).
///
/// # Errors
/// [`Error::Input`] naming `path` if the stream is not a valid OSM PBF file.
pub fn read_roads_from(path: &Path, input: impl std::io::Read) -> Result<OsmRoads> {
    let mut reader = osmpbfreader::OsmPbfReader::new(input);
    let mut ways = Vec::new();
    let mut nodes: Vec<(i64, i32, i32)> = Vec::new();
    let mut barriers = HashMap::new();
    let mut sorted = true;
    for obj in reader.par_iter() {
        let obj = obj.map_err(|e| {
            Error::input(
                Location::file(path),
                format!("not a readable OSM PBF file: {e}"),
            )
        })?;
        match obj {
            osmpbfreader::OsmObj::Node(n) => {
                if let Some(last) = nodes.last()
                    && last.0 >= n.id.0
                {
                    sorted = false;
                }
                nodes.push((n.id.0, n.decimicro_lat, n.decimicro_lon));
                if n.tags.contains_key("barrier") {
                    barriers.insert(n.id.0, own_tags(&n.tags));
                }
            }
            osmpbfreader::OsmObj::Way(w) => {
                if w.tags.contains_key("highway") {
                    ways.push(OsmWay {
                        id: w.id.0,
                        nodes: w.nodes.iter().map(|n| n.0).collect(),
                        tags: own_tags(&w.tags),
                    });
                }
            }
            osmpbfreader::OsmObj::Relation(_) => {}
        }
    }
    if !sorted {
        nodes.sort_unstable_by_key(|n| n.0);
        nodes.dedup_by_key(|n| n.0);
    }
    Ok(OsmRoads {
        ways,
        nodes,
        barriers,
    })
}

fn own_tags(tags: &osmpbfreader::Tags) -> Tags {
    tags.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_pbf_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.osm.pbf");
        std::fs::write(&p, b"this is not a protobuf file at all, just text\n").unwrap();
        let e = read_roads(&p).unwrap_err();
        assert!(e.is_input(), "{e}");
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let e = read_roads(Path::new("/nonexistent/nothing.osm.pbf")).unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e}");
    }

    #[test]
    fn coord_finds_nodes_given_in_any_order() {
        let roads =
            OsmRoads::from_parts(vec![], vec![(5, 1.0, 2.0), (1, 3.0, 4.0)], HashMap::new());
        assert_eq!(roads.coord(1), Some((3.0, 4.0)));
        assert_eq!(roads.coord(5), Some((1.0, 2.0)));
        assert_eq!(roads.coord(2), None);
    }
}
