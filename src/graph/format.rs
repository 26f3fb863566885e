//! The binary graph file: versioned, checksummed, written atomically.
//!
//! Layout (little endian):
//!
//! ```text
//! magic  "WRROADS\0"   8 bytes
//! format version       u32   (FORMAT_VERSION)
//! body length          u64
//! body                 profile name (u32 length + UTF-8),
//!                      vertices (u32 count, then lon, lat as f64),
//!                      edges (u32 count, then tail, head, length_cm,
//!                             forward_ms, backward_ms as u32),
//!                      geometry index (count + 1 u32),
//!                      geometry (u32 count, then lon, lat as f64)
//! CRC-32 of the body   u32
//! ```
//!
//! A file with another magic, another version, a wrong length or a wrong
//! checksum is refused with a message that says which; nothing is read from
//! it.

use std::path::Path;

use super::{Edge, RoadGraph};
use crate::error::{Error, Location, Result};

const MAGIC: &[u8; 8] = b"WRROADS\0";
/// The version of the graph file format. Bump it whenever the layout or the
/// meaning of a field changes, so stale files are refused.
pub const FORMAT_VERSION: u32 = 1;
const HEADER: usize = 8 + 4 + 8;

impl RoadGraph {
    /// Writes the graph to `path` atomically ([`crate::fsx::write_file`]: a
    /// crash never leaves half a file).
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut body = Vec::with_capacity(
            64 + self.vertices.len() * 16 + self.edges.len() * 24 + self.geometry.len() * 16,
        );
        put_u32(&mut body, self.profile.len() as u32);
        body.extend_from_slice(self.profile.as_bytes());
        put_u32(&mut body, self.vertices.len() as u32);
        for p in &self.vertices {
            put_f64(&mut body, p[0]);
            put_f64(&mut body, p[1]);
        }
        put_u32(&mut body, self.edges.len() as u32);
        for e in &self.edges {
            for x in [e.tail, e.head, e.length_cm, e.forward_ms, e.backward_ms] {
                put_u32(&mut body, x);
            }
        }
        for &x in &self.geometry_first {
            put_u32(&mut body, x);
        }
        put_u32(&mut body, self.geometry.len() as u32);
        for p in &self.geometry {
            put_f64(&mut body, p[0]);
            put_f64(&mut body, p[1]);
        }
        let mut out = Vec::with_capacity(HEADER + body.len() + 4);
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT_VERSION);
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
        put_u32(&mut out, crc32fast::hash(&body));
        crate::fsx::write_file(path, &out)
    }

    /// Reads a graph written by [`RoadGraph::save`].
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; [`Error::Input`] if it is
    /// not a wasteroute graph, was written by another format version, is
    /// truncated, or fails its checksum.
    pub fn load(path: &Path) -> Result<RoadGraph> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        RoadGraph::load_bytes(path, &bytes)
    }

    /// Reads a graph from `bytes`, the content of the file `path` (which
    /// names the file in errors). For tests and fuzzing without a file.
    ///
    /// # Errors
    /// As [`RoadGraph::load`], without the I/O errors.
    pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<RoadGraph> {
        RoadGraph::from_bytes(bytes).map_err(|message| Error::input(Location::file(path), message))
    }

    fn from_bytes(bytes: &[u8]) -> std::result::Result<RoadGraph, String> {
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err("not a wasteroute road graph file (wrong magic bytes)".into());
        }
        if bytes.len() < HEADER + 4 {
            return Err("the graph file is truncated (no complete header)".into());
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(format!(
                "the graph file has format version {version}, this build reads version \
                 {FORMAT_VERSION}: rebuild it with `wasteroute graph build`"
            ));
        }
        let body_len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let expected = (HEADER as u64).saturating_add(body_len).saturating_add(4);
        if (bytes.len() as u64) < expected {
            return Err(format!(
                "the graph file is truncated ({} bytes, the header announces {expected})",
                bytes.len()
            ));
        }
        if bytes.len() as u64 > expected {
            return Err(format!(
                "the graph file has {} trailing bytes after its checksum",
                bytes.len() as u64 - expected
            ));
        }
        let body = &bytes[HEADER..HEADER + body_len as usize];
        let crc = u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().expect("4 bytes"));
        if crc32fast::hash(body) != crc {
            return Err("the graph file is corrupt (checksum mismatch)".into());
        }
        let mut r = Reader { b: body, at: 0 };
        let name_len = r.u32()? as usize;
        let profile = String::from_utf8(r.take(name_len)?.to_vec())
            .map_err(|_| "the profile name is not UTF-8".to_string())?;
        let n = r.u32()? as usize;
        let vertices = r.points(n)?;
        let m = r.u32()? as usize;
        r.need(m.saturating_mul(20))?;
        let mut edges = Vec::with_capacity(m);
        for _ in 0..m {
            edges.push(Edge {
                tail: r.u32()?,
                head: r.u32()?,
                length_cm: r.u32()?,
                forward_ms: r.u32()?,
                backward_ms: r.u32()?,
            });
        }
        r.need((m + 1).saturating_mul(4))?;
        let geometry_first = (0..=m).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
        let k = r.u32()? as usize;
        let geometry = r.points(k)?;
        if r.at != body.len() {
            return Err("the graph file body has unexpected trailing data".into());
        }
        if geometry_first.windows(2).any(|w| w[0] > w[1]) {
            return Err("the geometry index is not monotone".into());
        }
        RoadGraph::from_parts(profile, vertices, edges, geometry_first, geometry)
            .map_err(|e| format!("the graph file is inconsistent: {e}"))
    }
}

