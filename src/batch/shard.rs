//! Which districts a shard takes: shard `I` of `N` takes the districts at
//! positions `p` (0-based, in the manifest's order) with `p mod N = I`.
//!
//! The index and count come from `--shard-index` / `--shard-count`, else
//! from the engine running the shard: a Kubernetes Indexed Job sets
//! `JOB_COMPLETION_INDEX` (the count is then `--shard-count`, the Job's
//! `completions`), a Slurm job array `SLURM_ARRAY_TASK_ID` and
//! `SLURM_ARRAY_TASK_COUNT` (the index counted from
//! `SLURM_ARRAY_TASK_MIN`, so `--array=1-4` works as `--array=0-3`). With
//! none of them the shard is the whole manifest (0 of 1).

use crate::error::{Error, Location, Result};

/// Kubernetes Indexed Jobs: the index of the pod's completion.
pub const ENV_K8S_INDEX: &str = "JOB_COMPLETION_INDEX";
/// Slurm job arrays: the task's id.
pub const ENV_SLURM_ID: &str = "SLURM_ARRAY_TASK_ID";
/// Slurm job arrays: the number of tasks.
pub const ENV_SLURM_COUNT: &str = "SLURM_ARRAY_TASK_COUNT";
/// Slurm job arrays: the smallest task id.
pub const ENV_SLURM_MIN: &str = "SLURM_ARRAY_TASK_MIN";

/// A shard of the manifest: index `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index, below `count`.
    pub index: usize,
    /// Number of shards, at least 1.
    pub count: usize,
    /// Where the index came from (a flag or an environment variable).
    pub source: &'static str,
}

impl Shard {
    /// The whole manifest.
    pub const ALL: Shard = Shard {
        index: 0,
        count: 1,
        source: "default",
    };

    /// The shard from the flags, else from the environment (`env` looks a
    /// variable up; [`std::env::var`] in the command line).
    ///
    /// # Errors
    /// [`Error::Input`] naming the flag or variable: an index without a
    /// count, a count of 0, an index not below the count, a variable that
    /// is not a whole number.
    pub fn resolve(
        index: Option<usize>,
        count: Option<usize>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Shard> {
        let bad =
            |field: &str, msg: String| Error::input(Location::default().with_field(field), msg);
        let number = |var: &'static str| -> Result<Option<usize>> {
            match env(var) {
                None => Ok(None),
                Some(v) if v.trim().is_empty() => Ok(None),
                Some(v) => v.trim().parse::<usize>().map(Some).map_err(|_| {
                    bad(
                        var,
                        format!("expected a whole number of at least 0, found '{v}'"),
                    )
                }),
            }
        };
        let (index, count, source, count_field) = match (index, count) {
            (Some(i), Some(n)) => (i, n, "--shard-index", "--shard-count"),
            (Some(_), None) => {
                return Err(bad("--shard-index", "give --shard-count with it".into()));
            }
            (None, count) => {
                if let Some(i) = number(ENV_K8S_INDEX)? {
                    let n = count.ok_or_else(|| {
                        bad(
                            "--shard-count",
                            format!(
                                "{ENV_K8S_INDEX} is set ({i}) but the number of shards is not: \
                                 give --shard-count (the Indexed Job's completions)"
                            ),
                        )
                    })?;
                    (i, n, ENV_K8S_INDEX, "--shard-count")
                } else if let Some(id) = number(ENV_SLURM_ID)? {
                    let min = number(ENV_SLURM_MIN)?.unwrap_or(0);
                    let i = id.checked_sub(min).ok_or_else(|| {
                        bad(
                            ENV_SLURM_ID,
                            format!("{id} is below {ENV_SLURM_MIN} ({min})"),
                        )
                    })?;
                    let (n, field) = match count {
                        Some(n) => (n, "--shard-count"),
                        None => (
                            number(ENV_SLURM_COUNT)?.ok_or_else(|| {
                                bad(
                                    ENV_SLURM_COUNT,
                                    format!("{ENV_SLURM_ID} is set but {ENV_SLURM_COUNT} is not; give --shard-count"),
                                )
                            })?,
                            ENV_SLURM_COUNT,
                        ),
                    };
                    (i, n, ENV_SLURM_ID, field)
                } else {
                    match count {
                        None | Some(1) => return Ok(Shard::ALL),
                        Some(_) => {
                            return Err(bad(
                                "--shard-index",
                                format!(
                                    "--shard-count is given but not the index: give --shard-index, \
                                     or run under a Kubernetes Indexed Job ({ENV_K8S_INDEX}) or a \
                                     Slurm array ({ENV_SLURM_ID})"
                                ),
                            ));
                        }
                    }
                }
            }
        };
        if count == 0 {
            return Err(bad(count_field, "must be at least 1".into()));
        }
        if index >= count {
            return Err(bad(
                source,
                format!("shard index {index} is not below the number of shards {count}"),
            ));
        }
        Ok(Shard {
            index,
            count,
            source,
        })
    }

