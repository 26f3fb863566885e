//! The population of the genetic search: a feasible and an infeasible
//! subpopulation, each ranked by biased fitness (cost rank plus diversity
//! rank, Vidal et al. 2012, "A hybrid genetic algorithm for multidepot and
//! periodic vehicle routing problems", OR 60(3)), with survivor selection
//! that removes clones and the worst individuals first.

use super::cost::Penalties;
use super::data::Data;
use super::individual::Individual;
use super::params::SolveParams;
use super::rng::Rng;

struct Entry {
    ind: Individual,
    /// Distances to the other members, ascending: (distance, member id).
    near: Vec<(f64, u64)>,
    id: u64,
    fitness: f64,
}

#[derive(Default)]
struct SubPop {
    members: Vec<Entry>,
}

impl SubPop {
    fn add(&mut self, ind: Individual, id: u64) {
        let mut near = Vec::with_capacity(self.members.len());
        for m in &mut self.members {
            let dist = ind.distance(&m.ind);
            insert_sorted(&mut m.near, (dist, id));
            near.push((dist, m.id));
        }
        near.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        self.members.push(Entry {
            ind,
            near,
            id,
            fitness: 0.0,
        });
    }

    fn remove_at(&mut self, k: usize) {
        let gone = self.members.swap_remove(k);
        for m in &mut self.members {
            if let Some(p) = m.near.iter().position(|&(_, id)| id == gone.id) {
                m.near.remove(p);
            }
        }
    }

    /// Biased fitness of every member (lower is better).
    fn update_fitness(&mut self, n_close: usize, n_elite: usize) {
        let n = self.members.len();
        if n == 0 {
            return;
        }
        if n == 1 {
            self.members[0].fitness = 0.0;
            return;
        }
        // Rank by cost (ties by id for determinism), then by diversity.
        let mut by_cost: Vec<usize> = (0..n).collect();
        by_cost.sort_by_key(|&k| (self.members[k].ind.cost, self.members[k].id));
        let diversity: Vec<f64> = self
            .members
            .iter()
            .map(|m| {
                let k = n_close.min(m.near.len()).max(1);
                m.near.iter().take(k).map(|x| x.0).sum::<f64>() / k as f64
            })
            .collect();
        let mut by_div: Vec<usize> = (0..n).collect();
        // Most diverse first.
        by_div.sort_by(|&a, &b| {
            diversity[b]
                .partial_cmp(&diversity[a])
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(self.members[a].id.cmp(&self.members[b].id))
        });
        let mut div_rank = vec![0usize; n];
        for (r, &k) in by_div.iter().enumerate() {
            div_rank[k] = r;
        }
        let elite_weight = 1.0 - n_elite.min(n) as f64 / n as f64;
        for (r, &k) in by_cost.iter().enumerate() {
            let fc = r as f64 / (n - 1) as f64;
            let fd = div_rank[k] as f64 / (n - 1) as f64;
            self.members[k].fitness = fc + elite_weight * fd;
        }
    }

    /// Removes members until `mu` remain: clones first, then the worst fitness.
    fn select_survivors(&mut self, mu: usize, n_close: usize, n_elite: usize) {
        while self.members.len() > mu {
            self.update_fitness(n_close, n_elite);
            let clone = self
                .members
                .iter()
                .position(|m| m.near.first().is_some_and(|x| x.0 < 1e-9));
            let k = clone.unwrap_or_else(|| {
                (0..self.members.len())
                    .max_by(|&a, &b| {
                        self.members[a]
                            .fitness
                            .partial_cmp(&self.members[b].fitness)
                            .unwrap_or(std::cmp::Ordering::Equal)
                            .then(self.members[a].id.cmp(&self.members[b].id))
                    })
                    .unwrap_or(0)
            });
            self.remove_at(k);
        }
        self.update_fitness(n_close, n_elite);
    }
}

fn insert_sorted(v: &mut Vec<(f64, u64)>, x: (f64, u64)) {
    let p = v.partition_point(|y| y.0 < x.0 || (y.0 == x.0 && y.1 < x.1));
    v.insert(p, x);
}

/// Both subpopulations and the best feasible solution found so far.
pub(crate) struct Population {
    feasible: SubPop,
    infeasible: SubPop,
    next_id: u64,
    pub best: Option<Individual>,
    mu: usize,
    lambda: usize,
    n_close: usize,
    n_elite: usize,
}

