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
//!                      geometry (u32 count, then lon, lat as f64),
//!                      turn model (restriction classes: u32 count, each
//!                             u32 length + UTF-8; u_turns u32; u_turn_s,
//!                             turn_s, across_traffic_factor f64;
//!                             left_hand_traffic u32; traffic_signal_s f64),
//!                      restriction statistics (7 u32),
//!                      restrictions (u32 count, then relation i64, only
//!                             u32, path and to as u32 count + arcs),
//!                      signal vertices, turning vertices (u32 count + ids),
//!                      edge signals (u32 count, then edge, count as u32),
//!                      road classes (one byte per edge, `RoadClass`)
//! CRC-32 of the body   u32
//! ```
//!
//! A file with another magic, another version, a wrong length or a wrong
//! checksum is refused with a message that says which; nothing is read from
//! it.

use std::path::Path;

use super::{Edge, Restriction, RestrictionStats, RoadClass, RoadGraph, TurnData, TurnModel};
use crate::error::{Error, Location, Result};

const MAGIC: &[u8; 8] = b"WRROADS\0";
/// The version of the graph file format. Bump it whenever the layout or the
/// meaning of a field changes, so stale files are refused.
pub const FORMAT_VERSION: u32 = 3;
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
        put_turns(&mut body, &self.turns);
        body.extend(self.classes.iter().map(|c| c.byte()));
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
        let turns = r.turns(n, m)?;
        let classes = (r.take(m)?.iter())
            .map(|&b| RoadClass::from_byte(b))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| "the graph file has an unknown road class".to_string())?;
        if r.at != body.len() {
            return Err("the graph file body has unexpected trailing data".into());
        }
        if geometry_first.windows(2).any(|w| w[0] > w[1]) {
            return Err("the geometry index is not monotone".into());
        }
        let mut g =
            RoadGraph::from_parts(profile, vertices, edges, geometry_first, geometry, classes)
                .map_err(|e| format!("the graph file is inconsistent: {e}"))?;
        g.turns = turns;
        Ok(g)
    }
}

