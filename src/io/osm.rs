//! Reading road data from OpenStreetMap `.osm.pbf` extracts (osmpbfreader).
//!
//! The reader knows nothing about vehicles: it returns every way that has a
//! `highway` tag, the coordinates of every node, the tags of nodes that
//! carry a `barrier`, the `highway` value of nodes that matter for turns
//! (`traffic_signals`, `turning_circle`, `turning_loop`, `mini_roundabout`)
//! and every relation with `type=restriction` (turn restrictions, with
//! their members). [`crate::graph`] decides what a vehicle may use.

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
    /// The `highway` value of nodes tagged [`TURN_NODE_VALUES`].
    pub turn_nodes: HashMap<i64, String>,
    /// Every relation with `type=restriction`, in file order.
    pub restrictions: Vec<OsmRestriction>,
}

/// The node `highway=*` values the turn model reads: signals delay, the
/// others allow a U-turn.
pub const TURN_NODE_VALUES: &[&str] = &[
    "traffic_signals",
    "turning_circle",
    "turning_loop",
    "mini_roundabout",
];

/// One OSM relation with `type=restriction`, as tagged: members sorted by
/// role (other roles and member kinds are counted in `other_members`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OsmRestriction {
    /// The OSM relation id.
    pub id: i64,
    /// Every tag of the relation.
    pub tags: Tags,
    /// Ways with role `from`.
    pub from: Vec<i64>,
    /// Nodes with role `via`.
    pub via_nodes: Vec<i64>,
    /// Ways with role `via`, in member order.
    pub via_ways: Vec<i64>,
    /// Ways with role `to`.
    pub to: Vec<i64>,
    /// Members with another role, or of a kind the role does not take
    /// (a node as `from`, a relation anywhere).
    pub other_members: usize,
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
            turn_nodes: HashMap::new(),
            restrictions: Vec::new(),
        }
    }

    /// Adds turn restrictions and turn-relevant nodes to content built with
    /// [`OsmRoads::from_parts`] (tests, synthetic networks).
    pub fn with_turns(
        mut self,
        restrictions: Vec<OsmRestriction>,
        turn_nodes: HashMap<i64, String>,
    ) -> OsmRoads {
        self.restrictions = restrictions;
        self.turn_nodes = turn_nodes;
        self
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
/// The file's block structure is checked first (every block header read,
/// every block's announced size present), so that an empty, truncated or
/// foreign file is refused with a message naming it before the decoder sees
/// it; a panic of the decoder on damaged block content is caught and
/// reported as an input error too.
///
/// # Errors
/// [`Error::Io`] if the file cannot be opened, [`Error::Input`] if it is not
/// a valid OSM PBF file.
pub fn read_roads(path: &Path) -> Result<OsmRoads> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    check_blocks(path, &mut file, len)?;
    std::io::Seek::rewind(&mut file).map_err(|e| Error::io(path, e))?;
    guarded(path, || {
        decode(path, BufReader::with_capacity(1 << 20, file))
    })
}

/// Reads an `.osm.pbf` stream as [`read_roads`] does, with the same checks
/// (it is read into memory first); `path` names the file in errors. For
/// tests and fuzzing without a file (a `&[u8]` is a reader).
///
/// # Errors
/// [`Error::Io`] naming `path` if the stream cannot be read, [`Error::Input`]
/// if it is not a valid OSM PBF file.
pub fn read_roads_from(path: &Path, mut input: impl std::io::Read) -> Result<OsmRoads> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    check_blocks(path, &mut std::io::Cursor::new(&bytes), bytes.len() as u64)?;
    guarded(path, || decode(path, bytes.as_slice()))
}

/// Runs the decoder, turning a panic on damaged block content into an
/// input error naming `path`.
fn guarded(path: &Path, decode: impl FnOnce() -> Result<OsmRoads>) -> Result<OsmRoads> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode)) {
        Ok(r) => r,
        Err(payload) => Err(Error::input(
            Location::file(path),
            format!(
                "not a readable OSM PBF file: the decoder failed on damaged content ({})",
                crate::error::panic_message(payload.as_ref())
            ),
        )),
    }
}

