//! Parameters of the genetic search. The defaults are those of HGS-CVRP
//! (Vidal 2022, Table 2) unless a comment says otherwise.

use serde::{Deserialize, Serialize};

/// Offspring between two penalty adaptations in HGS-CVRP.
pub(crate) const HGS_PENALTY_WINDOW: usize = 100;

/// The metaheuristic around the local search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Hybrid genetic search (Vidal 2022): a population of solutions,
    /// crossover and Split. Best at reducing the number of vehicles of a
    /// mixed fleet with fixed costs: the default for plans.
    Hgs,
    /// Iterated local search (PyVRP 0.14's scheme, see the `ils` module):
    /// small perturbations repaired by a local search around them, late
    /// acceptance. Thousands of steps per second on a thousand clients: the
    /// default for CVRP and the Kim benchmark.
    Ils,
}

/// Parameters of [`solve`](super::solve).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SolveParams {
    /// The metaheuristic.
    pub method: Method,
    /// Seed of the random generator: same seed, same threads, same
    /// iterations give the same solution.
    pub seed: u64,
    /// Worker threads generating offspring in parallel (results are merged
    /// in a fixed order, so the outcome depends on this number, not on timing).
    pub threads: usize,
    /// Number of granular neighbours per client.
    pub n_granular: usize,
    /// Minimum subpopulation size.
    pub mu: usize,
    /// Generation size: a subpopulation is culled back to `mu` when it
    /// reaches `mu + lambda`.
    pub lambda: usize,
    /// Elite individuals protected by the biased fitness.
    pub n_elite: usize,
    /// Closest individuals used to measure diversity.
    pub n_close: usize,
    /// Target share of feasible offspring for the penalty adaptation.
    pub target_feasible: f64,
    /// Probability of repairing an infeasible offspring (local search with
    /// penalties times ten).
    pub repair_probability: f64,
    /// Offspring between two adaptations of the penalty weights, genetic
    /// search only (HGS-CVRP: 100). A budget of only a few hundred slow
    /// offspring may need a shorter window to reach the right weights in
    /// time; below 100, a weight under which no offspring of the window was
    /// feasible also doubles instead of growing by 20 %.
    pub penalty_window: usize,
    /// Iterations without improvement before the population restarts.
    pub restart_after: u64,
    /// Size of the initial population (HGS-CVRP: 4 x mu). Large instances
    /// use fewer (see `initial_population_for`) so that a short time limit
    /// is not spent on random starts.
    pub initial_population: usize,
}

impl Default for SolveParams {
    fn default() -> Self {
        SolveParams {
            method: Method::Ils,
            seed: 1,
            threads: 1,
            n_granular: 20,
            mu: 25,
            lambda: 40,
            n_elite: 4,
            n_close: 5,
            target_feasible: 0.2,
            repair_probability: 0.5,
            penalty_window: HGS_PENALTY_WINDOW,
            restart_after: 20_000,
            initial_population: 100,
        }
    }
}

/// The fields of [`SolveParams`] that both methods read.
pub const COMMON_FIELDS: [&str; 4] = ["method", "seed", "threads", "n_granular"];

/// The fields of [`SolveParams`] that only the genetic search
/// ([`Method::Hgs`]) reads; the iterated local search ignores them.
pub const HGS_FIELDS: [&str; 9] = [
    "mu",
    "lambda",
    "n_elite",
    "n_close",
    "target_feasible",
    "repair_probability",
    "penalty_window",
    "restart_after",
    "initial_population",
];

impl Method {
    /// The name used in parameter files.
    pub fn name(self) -> &'static str {
        match self {
            Method::Hgs => "hgs",
            Method::Ils => "ils",
        }
    }

    /// Whether this method reads the [`SolveParams`] field `field`.
    pub fn uses(self, field: &str) -> bool {
        COMMON_FIELDS.contains(&field) || (self == Method::Hgs && HGS_FIELDS.contains(&field))
    }
}

impl SolveParams {
    /// Defaults for waste-collection plans: routes are long (a hundred
    /// stops and more), so each local search is costly and a short day's
    /// budget buys few generations. A smaller population spends less of it
    /// on random starts and lets crossover begin sooner.
    pub fn for_plans() -> SolveParams {
        SolveParams {
            method: Method::Hgs,
            mu: 12,
            lambda: 20,
            initial_population: 16,
            ..SolveParams::default()
        }
    }

    /// Checks the values.
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] naming the first bad field.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |f: &str, why: &str| {
            Err(crate::Error::Invalid(format!(
                "solver parameter '{f}': {why}"
            )))
        };
        if self.threads == 0 {
            return bad("threads", "must be at least 1");
        }
        if self.mu == 0 || self.lambda == 0 {
            return bad("mu/lambda", "must be at least 1");
        }
        if self.n_granular == 0 {
            return bad("n_granular", "must be at least 1");
        }
        if !(0.0..=1.0).contains(&self.target_feasible) {
            return bad("target_feasible", "must be in [0, 1]");
        }
        if !(0.0..=1.0).contains(&self.repair_probability) {
            return bad("repair_probability", "must be in [0, 1]");
        }
        if self.penalty_window == 0 {
            return bad("penalty_window", "must be at least 1");
        }
        if self.initial_population == 0 {
            return bad("initial_population", "must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_classified_by_the_methods_that_read_it() {
        let v = serde_json::to_value(SolveParams::default()).unwrap();
        let fields: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        for f in &fields {
            assert!(
                COMMON_FIELDS.contains(f) ^ HGS_FIELDS.contains(f),
                "field '{f}': add it to COMMON_FIELDS or HGS_FIELDS"
            );
        }
        assert_eq!(fields.len(), COMMON_FIELDS.len() + HGS_FIELDS.len());
        assert!(Method::Hgs.uses("mu") && !Method::Ils.uses("mu"));
        assert!(Method::Ils.uses("n_granular"));
    }
}
