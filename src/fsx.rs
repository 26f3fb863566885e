//! Atomic writes: the one place where wasteroute puts its outputs on disk.
//!
//! Two shapes of output, one rule: a reader (or the next run, or a crash)
//! sees the previous output whole or the new one whole, never a mix, and
//! nothing that wasteroute did not write is ever deleted.
//!
//! - **A single file** (`cvrp solve --out FILE.sol`, `wcvrptw solve --out
//!   FILE.json`, `graph build --out`, `graph matrix --out`, the reports that
//!   `wasteroute map DIR` rebuilds): [`write_file`] writes a temporary file
//!   `.NAME.tmp-PID-TAG-SEQ` in the same folder, flushes it to disk, renames
//!   it over `NAME` and flushes the folder. An existing file is overwritten
//!   (that is what was asked for); a folder is never replaced by a file.
//! - **An output folder** (`plan`, `fleet`, `compare --out DIR`):
//!   [`OutputFolder`] stages every file in `.NAME.partial-PID-TAG-SEQ`
//!   beside the target (the [`MARKER`] first), flushes each file and
//!   folder, and publishes the whole folder in one step. On Linux, Android
//!   and Apple systems that step is an atomic exchange of the two names
//!   (`renameat2(RENAME_EXCHANGE)`, `renamex_np(RENAME_SWAP)`, through
//!   `rustix` because the library forbids `unsafe`): the published name
//!   never vanishes, and the replaced folder, now under the staging name,
//!   is removed afterwards. Elsewhere, or on a file system that refuses the
//!   exchange, two renames (old away to `.NAME.old-PID-TAG-SEQ`, new in): a
//!   crash between the two leaves no folder under the name, with the
//!   previous one whole under the `.old-` name (rename it back to recover
//!   it).
//!
//! **What may be replaced.** An output folder replaces its target only if
//! the target does not exist, is an empty folder, or carries the marker
//! file [`MARKER`] (`.wasteroute`, with the version and kind of folder) that
//! every output folder gets. Anything else (a folder of the user's files, a
//! file, a symbolic link) is refused with an input error (exit 2) that says
//! why, unless the caller forces it (`--force`: the target and everything in
//! it is deleted and replaced; a symbolic link is replaced, not what it
//! points to). A folder that wasteroute wrote is replaced whole, files added
//! to it included.
//!
//! **Leftovers.** A run that fails removes its staging folder or temporary
//! file. A run that is killed cannot: the next run writing the same target
//! removes the hidden `.NAME.partial-*`, `.NAME.old-*` and `.NAME.tmp-*`
//! entries beside it whose process is no longer running (the name carries
//! the process id and a per-process tag), and nothing else. On systems other
//! than Unix the liveness of another process cannot be checked, and only the
//! leftovers of earlier processes with this process's id are removed. Two
//! runs writing the same target at the same time are not supported.
//!
//! **Fault injection (a test hook, not a feature).** When the environment
//! variable `WASTEROUTE_FAULT_AT=k` is set, the k-th file operation of this
//! module in the process (create, write, fsync, rename, mkdir, remove)
//! fails with an I/O error naming the path; with `WASTEROUTE_FAULT_MODE=kill`
//! as well, the process aborts there instead, as if killed at that moment.
//! The integration tests use them to check the rules above at every step;
//! never set them otherwise.

use crate::error::{Error, Location, Result};
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The marker file in every output folder wasteroute writes.
pub const MARKER: &str = ".wasteroute";

/// The kind of an output folder, recorded in its [`MARKER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// A plan folder (`plan --out`, each scenario of `compare`).
    Plan,
    /// A fleet-sizing folder (`fleet --out`).
    Fleet,
    /// A scenario comparison (`compare --out`).
    Compare,
    /// A weekly plan (`week --out`), with a plan folder per day.
    Week,
}

impl FolderKind {
    /// The name written in the marker.
    pub fn name(self) -> &'static str {
        match self {
            FolderKind::Plan => "plan",
            FolderKind::Fleet => "fleet",
            FolderKind::Compare => "compare",
            FolderKind::Week => "week",
        }
    }

    /// The marker file's content.
    pub(crate) fn marker(self) -> String {
        format!(
            "# This folder was written by wasteroute, which may replace it whole.\n\
             wasteroute = \"{}\"\nkind = \"{}\"\n",
            env!("CARGO_PKG_VERSION"),
            self.name()
        )
    }
}