fn put_u32(out: &mut Vec<u8>, x: u32) {
    out.extend_from_slice(&x.to_le_bytes());
}

fn put_f64(out: &mut Vec<u8>, x: f64) {
    out.extend_from_slice(&x.to_le_bytes());
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn need(&self, n: usize) -> std::result::Result<(), String> {
        if self.b.len() - self.at < n {
            Err("the graph file body ends early".into())
        } else {
            Ok(())
        }
    }

    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        self.need(n)?;
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn f64(&mut self) -> std::result::Result<f64, String> {
        Ok(f64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn points(&mut self, n: usize) -> std::result::Result<Vec<[f64; 2]>, String> {
        self.need(n.saturating_mul(16))?;
        (0..n).map(|_| Ok([self.f64()?, self.f64()?])).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::graph::Profile;
    use crate::graph::build::tests::{line_nodes, way};
    use crate::io::osm::OsmRoads;

    fn small_graph() -> RoadGraph {
        let roads = OsmRoads::from_parts(
            vec![
                way(10, &[1, 2, 3, 4, 5], &[("highway", "residential")]),
                way(
                    11,
                    &[5, 6, 7, 1],
                    &[("highway", "primary"), ("oneway", "yes")],
                ),
            ],
            line_nodes(),
            HashMap::new(),
        );
        RoadGraph::from_roads(&roads, &Profile::truck()).unwrap().0
    }

    #[test]
    fn save_then_load_gives_the_same_graph() {
        let g = small_graph();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.wrg");
        g.save(&p).unwrap();
        let h = RoadGraph::load(&p).unwrap();
        assert_eq!(h.profile, g.profile);
        assert_eq!(h.vertices, g.vertices);
        assert_eq!(h.edges, g.edges);
        assert_eq!(h.geometry_first, g.geometry_first);
        assert_eq!(h.geometry, g.geometry);
    }

    #[test]
    fn truncated_corrupt_stale_and_foreign_files_are_refused() {
        let g = small_graph();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.wrg");
        g.save(&p).unwrap();
        let good = std::fs::read(&p).unwrap();
        let check = |bytes: &[u8], needle: &str| {
            let q = dir.path().join("bad.wrg");
            std::fs::write(&q, bytes).unwrap();
            let e = RoadGraph::load(&q).unwrap_err();
            assert!(e.is_input(), "{e}");
            assert!(
                e.to_string().contains(needle),
                "{e} should mention {needle}"
            );
        };
        check(&good[..good.len() - 10], "truncated");
        check(&good[..10], "truncated");
        let mut flipped = good.clone();
        flipped[HEADER + 30] ^= 0x55;
        check(&flipped, "checksum");
        let mut stale = good.clone();
        stale[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        check(&stale, "version");
        check(b"PK\x03\x04 some zip file", "magic");
        let mut longer = good.clone();
        longer.extend_from_slice(b"xx");
        check(&longer, "trailing");
    }

    #[test]
    fn saving_into_a_missing_folder_fails_without_leaving_files() {
        let g = small_graph();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/g.wrg");
        assert!(matches!(g.save(&p), Err(Error::Io { .. })));
    }
}