fn put_turns(out: &mut Vec<u8>, t: &TurnData) {
    let m = &t.model;
    put_u32(out, m.restriction_classes.len() as u32);
    for c in &m.restriction_classes {
        put_u32(out, c.len() as u32);
        out.extend_from_slice(c.as_bytes());
    }
    put_u32(out, u32::from(m.u_turns));
    put_f64(out, m.u_turn_s);
    put_f64(out, m.turn_s);
    put_f64(out, m.across_traffic_factor);
    put_u32(out, u32::from(m.left_hand_traffic));
    put_f64(out, m.traffic_signal_s);
    let s = &t.stats;
    for x in [
        s.read,
        s.applied,
        s.ignored_broken,
        s.ignored_not_in_graph,
        s.ignored_conditional,
        s.ignored_not_for_vehicle,
        s.ignored_unknown_value,
    ] {
        put_u32(out, x as u32);
    }
    put_u32(out, t.restrictions.len() as u32);
    for r in &t.restrictions {
        out.extend_from_slice(&r.relation.to_le_bytes());
        put_u32(out, u32::from(r.only));
        for list in [&r.path, &r.to] {
            put_u32(out, list.len() as u32);
            for &a in list.iter() {
                put_u32(out, a);
            }
        }
    }
    for list in [&t.signal_vertices, &t.turning_vertices] {
        put_u32(out, list.len() as u32);
        for &v in list.iter() {
            put_u32(out, v);
        }
    }
    put_u32(out, t.edge_signals.len() as u32);
    for &(e, k) in &t.edge_signals {
        put_u32(out, e);
        put_u32(out, k);
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

    fn flag(&mut self) -> std::result::Result<bool, String> {
        match self.u32()? {
            0 => Ok(false),
            1 => Ok(true),
            x => Err(format!("the graph file has a flag of value {x}")),
        }
    }

    /// `count` ids below `limit`, each checked.
    fn ids(&mut self, limit: usize, what: &str) -> std::result::Result<Vec<u32>, String> {
        let k = self.u32()? as usize;
        self.need(k.saturating_mul(4))?;
        (0..k)
            .map(|_| {
                let x = self.u32()?;
                if x as usize >= limit {
                    Err(format!(
                        "the graph file names {what} {x}, which does not exist"
                    ))
                } else {
                    Ok(x)
                }
            })
            .collect()
    }

    /// The turn section of a graph with `n` vertices and `m` edges.
    fn turns(&mut self, n: usize, m: usize) -> std::result::Result<TurnData, String> {
        let k = self.u32()? as usize;
        let mut classes = Vec::new();
        for _ in 0..k {
            let len = self.u32()? as usize;
            classes.push(
                String::from_utf8(self.take(len)?.to_vec())
                    .map_err(|_| "a restriction class is not UTF-8".to_string())?,
            );
        }
        let model = TurnModel {
            restriction_classes: classes,
            u_turns: self.flag()?,
            u_turn_s: self.f64()?,
            turn_s: self.f64()?,
            across_traffic_factor: self.f64()?,
            left_hand_traffic: self.flag()?,
            traffic_signal_s: self.f64()?,
        };
        model
            .validate()
            .map_err(|e| format!("the graph file's turn model is invalid: {e}"))?;
        let mut st = [0usize; 7];
        for x in &mut st {
            *x = self.u32()? as usize;
        }
        let stats = RestrictionStats {
            read: st[0],
            applied: st[1],
            ignored_broken: st[2],
            ignored_not_in_graph: st[3],
            ignored_conditional: st[4],
            ignored_not_for_vehicle: st[5],
            ignored_unknown_value: st[6],
        };
        let k = self.u32()? as usize;
        let mut restrictions = Vec::new();
        for _ in 0..k {
            let relation = i64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
            let only = self.flag()?;
            let path = self.ids(2 * m, "arc")?;
            let to = self.ids(2 * m, "arc")?;
            if path.is_empty() {
                return Err(format!("restriction {relation} has an empty path"));
            }
            restrictions.push(Restriction {
                relation,
                path,
                only,
                to,
            });
        }
        let signal_vertices = self.ids(n, "vertex")?;
        let turning_vertices = self.ids(n, "vertex")?;
        let k = self.u32()? as usize;
        self.need(k.saturating_mul(8))?;
        let mut edge_signals = Vec::new();
        for _ in 0..k {
            let (e, c) = (self.u32()?, self.u32()?);
            if e as usize >= m {
                return Err(format!(
                    "the graph file names edge {e}, which does not exist"
                ));
            }
            edge_signals.push((e, c));
        }
        let sorted = |v: &[u32]| v.windows(2).all(|w| w[0] < w[1]);
        if !sorted(&signal_vertices)
            || !sorted(&turning_vertices)
            || !edge_signals.windows(2).all(|w| w[0].0 < w[1].0)
        {
            return Err("the graph file's turn lists are not sorted".into());
        }
        let data = TurnData {
            model,
            restrictions,
            stats,
            signal_vertices,
            turning_vertices,
            edge_signals,
        };
        Ok(data)
    }

    fn points(&mut self, n: usize) -> std::result::Result<Vec<[f64; 2]>, String> {
        self.need(n.saturating_mul(16))?;
        (0..n).map(|_| Ok([self.f64()?, self.f64()?])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::build::tests::{line_roads, truck, way};

    /// A small truck graph, saved as `g.wrg` in a new temporary folder.
    fn saved_graph() -> (RoadGraph, tempfile::TempDir, std::path::PathBuf) {
        let roads = line_roads(vec![
            way(10, &[1, 2, 3, 4, 5], &[("highway", "residential")]),
            way(
                11,
                &[5, 6, 7, 1],
                &[("highway", "primary"), ("oneway", "yes")],
            ),
        ]);
        let g = truck(&roads).0;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.wrg");
        g.save(&p).unwrap();
        (g, dir, p)
    }

    #[test]
    fn save_then_load_gives_the_same_graph() {
        let (g, _dir, p) = saved_graph();
        let h = RoadGraph::load(&p).unwrap();
        assert_eq!(h.profile, g.profile);
        assert_eq!(h.vertices, g.vertices);
        assert_eq!(h.edges, g.edges);
        assert_eq!(h.geometry_first, g.geometry_first);
        assert_eq!(h.geometry, g.geometry);
        assert_eq!(h.classes, g.classes);
        assert!(h.classes.iter().any(|c| c.primary_or_above()));
    }

    #[test]
    fn truncated_corrupt_stale_and_foreign_files_are_refused() {
        let (_, dir, p) = saved_graph();
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
        let (g, dir, _) = saved_graph();
        let p = dir.path().join("no/such/dir/g.wrg");
        assert!(matches!(g.save(&p), Err(Error::Io { .. })));
    }
}