// ---------------------------------------------------------------------------
// Fault injection and names
// ---------------------------------------------------------------------------

static OPS: AtomicU64 = AtomicU64::new(0);
static SEQ: AtomicU64 = AtomicU64::new(0);

/// The operation to fail (`WASTEROUTE_FAULT_AT`), and whether to kill the
/// process there instead (`WASTEROUTE_FAULT_MODE=kill`), read once.
fn fault_at() -> Option<(u64, bool)> {
    static AT: OnceLock<Option<(u64, bool)>> = OnceLock::new();
    *AT.get_or_init(|| {
        let k = std::env::var("WASTEROUTE_FAULT_AT")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|&k| k > 0)?;
        let kill = std::env::var("WASTEROUTE_FAULT_MODE").is_ok_and(|m| m.trim() == "kill");
        Some((k, kill))
    })
}

#[cfg(test)]
thread_local! {
    /// Unit tests inject faults per thread: (k, operations so far); k = 0
    /// is off.
    static TEST_FAULT: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

/// Counts one file operation and fails it if it is the one to fail.
fn step(what: &str, path: &Path) -> Result<()> {
    #[cfg(test)]
    {
        let (k, n) = TEST_FAULT.get();
        if k > 0 {
            TEST_FAULT.set((k, n + 1));
            return if n + 1 == k {
                Err(injected(what, path, k))
            } else {
                Ok(())
            };
        }
    }
    if let Some((k, kill)) = fault_at()
        && OPS.fetch_add(1, Ordering::SeqCst) + 1 == k
    {
        if kill {
            // A kill at this exact moment: no destructor, no clean-up.
            std::process::abort();
        }
        return Err(injected(what, path, k));
    }
    Ok(())
}

fn injected(what: &str, path: &Path, k: u64) -> Error {
    Error::io(
        path,
        std::io::Error::other(format!(
            "{what} failed: fault injected at file operation {k} (WASTEROUTE_FAULT_AT, a test hook)"
        )),
    )
}

/// A tag that tells this process from an earlier one with the same id.
fn process_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        // `RandomState` is seeded at random once per process.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        format!("{:08x}", h.finish() as u32)
    })
}