/// Decodes a stream whose block structure [`check_blocks`] accepted.
fn decode(path: &Path, input: impl std::io::Read) -> Result<OsmRoads> {
    let mut reader = osmpbfreader::OsmPbfReader::new(input);
    let mut ways = Vec::new();
    let mut nodes: Vec<(i64, i32, i32)> = Vec::new();
    let mut barriers = HashMap::new();
    let mut turn_nodes = HashMap::new();
    let mut restrictions = Vec::new();
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
                if let Some(v) = n.tags.get("highway")
                    && TURN_NODE_VALUES.contains(&v.as_str())
                {
                    turn_nodes.insert(n.id.0, v.to_string());
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
            osmpbfreader::OsmObj::Relation(r) => {
                if r.tags.get("type").map(|t| t.as_str()) == Some("restriction") {
                    restrictions.push(restriction(&r));
                }
            }
        }
    }
    if !sorted {
        nodes.sort_unstable_by_key(|n| n.0);
        nodes.dedup_by_key(|n| n.0);
    }
    restrictions.sort_by_key(|r: &OsmRestriction| r.id);
    Ok(OsmRoads {
        ways,
        nodes,
        barriers,
        turn_nodes,
        restrictions,
    })
}

/// The members of a restriction relation, by role.
fn restriction(r: &osmpbfreader::Relation) -> OsmRestriction {
    use osmpbfreader::OsmId;
    let mut out = OsmRestriction {
        id: r.id.0,
        tags: own_tags(&r.tags),
        ..OsmRestriction::default()
    };
    for m in &r.refs {
        match (m.role.as_str(), m.member) {
            ("from", OsmId::Way(w)) => out.from.push(w.0),
            ("to", OsmId::Way(w)) => out.to.push(w.0),
            ("via", OsmId::Node(n)) => out.via_nodes.push(n.0),
            ("via", OsmId::Way(w)) => out.via_ways.push(w.0),
            _ => out.other_members += 1,
        }
    }
    out
}

/// The largest block header the PBF format allows (64 KiB).
const MAX_HEADER: u32 = 64 * 1024;
/// The largest block the PBF format allows (32 MiB).
const MAX_BLOB: u64 = 32 * 1024 * 1024;

/// What the walk over the blocks found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Blocks {
    /// `OSMData` blocks.
    data: usize,
}

/// Walks the block structure of a PBF file without decoding the blocks: a
/// 4-byte big-endian header length, a `BlobHeader` message (type, optional
/// index data, data size), then the block itself. The first block must be
/// an `OSMHeader`.
fn check_blocks(
    path: &Path,
    input: &mut (impl std::io::Read + std::io::Seek),
    len: u64,
) -> Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let bad = |msg: String| Error::input(Location::file(path), msg);
    if len == 0 {
        return Err(bad("the OSM PBF file is empty (0 bytes)".into()));
    }
    let mut r = BufReader::new(input);
    let mut at = 0u64;
    let mut blocks = Blocks { data: 0 };
    let mut k = 0usize;
    while at < len {
        k += 1;
        let truncated = |what: &str| {
            bad(format!(
                "the OSM PBF file is truncated: block {k} at byte {at} {what} ({len} bytes in the file)"
            ))
        };
        if len - at < 4 {
            return Err(truncated("has no complete size"));
        }
        let mut size = [0u8; 4];
        r.read_exact(&mut size).map_err(|e| Error::io(path, e))?;
        let header_len = u32::from_be_bytes(size);
        if header_len == 0 || header_len > MAX_HEADER {
            return Err(bad(format!(
                "not an OSM PBF file: block {k} at byte {at} announces a header of {header_len} bytes (at most {MAX_HEADER})"
            )));
        }
        if len - at - 4 < u64::from(header_len) {
            return Err(truncated("ends inside its header"));
        }
        let mut header = vec![0u8; header_len as usize];
        r.read_exact(&mut header).map_err(|e| Error::io(path, e))?;
        let (kind, data_size) = blob_header(&header).ok_or_else(|| {
            bad(format!(
                "not an OSM PBF file: block {k} at byte {at} has an unreadable header"
            ))
        })?;
        if k == 1 && kind != "OSMHeader" {
            return Err(bad(format!(
                "not an OSM PBF file: the first block is '{}', not 'OSMHeader'",
                kind.escape_debug()
            )));
        }
        if kind != "OSMHeader" && kind != "OSMData" {
            // The decoder would print to stdout and skip it.
            return Err(bad(format!(
                "block {k} at byte {at} has the unknown type '{}' (this reader knows OSMHeader and OSMData)",
                kind.escape_debug()
            )));
        }
        if data_size > MAX_BLOB {
            return Err(bad(format!(
                "not an OSM PBF file: block {k} at byte {at} announces {data_size} bytes (at most {MAX_BLOB})"
            )));
        }
        let body = at + 4 + u64::from(header_len);
        if len - body < data_size {
            return Err(truncated(&format!(
                "announces {data_size} bytes, only {} remain",
                len - body
            )));
        }
        if kind == "OSMData" {
            blocks.data += 1;
        }
        at = body + data_size;
        r.seek(SeekFrom::Start(at))
            .map_err(|e| Error::io(path, e))?;
    }
    if blocks.data == 0 {
        return Err(bad(
            "the OSM PBF file holds no data blocks (no nodes, ways or relations)".into(),
        ));
    }
    Ok(())
}