impl Population {
    pub fn new(params: &SolveParams) -> Population {
        Population {
            feasible: SubPop::default(),
            infeasible: SubPop::default(),
            next_id: 0,
            best: None,
            mu: params.mu,
            lambda: params.lambda,
            n_close: params.n_close,
            n_elite: params.n_elite,
        }
    }

    pub fn len(&self) -> usize {
        self.feasible.members.len() + self.infeasible.members.len()
    }

    /// Adds an individual; returns true if it is a new best feasible solution.
    pub fn add(&mut self, ind: Individual) -> bool {
        let id = self.next_id;
        self.next_id += 1;
        let mut improved = false;
        if ind.feasible {
            if self.best.as_ref().is_none_or(|b| ind.cost < b.cost) {
                self.best = Some(ind.clone());
                improved = true;
            }
            self.feasible.add(ind, id);
            if self.feasible.members.len() > self.mu + self.lambda {
                self.feasible
                    .select_survivors(self.mu, self.n_close, self.n_elite);
            }
        } else {
            self.infeasible.add(ind, id);
            if self.infeasible.members.len() > self.mu + self.lambda {
                self.infeasible
                    .select_survivors(self.mu, self.n_close, self.n_elite);
            }
        }
        improved
    }

    /// Re-prices the infeasible members after a penalty change.
    pub fn reprice(&mut self, d: &Data, pen: &Penalties) {
        for m in &mut self.infeasible.members {
            m.ind.reprice(d, pen);
        }
    }

    /// Binary tournament on biased fitness over both subpopulations.
    pub fn select(&mut self, rng: &mut Rng) -> &Individual {
        self.feasible.update_fitness(self.n_close, self.n_elite);
        self.infeasible.update_fitness(self.n_close, self.n_elite);
        let nf = self.feasible.members.len();
        let total = self.len();
        let pick = |k: usize| -> (f64, u64) {
            let e = if k < nf {
                &self.feasible.members[k]
            } else {
                &self.infeasible.members[k - nf]
            };
            (e.fitness, e.id)
        };
        let a = rng.index(total);
        let b = rng.index(total);
        let k = if pick(a) <= pick(b) { a } else { b };
        if k < nf {
            &self.feasible.members[k].ind
        } else {
            &self.infeasible.members[k - nf].ind
        }
    }

    /// Forgets everything but the best solution (a restart).
    pub fn clear(&mut self) {
        self.feasible.members.clear();
        self.infeasible.members.clear();
    }

