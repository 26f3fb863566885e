//! A district's `status.json`, the hash of its inputs, and whether a folder
//! already holds the answer to what is asked now.
//!
//! `status.json` is written into the district's folder before the folder
//! is published (`crate::fsx::OutputFolder`), so the folder and its status
//! appear together: a kill at any moment leaves the previous folder with
//! its own status, or the new one with its own, never a result without a
//! status or a status of another result. A folder is reused only when its
//! status says it is complete (`ok`, `targets_missed`, `violations`) and
//! its inputs hash, settings and wasteroute version equal the ones asked
//! for now; anything else (no folder, no or unreadable status, an
//! `interrupted`, failed or stale folder) is computed again.

use super::manifest::{District, Settings};
use crate::error::{Error, Location, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The file name of a district's status, inside its folder.
pub const STATUS_FILE: &str = "status.json";

/// How a district ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Written, every target met (exit code 0).
    Ok,
    /// Written, a coverage target missed (exit code 4): an answer.
    TargetsMissed,
    /// Written, but the checker found rules it breaks (exit code 5): an
    /// answer too, listed in `summary.json`.
    Violations,
    /// An input file is unreadable, malformed or inconsistent (exit code 2).
    BadInput,
    /// A depot or facility is off the road network (exit code 3).
    Routing,
    /// A bug or a failure of the machine (exit code 1).
    Internal,
    /// Stopped by a signal; the best plan found so far is written (exit
    /// code 130 or 143).
    Interrupted,
}

impl Outcome {
    /// The name in `status.json`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::TargetsMissed => "targets_missed",
            Outcome::Violations => "violations",
            Outcome::BadInput => "bad_input",
            Outcome::Routing => "routing",
            Outcome::Internal => "internal",
            Outcome::Interrupted => "interrupted",
        }
    }

    /// Whether a folder with this outcome is a finished answer that a rerun
    /// may keep.
    pub fn is_complete(self) -> bool {
        matches!(
            self,
            Outcome::Ok | Outcome::TargetsMissed | Outcome::Violations
        )
    }

    /// The outcome of a library error: routing, bad input or internal.
    pub fn of_error(e: &Error) -> Outcome {
        match e {
            Error::Routing(_) => Outcome::Routing,
            e if e.is_input() => Outcome::BadInput,
            _ => Outcome::Internal,
        }
    }

    /// The exit code `wasteroute plan` gives for this outcome (130/143 for
    /// an interruption depend on the signal, and are given by the caller).
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Ok => 0,
            Outcome::TargetsMissed => 4,
            Outcome::Violations => 5,
            Outcome::BadInput => 2,
            Outcome::Routing => 3,
            Outcome::Internal => 1,
            Outcome::Interrupted => 143,
        }
    }
}

/// A district's `status.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The district's name.
    pub district: String,
    /// How it ended.
    pub status: Outcome,
    /// The exit code `wasteroute plan` would have given.
    pub exit_code: i32,
    /// SHA-256 of the inputs' contents ([`Hasher::inputs_sha256`]); `None` when an
    /// input could not be read.
    pub inputs_sha256: Option<String>,
    /// When the district started, UTC (RFC 3339).
    pub started: String,
    /// When its result was complete, just before its folder was written.
    pub finished: String,
    /// Seconds from start to finish.
    pub runtime_s: f64,
    /// The wasteroute version that wrote it.
    pub wasteroute: String,
    /// The settings it ran with.
    pub settings: Settings,
    /// The error, for `bad_input`, `routing` and `internal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Status {
    /// The status as written (pretty JSON, a final newline).
    ///
    /// # Errors
    /// [`Error::Internal`] if it cannot be encoded.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut b = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Internal(format!("encoding {STATUS_FILE}: {e}")))?;
        b.push(b'\n');
        Ok(b)
    }

    /// Reads `DIR/status.json`; `Ok(None)` if the folder or the file is
    /// absent.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; [`Error::Input`] if it is not a
    /// status.
    pub fn read(dir: &Path) -> Result<Option<Status>> {
        let path = dir.join(STATUS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            Error::input(
                Location::file(&path).at_line(e.line()),
                format!("not a district status: {e}"),
            )
        })
    }
}

/// What a district's folder holds, against what is asked now.
#[derive(Debug, Clone, PartialEq)]
pub enum Freshness {
    /// The folder holds the complete answer: skip the district.
    Complete(Box<Status>),
    /// No folder, or no status in it.
    Missing,
    /// A folder whose result must be computed again, and why.
    Stale(String),
}

impl Freshness {
    /// Whether the district's folder answers a run with `sha` (the inputs'
    /// hash, `None` if unreadable) and `settings` by this wasteroute.
    pub fn of(dir: &Path, sha: Option<&str>, settings: &Settings) -> Freshness {
        let st = match Status::read(dir) {
            Ok(Some(st)) => st,
            Ok(None) => return Freshness::Missing,
            Err(e) => return Freshness::Stale(format!("unreadable status: {e}")),
        };
        if !st.status.is_complete() {
            return Freshness::Stale(format!("the last run ended {}", st.status.name()));
        }
        if st.wasteroute != env!("CARGO_PKG_VERSION") {
            return Freshness::Stale(format!("written by wasteroute {}", st.wasteroute));
        }
        if sha.is_none() || st.inputs_sha256.as_deref() != sha {
            return Freshness::Stale("the inputs changed".into());
        }
        if &st.settings != settings {
            return Freshness::Stale("the settings changed".into());
        }
        let summary = match settings.mode {
            super::Mode::Plan => "summary.json",
            super::Mode::Week => "week-summary.json",
        };
        if !dir.join(summary).is_file() {
            return Freshness::Stale(format!("{summary} is missing"));
        }
        Freshness::Complete(Box::new(st))
    }
}