/// The type and data size of a `BlobHeader` protobuf message (fields 1:
/// string, 2: bytes, 3: int32), or `None` if it is malformed.
fn blob_header(b: &[u8]) -> Option<(String, u64)> {
    fn varint(b: &[u8], at: &mut usize) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *b.get(*at)?;
            *at += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    let mut at = 0;
    let (mut kind, mut size) = (None, None);
    while at < b.len() {
        let key = varint(b, &mut at)?;
        match (key >> 3, key & 7) {
            (field, 2) => {
                let n = usize::try_from(varint(b, &mut at)?).ok()?;
                let end = at.checked_add(n).filter(|&e| e <= b.len())?;
                if field == 1 {
                    kind = Some(String::from_utf8_lossy(&b[at..end]).into_owned());
                }
                at = end;
            }
            (3, 0) => size = Some(varint(b, &mut at)?),
            (_, 0) => {
                varint(b, &mut at)?;
            }
            (_, 5) => at = at.checked_add(4).filter(|&e| e <= b.len())?,
            (_, 1) => at = at.checked_add(8).filter(|&e| e <= b.len())?,
            _ => return None,
        }
    }
    Some((kind?, size?))
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
    fn empty_truncated_and_foreign_files_name_the_file_and_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let good = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/monaco-roads-tiny.osm.pbf"
        ))
        .unwrap();
        let check = |name: &str, bytes: &[u8], needle: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            let e = read_roads(&p).unwrap_err();
            let m = e.to_string();
            assert!(e.is_input(), "{m}");
            assert!(m.contains(name) && m.contains(needle), "{m}");
        };
        check("empty.osm.pbf", b"", "empty");
        for cut in [3, 10, good.len() / 2, good.len() - 1] {
            check("cut.osm.pbf", &good[..cut], "truncated");
        }
        check(
            "zip.osm.pbf",
            b"PK\x03\x04\x14\x00\x00\x00",
            "not an OSM PBF file",
        );
        // Every byte of the first blocks flipped in turn: an error or a
        // graph, never a panic.
        for i in (0..good.len()).step_by(61) {
            let mut b = good.clone();
            b[i] ^= 0xa5;
            let p = dir.path().join("flip.osm.pbf");
            std::fs::write(&p, &b).unwrap();
            if let Err(e) = read_roads(&p) {
                assert!(e.to_string().contains("flip.osm.pbf"), "{e}");
            }
        }
        assert!(
            read_roads(Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/monaco-roads-tiny.osm.pbf"
            )))
            .is_ok()
        );
    }

    /// A block as the PBF format frames it: header length, header, blob
    /// with `raw` content.
    fn frame(kind: &str, raw: &[u8]) -> Vec<u8> {
        let mut blob = vec![0x0a, raw.len() as u8];
        blob.extend_from_slice(raw);
        let mut header = vec![0x0a, kind.len() as u8];
        header.extend_from_slice(kind.as_bytes());
        header.extend_from_slice(&[0x18, blob.len() as u8]);
        let mut out = (header.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&header);
        out.extend_from_slice(&blob);
        out
    }

    #[test]
    fn a_decoder_panic_on_damaged_content_is_an_input_error() {
        // A way whose tag names string 5 of a one-string table: the decoder
        // indexes past the table and panics.
        let way = [0x08, 0x01, 0x12, 0x01, 0x05, 0x1a, 0x01, 0x06];
        let mut group = vec![0x1a, way.len() as u8];
        group.extend_from_slice(&way);
        let mut block = vec![0x0a, 0x02, 0x0a, 0x00, 0x12, group.len() as u8];
        block.extend_from_slice(&group);
        let mut file = frame("OSMHeader", &[]);
        file.extend_from_slice(&frame("OSMData", &block));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad-strings.osm.pbf");
        std::fs::write(&p, &file).unwrap();
        let e = read_roads(&p).unwrap_err();
        assert!(e.is_input(), "{e}");
        assert!(e.to_string().contains("bad-strings.osm.pbf"), "{e}");
        assert!(e.to_string().contains("damaged"), "{e}");
    }

    #[test]
    fn blob_headers_parse_and_reject_garbage() {
        // type "OSMData" (field 1), datasize 300 (field 3, varint ac 02).
        let mut h = vec![0x0a, 7];
        h.extend_from_slice(b"OSMData");
        h.extend_from_slice(&[0x18, 0xac, 0x02]);
        assert_eq!(blob_header(&h), Some(("OSMData".into(), 300)));
        assert_eq!(blob_header(&h[..5]), None);
        assert_eq!(blob_header(&[0x0f]), None);
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