/// The hidden name `.NAME.KIND-PID-TAG-SEQ` beside a target.
fn hidden_name(name: &OsStr, kind: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(format!(
        ".{kind}-{}-{}-{}",
        std::process::id(),
        process_tag(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    s
}

const LEFTOVER_KINDS: [&str; 3] = ["partial", "old", "tmp"];

/// The process id and tag of a leftover of `name`
/// (`.NAME.{partial,old,tmp}-PID[-TAG[-SEQ]]`), if `entry` is one.
fn leftover_owner<'a>(entry: &'a str, name: &str) -> Option<(u32, Option<&'a str>)> {
    let rest = entry
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    let rest = LEFTOVER_KINDS
        .iter()
        .find_map(|k| rest.strip_prefix(k)?.strip_prefix('-'))?;
    let mut parts = rest.splitn(3, '-');
    let pid = parts.next()?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tag = parts.next();
    if let Some(t) = tag
        && (t.is_empty() || !t.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    if let Some(seq) = parts.next()
        && (seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((pid.parse().ok()?, tag))
}

#[cfg(unix)]
fn process_running(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(not(unix))]
fn process_running(_pid: u32) -> bool {
    true
}

/// Removes the leftovers of killed runs that wrote `target` (see the module
/// docs). Failures are logged, not returned: they are not this run's files.
fn clean_leftovers(parent: &Path, name: &OsStr) {
    let Some(name) = name.to_str() else { return };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(owner) = file_name.to_str().and_then(|e| leftover_owner(e, name)) else {
            continue;
        };
        let dead = match owner {
            (pid, Some(tag)) if pid == me && tag == process_tag() => false,
            (pid, _) if pid == me => true,
            (pid, _) => !process_running(pid),
        };
        if !dead {
            continue;
        }
        // Not a counted step of the fault hook: whether leftovers exist must
        // not shift which operation of this run fails.
        let path = entry.path();
        match remove_any(&path) {
            Ok(()) => tracing::info!("removed {}, left by a killed run", path.display()),
            Err(e) => tracing::warn!(
                "could not remove {}, left by a killed run: {e}",
                path.display()
            ),
        }
    }
}

/// Removes a file, a symbolic link or a whole folder (never following a link).
fn remove_any(path: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
    .map_err(|e| Error::io(path, e))
}

/// The folder holding `path` and the last component of `path`, which must
/// be a plain name (not `.`, `..` or a root).
fn split(path: &Path, what: &str) -> Result<(PathBuf, OsString)> {
    let name = match path.components().next_back() {
        Some(Component::Normal(n)) => n.to_os_string(),
        _ => {
            return Err(Error::input(
                Location::file(path),
                format!("{what} must end in a file or folder name, for example out/plan"),
            ));
        }
    };
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok((parent, name))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<()> {
    step("fsync", dir)?;
    match std::fs::File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        // Some file systems cannot flush a folder; nothing more can be done.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
    }
}

#[cfg(not(unix))]
fn sync_dir(dir: &Path) -> Result<()> {
    // Folders cannot be opened (and so not flushed) through std here.
    step("fsync", dir)
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    step("rename", from)?;
    std::fs::rename(from, to).map_err(|e| Error::io(to, e))
}

fn create_dir(dir: &Path) -> Result<()> {
    step("mkdir", dir)?;
    std::fs::create_dir(dir).map_err(|e| Error::io(dir, e))
}

/// Writes a new file `path` (which must not exist) through `f` and flushes it.
fn write_new(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    step("create", path)?;
    let file = std::fs::File::create_new(path).map_err(|e| Error::io(path, e))?;
    step("write", path)?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w).map_err(|e| Error::io(path, e))?;
    let file = w
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    step("fsync", path)?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

// ---------------------------------------------------------------------------
// Single files
// ---------------------------------------------------------------------------

/// Writes `bytes` to the file `path` atomically (see the module docs): a
/// temporary file in the same folder, flushed, renamed over `path`, and the
/// folder flushed. An existing file is replaced; a folder is not.
///
/// # Errors
/// [`Error::Input`] if `path` is a folder or names no file; [`Error::Io`]
/// naming the path of the step that failed (the temporary file is removed).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file_with(path, |w| w.write_all(bytes))
}

/// Writes the file `path` atomically, as [`write_file`], with the content
/// that `f` writes (buffered; for outputs too large to hold in memory).
///
/// # Errors
/// As [`write_file`]; an error of `f` is reported as an I/O error on `path`.
pub fn write_file_with(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let (parent, name) = split(path, "the output file")?;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(Error::input(
            Location::file(path),
            "is a folder; this output is a single file, so give a file name",
        ));
    }
    clean_leftovers(&parent, &name);
    let tmp = parent.join(hidden_name(&name, "tmp"));
    if let Err(e) = write_new(&tmp, f).and_then(|()| rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if let Err(e) = sync_dir(&parent) {
        tracing::warn!(
            "{} is written but could not be flushed to disk: {e}",
            path.display()
        );
    }
    Ok(())
}

/// Creates the folder `dir` unless it exists (its parent must).
///
/// # Errors
/// [`Error::Io`] naming `dir` if it cannot be created or is not a folder.
pub(crate) fn ensure_dir(dir: &Path) -> Result<()> {
    if std::fs::metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Ok(());
    }
    create_dir(dir)
}

// ---------------------------------------------------------------------------
// Output folders
// ---------------------------------------------------------------------------

/// Whether `dir` carries the [`MARKER`] of a folder wasteroute wrote.
fn has_marker(dir: &Path) -> bool {
    let m = dir.join(MARKER);
    std::fs::symlink_metadata(&m).is_ok_and(|md| md.is_file())
        && std::fs::read_to_string(&m).is_ok_and(|s| {
            s.lines()
                .any(|l| l.trim_start().starts_with("wasteroute ="))
        })
}

/// Checks that the output folder `target` may be written: it does not
/// exist, is an empty folder, or carries the [`MARKER`]; anything else only
/// with `force`. Cheap: call it before a long computation so the user
/// learns of a refusal at once; [`OutputFolder`] checks again.
///
/// # Errors
/// [`Error::Input`] saying what is at `target`, why it is not replaced, and
/// that `--force` would replace it.
pub fn check_target(target: &Path, force: bool) -> Result<()> {
    split(target, "--out")?;
    if force {
        return Ok(());
    }
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(target, e)),
    };
    let refuse = |why: String| {
        Err(Error::input(
            Location::file(target),
            format!(
                "{why}; choose another --out, or pass --force to delete it and write the output \
                 folder in its place"
            ),
        ))
    };
    if meta.file_type().is_symlink() {
        return refuse("is a symbolic link, not a folder wasteroute wrote".into());
    }
    if !meta.is_dir() {
        return refuse("is a file, not a folder wasteroute wrote".into());
    }
    if has_marker(target) {
        return Ok(());
    }
    let mut names: Vec<String> = std::fs::read_dir(target)
        .map_err(|e| Error::io(target, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let n = names.len();
    refuse(format!(
        "holds {n} {} that wasteroute did not write ({}{}; no {MARKER} marker, which plan \
         folders written before the marker existed lack too)",
        if n == 1 { "entry" } else { "entries" },
        names[..n.min(3)].join(", "),
        if n > 3 { ", ..." } else { "" },
    ))
}

/// An output folder being written: files go into a hidden staging folder
/// beside the target, and [`OutputFolder::publish`] puts the whole folder
/// in place at once (see the module docs). Dropped without publishing, it
/// removes the staging folder and leaves the target as it was.
#[derive(Debug)]
pub struct OutputFolder {
    target: PathBuf,
    parent: PathBuf,
    name: OsString,
    staging: PathBuf,
    force: bool,
    /// Subfolders created in the staging folder, to flush before publishing.
    dirs: Vec<PathBuf>,
    published: bool,
}

impl OutputFolder {
    /// Starts writing the output folder `target` of `kind`: checks that it
    /// may be replaced ([`check_target`]), removes the leftovers of killed
    /// runs beside it, and creates the staging folder with the marker.
    /// Missing parent folders are created.
    ///
    /// # Errors
    /// [`Error::Input`] if `target` may not be replaced; [`Error::Io`]
    /// naming the path that could not be created.
    pub fn create(target: &Path, kind: FolderKind, force: bool) -> Result<OutputFolder> {
        check_target(target, force)?;
        let (parent, name) = split(target, "--out")?;
        step("mkdir", &parent)?;
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        clean_leftovers(&parent, &name);
        let staging = parent.join(hidden_name(&name, "partial"));
        create_dir(&staging)?;
        let mut folder = OutputFolder {
            target: target.to_path_buf(),
            parent,
            name,
            staging,
            force,
            dirs: Vec::new(),
            published: false,
        };
        folder.write(MARKER, kind.marker().as_bytes())?;
        Ok(folder)
    }

    /// The staging folder, for readers of what was written so far (the
    /// reports read the plan files from it).
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The folder this one will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes the file `rel` (a relative path such as `gpx/a.gpx`; its
    /// folders are created) into the staging folder and flushes it.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path that failed (also if `rel` was written
    /// already); [`Error::Internal`] if `rel` is not a plain relative path.
    pub fn write(&mut self, rel: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
        let rel = rel.as_ref();
        if rel.as_os_str().is_empty()
            || !rel.components().all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(Error::Internal(format!(
                "output file name {} is not a plain relative path",
                rel.display()
            )));
        }
        let path = self.staging.join(rel);
        if let Some(dir) = rel.parent().filter(|d| !d.as_os_str().is_empty()) {
            let mut at = self.staging.clone();
            for c in dir.components() {
                at.push(c);
                if !self.dirs.contains(&at) {
                    create_dir(&at)?;
                    self.dirs.push(at.clone());
                }
            }
        }
        write_new(&path, |w| w.write_all(bytes))
    }

    /// Writes `files` (relative path, content) under the subfolder `sub` of
    /// the staging folder (`""` for the folder itself); `kind` marks the
    /// subfolder as an output folder of its own (a scenario's plan inside a
    /// comparison).
    ///
    /// # Errors
    /// As [`OutputFolder::write`].
    pub fn write_all(
        &mut self,
        sub: &str,
        kind: Option<FolderKind>,
        files: &[(String, Vec<u8>)],
    ) -> Result<()> {
        let base = Path::new(sub);
        if let Some(k) = kind {
            self.write(base.join(MARKER), k.marker().as_bytes())?;
        }
        for (rel, bytes) in files {
            self.write(base.join(rel), bytes)?;
        }
        Ok(())
    }

    /// Puts the staging folder in place of the target in one step and
    /// removes what it replaced (see the module docs). What cannot be done
    /// after the folder is in place (flushing the parent folder, removing
    /// the replaced one) is logged as a warning: the new folder is there,
    /// and the next run removes a leftover.
    ///
    /// # Errors
    /// [`Error::Input`] if the target changed meanwhile into something that
    /// may not be replaced; [`Error::Io`] naming the path that failed. On
    /// error the target is as it was and the staging folder is removed.
    pub fn publish(mut self) -> Result<()> {
        for d in self.dirs.iter().rev() {
            sync_dir(d)?;
        }
        sync_dir(&self.staging)?;
        check_target(&self.target, self.force)?;
        let exists = std::fs::symlink_metadata(&self.target).is_ok();
        // Where the replaced entry ends up, to be removed.
        let old = if !exists {
            rename(&self.staging, &self.target)?;
            None
        } else if exchange(&self.staging, &self.target)? {
            Some(self.staging.clone())
        } else {
            let old = self.parent.join(hidden_name(&self.name, "old"));
            rename(&self.target, &old)?;
            if let Err(e) = rename(&self.staging, &self.target) {
                let _ = std::fs::rename(&old, &self.target);
                return Err(e);
            }
            Some(old)
        };
        self.published = true;
        if let Err(e) = sync_dir(&self.parent) {
            tracing::warn!(
                "{} is written but could not be flushed to disk: {e}",
                self.target.display()
            );
        }
        if let Some(old) = old
            && let Err(e) = step("remove", &old).and_then(|()| remove_any(&old))
        {
            tracing::warn!(
                "{} is written, but the folder it replaced is left at {}: {e}; the next run \
                 writing {} removes it",
                self.target.display(),
                old.display(),
                self.target.display()
            );
        }
        Ok(())
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Exchanges `a` and `b` atomically where the system can; `Ok(false)` when
/// it cannot (then the caller falls back to two renames).
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    step("rename", a)?;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::OPNOTSUPP) => {
            Ok(false)
        }
        Err(e) => Err(Error::io(b, e.into())),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_a: &Path, _b: &Path) -> Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Runs `f` with the k-th file operation of this thread failing; returns
    /// its result and whether the fault fired.
    fn with_fault<T>(k: u64, f: impl FnOnce() -> T) -> (T, bool) {
        TEST_FAULT.set((k, 0));
        let r = f();
        let (_, n) = TEST_FAULT.get();
        TEST_FAULT.set((0, 0));
        (r, n >= k)
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn write_plan(target: &Path, content: &str, force: bool) -> Result<()> {
        let mut f = OutputFolder::create(target, FolderKind::Plan, force)?;
        f.write("summary.json", content.as_bytes())?;
        f.write("gpx/a.gpx", content.as_bytes())?;
        f.write("gpx/b.gpx", content.as_bytes())?;
        f.publish()
    }

    #[test]
    fn leftover_names_are_recognised_and_nothing_else() {
        assert_eq!(
            leftover_owner(".plan.partial-12-0abc-3", "plan"),
            Some((12, Some("0abc")))
        );
        assert_eq!(leftover_owner(".plan.old-7", "plan"), Some((7, None)));
        assert_eq!(
            leftover_owner(".a.sol.tmp-9-ff-0", "a.sol"),
            Some((9, Some("ff")))
        );
        for other in [
            "plan",
            ".plan",
            ".plan.partial",
            ".plan.partial-",
            ".plan.partial-x1",
            ".plan.partial-12-zz",
            ".plan.partial-12-ab-",
            ".plan2.partial-12",
            ".plan.notes-12",
            ".other.partial-12",
        ] {
            assert_eq!(leftover_owner(other, "plan"), None, "{other}");
        }
    }

    #[test]
    fn a_folder_replaces_only_what_wasteroute_wrote() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_plan(&out, "one", false).unwrap();
        assert_eq!(entries(&out), [MARKER, "gpx", "summary.json"]);
        write_plan(&out, "two", false).unwrap();
        assert_eq!(fs::read_to_string(out.join("gpx/b.gpx")).unwrap(), "two");
        assert_eq!(entries(tmp.path()), ["out"]);

        // A user's folder and a file are refused, and stay as they were.
        let mine = tmp.path().join("mine");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("notes.txt"), "keep").unwrap();
        let e = write_plan(&mine, "x", false).unwrap_err().to_string();
        assert!(e.contains("notes.txt") && e.contains("--force"), "{e}");
        assert!(e.contains("mine"), "{e}");
        assert_eq!(fs::read_to_string(mine.join("notes.txt")).unwrap(), "keep");
        let file = tmp.path().join("file.txt");
        fs::write(&file, "keep").unwrap();
        let e = write_plan(&file, "x", false).unwrap_err();
        assert!(e.is_input() && e.to_string().contains("is a file"), "{e}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "keep");
        assert_eq!(entries(tmp.path()), ["file.txt", "mine", "out"]);

        // With force both are replaced.
        write_plan(&mine, "forced", true).unwrap();
        assert!(!mine.join("notes.txt").exists());
        write_plan(&file, "forced", true).unwrap();
        assert!(file.join(MARKER).is_file());
        assert_eq!(entries(tmp.path()), ["file.txt", "mine", "out"]);

        // An empty folder is taken; `.` is not a folder name.
        let empty = tmp.path().join("empty");
        fs::create_dir(&empty).unwrap();
        write_plan(&empty, "x", false).unwrap();
        assert!(write_plan(Path::new("."), "x", true).is_err());
    }

    #[test]
    fn every_failing_step_leaves_the_previous_folder_whole_and_no_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_plan(&out, "old", false).unwrap();
        let mut k = 1;
        loop {
            let (r, fired) = with_fault(k, || write_plan(&out, "new", false));
            if !fired {
                r.unwrap();
                break;
            }
            let got = fs::read_to_string(out.join("gpx/b.gpx")).unwrap();
            match r {
                Err(e) => {
                    assert!(e.to_string().contains("fault injected"), "{e}");
                    assert!(
                        e.to_string().contains(&*tmp.path().to_string_lossy()),
                        "{e}"
                    );
                    assert_eq!(got, "old", "step {k}");
                    assert_eq!(entries(&out), [MARKER, "gpx", "summary.json"]);
                    assert_eq!(entries(tmp.path()), ["out"], "step {k}");
                }
                // The last steps come after the folder is in place.
                Ok(()) => {
                    assert_eq!(got, "new", "step {k}");
                    // Put back the old one for the next step.
                    for e in entries(tmp.path()) {
                        if e != "out" {
                            fs::remove_dir_all(tmp.path().join(e)).unwrap();
                        }
                    }
                    write_plan(&out, "old", false).unwrap();
                }
            }
            k += 1;
        }
        assert!(k > 10, "only {k} steps");
        assert_eq!(fs::read_to_string(out.join("gpx/a.gpx")).unwrap(), "new");
        assert_eq!(entries(tmp.path()), ["out"]);
    }

    #[test]
    fn the_leftovers_of_killed_runs_are_removed_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        // A dead process: the largest pid, or an earlier process with ours.
        let dead_pid = format!(".out.partial-{}-00000000-1", std::process::id());
        for name in [
            dead_pid.as_str(),
            ".out.old-4194304",
            ".out.tmp-4194305-ab-2",
        ] {
            fs::create_dir(d.join(name)).unwrap();
            fs::write(d.join(name).join("x"), "x").unwrap();
        }
        let keep = [".out.notes", ".out2.partial-4194304", "out.partial-4194304"];
        for name in keep {
            fs::write(d.join(name), "keep").unwrap();
        }
        write_plan(&d.join("out"), "x", false).unwrap();
        let mut want: Vec<&str> = keep.to_vec();
        want.push("out");
        want.sort();
        assert_eq!(entries(d), want);
    }

    #[test]
    fn a_single_file_is_replaced_atomically_but_never_a_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("a.sol");
        write_file(&f, b"one").unwrap();
        write_file(&f, b"two").unwrap();
        assert_eq!(fs::read(&f).unwrap(), b"two");
        let mut k = 1;
        loop {
            write_file(&f, b"two").unwrap();
            let (r, fired) = with_fault(k, || write_file(&f, b"three"));
            if !fired {
                r.unwrap();
                break;
            }
            if r.is_err() {
                assert_eq!(fs::read(&f).unwrap(), b"two", "step {k}");
            }
            assert_eq!(entries(tmp.path()), ["a.sol"], "step {k}");
            k += 1;
        }
        assert_eq!(fs::read(&f).unwrap(), b"three");
        let dir = tmp.path().join("plan");
        fs::create_dir(&dir).unwrap();
        let e = write_file(&dir, b"x").unwrap_err();
        assert!(e.is_input() && e.to_string().contains("is a folder"), "{e}");
        assert!(dir.is_dir());
    }
}