    /// Whether this shard takes the district at 0-based `position`.
    pub fn takes(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_err;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn shards_take_positions_modulo_their_count_and_cover_everything_once() {
        for n in 1..5 {
            for p in 0..11 {
                let takers = (0..n)
                    .filter(|&i| {
                        Shard {
                            index: i,
                            count: n,
                            source: "t",
                        }
                        .takes(p)
                    })
                    .count();
                assert_eq!(takers, 1);
            }
        }
        let s = Shard::resolve(Some(1), Some(3), &env(&[])).unwrap();
        assert!(s.takes(1) && s.takes(4) && !s.takes(0) && !s.takes(2));
    }

    #[test]
    fn flags_then_kubernetes_then_slurm_then_everything() {
        let none = env(&[]);
        assert_eq!(Shard::resolve(None, None, &none).unwrap(), Shard::ALL);
        let k8s = env(&[
            (ENV_K8S_INDEX, "2"),
            (ENV_SLURM_ID, "0"),
            (ENV_SLURM_COUNT, "9"),
        ]);
        let s = Shard::resolve(None, Some(3), &k8s).unwrap();
        assert_eq!((s.index, s.count, s.source), (2, 3, ENV_K8S_INDEX));
        let s = Shard::resolve(Some(0), Some(2), &k8s).unwrap();
        assert_eq!((s.index, s.count), (0, 2));
        assert_err(
            Shard::resolve(None, None, &k8s),
            &["--shard-count", ENV_K8S_INDEX],
        );
        let slurm = env(&[
            (ENV_SLURM_ID, "5"),
            (ENV_SLURM_MIN, "4"),
            (ENV_SLURM_COUNT, "3"),
        ]);
        let s = Shard::resolve(None, None, &slurm).unwrap();
        assert_eq!((s.index, s.count, s.source), (1, 3, ENV_SLURM_ID));
    }

    #[test]
    fn bad_shards_are_refused_naming_the_flag_or_variable() {
        let none = env(&[]);
        for (i, n, field) in [
            (Some(2), Some(2), "--shard-index"),
            (Some(0), Some(0), "--shard-count"),
            (Some(0), None, "--shard-index"),
            (None, Some(2), "--shard-index"),
        ] {
            let e = Shard::resolve(i, n, &none).unwrap_err();
            assert!(e.is_input() && e.to_string().contains(field), "{e}");
        }
        assert_err(
            Shard::resolve(None, Some(2), &env(&[(ENV_K8S_INDEX, "x")])),
            &[ENV_K8S_INDEX, "'x'"],
        );
        assert_err(
            Shard::resolve(
                None,
                None,
                &env(&[(ENV_SLURM_ID, "3"), (ENV_SLURM_COUNT, "3")]),
            ),
            &[ENV_SLURM_ID, "not below"],
        );
    }
}