    /// The cheapest member under the current penalties, feasible or not.
    pub fn best_any(&self) -> Option<&Individual> {
        self.feasible
            .members
            .iter()
            .chain(self.infeasible.members.iter())
            .map(|m| &m.ind)
            .min_by_key(|i| i.cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Route, Visit};
    use crate::solver::testutil::line;

    const PEN: Penalties = Penalties::uniform(100.0);

    fn route(clients: &[usize]) -> Route {
        Route {
            vehicle_type: 0,
            visits: clients.iter().map(|&c| Visit::Client(c)).collect(),
        }
    }

    fn ind(d: &Data, routes: &[&[usize]]) -> Individual {
        Individual::new(
            d,
            routes.iter().map(|r| route(r)).collect(),
            Vec::new(),
            &PEN,
        )
    }

    fn params(mu: usize, lambda: usize) -> SolveParams {
        SolveParams {
            mu,
            lambda,
            n_close: 2,
            n_elite: 1,
            ..SolveParams::default()
        }
    }

    #[test]
    fn broken_pairs_distance_counts_the_clients_whose_neighbours_differ() {
        let p = line(4, 1, 4, 2);
        let d = Data::new(&p, 3);
        let a = ind(&d, &[&[0, 1], &[2, 3]]);
        let b = ind(&d, &[&[0, 2], &[1, 3]]);
        assert_eq!(a.distance(&a), 0.0);
        // Client 0 is followed by 1 in `a`, but neighbours the depot and 2
        // in `b`; client 2 is followed by 3 in `a`, but neighbours 0 and
        // the depot in `b`. Clients 1 and 3 end their routes in both
        // (followed by the depot, a neighbour in `b` too): 2 of 4 differ.
        assert_eq!(a.distance(&b), 0.5);
        // The same routes in the other direction share every neighbour.
        let r = ind(&d, &[&[1, 0], &[3, 2]]);
        assert_eq!(a.distance(&r), 0.0);
    }

    #[test]
    fn feasible_and_infeasible_individuals_go_to_their_own_subpopulation() {
        let p = line(4, 1, 4, 2);
        let d = Data::new(&p, 3);
        let mut pop = Population::new(&params(3, 2));
        let ok = ind(&d, &[&[0, 1], &[2, 3]]);
        let over = ind(&d, &[&[0, 1, 2, 3]]);
        assert!(ok.feasible && !over.feasible);
        assert!(pop.add(ok.clone()), "the first feasible one is a new best");
        assert!(!pop.add(over.clone()));
        assert_eq!(pop.feasible.members.len(), 1);
        assert_eq!(pop.infeasible.members.len(), 1);
        assert_eq!(pop.len(), 2);
        // The best is the feasible one, though the overloaded route may be
        // cheaper under light penalties.
        assert_eq!(pop.best.as_ref().map(|b| b.cost), Some(ok.cost));
        // A worse feasible individual is no new best; a better one is.
        assert!(!pop.add(ind(&d, &[&[0, 2], &[1, 3]])));
        assert!(pop.best_any().is_some());
        pop.clear();
        assert_eq!(pop.len(), 0);
        assert!(pop.best.is_some(), "a restart keeps the best solution");
    }

    #[test]
    fn survivor_selection_culls_to_mu_and_removes_clones_first() {
        let p = line(6, 1, 6, 2);
        let d = Data::new(&p, 5);
        let mut pop = Population::new(&params(3, 2));
        let distinct: [&[&[usize]]; 5] = [
            &[&[0, 1], &[2, 3], &[4, 5]],
            &[&[0, 2], &[1, 3], &[4, 5]],
            &[&[0, 1], &[2, 4], &[3, 5]],
            &[&[0, 5], &[1, 2], &[3, 4]],
            &[&[0, 3], &[1, 4], &[2, 5]],
        ];
        let all: Vec<Individual> = distinct.iter().map(|r| ind(&d, r)).collect();
        let cheapest = all.iter().map(|i| i.cost).min();
        for i in &all {
            assert!(i.feasible);
            pop.add(i.clone());
        }
        assert_eq!(pop.feasible.members.len(), 5, "mu + lambda are kept");
        // A clone of the last one makes six: culled back to mu = 3, the
        // clone pair first (one of them goes), then the worst fitness.
        pop.add(all[4].clone());
        let members = &pop.feasible.members;
        assert_eq!(members.len(), 3);
        for (k, a) in members.iter().enumerate() {
            for b in &members[k + 1..] {
                assert!(a.ind.distance(&b.ind) > 0.0, "a clone survived");
            }
        }
        // The cheapest individual has the best cost rank; with one elite
        // it survives whatever its diversity.
        assert!(members.iter().any(|m| Some(m.ind.cost) == cheapest));
        assert_eq!(pop.best.as_ref().map(|b| b.cost), cheapest);
    }

    #[test]
    fn biased_fitness_ranks_cost_and_diversity() {
        let p = line(6, 1, 6, 2);
        let d = Data::new(&p, 5);
        let mut sub = SubPop::default();
        let a = ind(&d, &[&[0, 1], &[2, 3], &[4, 5]]);
        let b = ind(&d, &[&[0, 5], &[1, 2], &[3, 4]]);
        let c = ind(&d, &[&[0, 3], &[1, 4], &[2, 5]]);
        for (k, i) in [a, b, c].into_iter().enumerate() {
            sub.add(i, k as u64);
        }
        sub.update_fitness(2, 1);
        // Every fitness is a cost rank plus a weighted diversity rank, in
        // [0, 1 + 2/3]; the cheapest member has cost rank 0.
        let best = (0..3)
            .min_by_key(|&k| (sub.members[k].ind.cost, sub.members[k].id))
            .unwrap();
        for m in &sub.members {
            assert!((0.0..=1.0 + 2.0 / 3.0 + 1e-9).contains(&m.fitness));
        }
        assert!(sub.members[best].fitness <= 2.0 / 3.0 + 1e-9);
        // Distances are kept sorted for every member.
        for m in &sub.members {
            assert_eq!(m.near.len(), 2);
            assert!(m.near[0].0 <= m.near[1].0);
        }
    }
}