/// SHA-256 of files, each read once per process (the shared map is hashed
/// once for every district of a shard).
#[derive(Debug, Default)]
pub struct Hasher {
    files: HashMap<PathBuf, String>,
}

impl Hasher {
    /// A hasher with no file read yet.
    pub fn new() -> Hasher {
        Hasher::default()
    }

    /// The hex SHA-256 of the content of `path`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file if it cannot be read.
    pub fn file(&mut self, path: &Path) -> Result<String> {
        if let Some(h) = self.files.get(path) {
            return Ok(h.clone());
        }
        let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        let hex = hex(&h.finalize());
        self.files.insert(path.to_path_buf(), hex.clone());
        Ok(hex)
    }

    /// The hash of a district's inputs: SHA-256 of one line `role sha256`
    /// per input (osm, pickups, facilities, fleet, closures), so that it
    /// depends on the contents and their roles, not on where the files are.
    ///
    /// # Errors
    /// [`Error::Io`] naming the first input that cannot be read.
    pub fn inputs_sha256(&mut self, d: &District) -> Result<String> {
        let i = &d.inputs;
        let mut lines = String::new();
        for (role, path) in [
            ("osm", Some(&i.osm)),
            ("pickups", Some(&i.pickups)),
            ("facilities", Some(&i.facilities)),
            ("fleet", Some(&i.fleet)),
            ("closures", i.closures.as_ref()),
        ] {
            let h = match path {
                Some(p) => self.file(p)?,
                None => "none".into(),
            };
            lines.push_str(&format!("{role} {h}\n"));
        }
        Ok(hex(&Sha256::digest(lines.as_bytes())))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `t` as RFC 3339 UTC with milliseconds (`2026-12-01T19:25:14.123Z`).
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible
    // low-level date algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_796_153_114_123);
        assert_eq!(rfc3339(t), "2026-12-01T19:25:14.123Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn file_hashes_are_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            Hasher::new().file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let e = Hasher::new().file(&dir.path().join("none")).unwrap_err();
        assert!(e.is_input() && e.to_string().contains("none"), "{e}");
    }

    fn status(outcome: Outcome, sha: &str) -> Status {
        Status {
            district: "a".into(),
            status: outcome,
            exit_code: outcome.exit_code(),
            inputs_sha256: Some(sha.into()),
            started: rfc3339(UNIX_EPOCH),
            finished: rfc3339(UNIX_EPOCH),
            runtime_s: 0.0,
            wasteroute: env!("CARGO_PKG_VERSION").into(),
            settings: Settings::default(),
            error: None,
        }
    }

    #[test]
    fn only_a_complete_folder_of_the_same_inputs_settings_and_version_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let s = Settings::default();
        assert_eq!(
            Freshness::of(&d.join("none"), Some("x"), &s),
            Freshness::Missing
        );
        let put =
            |st: &Status| std::fs::write(d.join(STATUS_FILE), st.to_bytes().unwrap()).unwrap();
        put(&status(Outcome::TargetsMissed, "x"));
        assert!(
            matches!(Freshness::of(d, Some("x"), &s), Freshness::Stale(w) if w.contains("summary.json"))
        );
        std::fs::write(d.join("summary.json"), "{}").unwrap();
        assert!(matches!(
            Freshness::of(d, Some("x"), &s),
            Freshness::Complete(_)
        ));
        assert!(
            matches!(Freshness::of(d, Some("y"), &s), Freshness::Stale(w) if w.contains("inputs"))
        );
        assert!(matches!(Freshness::of(d, None, &s), Freshness::Stale(_)));
        let other = Settings {
            seed: 99,
            ..Settings::default()
        };
        assert!(
            matches!(Freshness::of(d, Some("x"), &other), Freshness::Stale(w) if w.contains("settings"))
        );
        for o in [
            Outcome::Interrupted,
            Outcome::BadInput,
            Outcome::Internal,
            Outcome::Routing,
        ] {
            put(&status(o, "x"));
            assert!(
                matches!(Freshness::of(d, Some("x"), &s), Freshness::Stale(_)),
                "{o:?}"
            );
        }
        let mut old = status(Outcome::Ok, "x");
        old.wasteroute = "0.0.0-old".into();
        put(&old);
        assert!(
            matches!(Freshness::of(d, Some("x"), &s), Freshness::Stale(w) if w.contains("0.0.0-old"))
        );
        std::fs::write(d.join(STATUS_FILE), "{").unwrap();
        assert!(
            matches!(Freshness::of(d, Some("x"), &s), Freshness::Stale(w) if w.contains("unreadable"))
        );
    }
}
