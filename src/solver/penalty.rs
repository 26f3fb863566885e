//! Penalty weights adapted toward a target share of feasible solutions
//! (Vidal et al. 2012): every `window` solutions, each weight (load, time,
//! distance) grows if too few of them respected that rule and shrinks if
//! too many did. The genetic search and the iterated local search use the
//! same mechanism with their own rule.

use super::cost::Penalties;
use crate::model::LOAD_DIMS;

/// How the weights move.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    /// Solutions between two adaptations.
    pub window: usize,
    /// Target share of solutions that respect a rule.
    pub target: f64,
    /// Factor when the share is below target - 0.05.
    pub up: f64,
    /// Factor when the share is above target + 0.05.
    pub down: f64,
    /// Double (instead of `up`) a weight under which no solution of the
    /// window respected its rule.
    pub double_when_none: bool,
}

/// The current weights, their bounds and the feasibility of recent solutions.
pub(crate) struct PenaltyManager {
    pub pen: Penalties,
    lo: Penalties,
    hi: Penalties,
    rule: Rule,
    /// Per recent solution: load, time and distance rules respected.
    seen: Vec<(bool, bool, bool)>,
}

impl PenaltyManager {
    pub fn new(pen: Penalties, lo: Penalties, hi: Penalties, rule: Rule) -> PenaltyManager {
        PenaltyManager {
            pen,
            lo,
            hi,
            rule,
            seen: Vec::with_capacity(rule.window),
        }
    }

    /// Records a solution's feasibility flags (`Individual::excess_flags`);
    /// at the end of a window adapts the weights and returns the feasible
    /// shares (load, time, distance).
    pub fn register(&mut self, flags: (bool, bool, bool)) -> Option<[f64; 3]> {
        self.seen.push(flags);
        if self.seen.len() < self.rule.window {
            return None;
        }
        let n = self.seen.len() as f64;
        let share = |f: fn(&(bool, bool, bool)) -> bool| {
            self.seen.iter().filter(|h| f(h)).count() as f64 / n
        };
        let shares = [share(|h| h.0), share(|h| h.1), share(|h| h.2)];
        self.seen.clear();
        let r = self.rule;
        let step = |w: &mut f64, s: f64, lo: f64, hi: f64| {
            if s < r.target - 0.05 {
                let up = if r.double_when_none && s == 0.0 {
                    2.0
                } else {
                    r.up
                };
                *w = (*w * up).min(hi);
            } else if s > r.target + 0.05 {
                *w = (*w * r.down).max(lo);
            }
        };
        let (p, lo, hi) = (&mut self.pen, &self.lo, &self.hi);
        for k in 0..LOAD_DIMS {
            step(&mut p.load[k], shares[0], lo.load[k], hi.load[k]);
        }
        step(&mut p.time, shares[1], lo.time, hi.time);
        step(&mut p.dist, shares[2], lo.dist, hi.dist);
        Some(shares)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_move_toward_the_target_within_bounds() {
        let p = |x: f64| Penalties {
            load: [x, x],
            time: x,
            dist: x,
        };
        let rule = Rule {
            window: 4,
            target: 0.5,
            up: 1.5,
            down: 0.5,
            double_when_none: true,
        };
        let mut m = PenaltyManager::new(p(10.0), p(4.0), p(25.0), rule);
        // Load never respected (doubles), time always (shrinks), distance
        // half the time (stays).
        for k in 0..3 {
            assert_eq!(m.register((false, true, k % 2 == 0)), None);
        }
        assert_eq!(m.register((false, true, false)), Some([0.0, 1.0, 0.5]));
        assert_eq!((m.pen.load[0], m.pen.time, m.pen.dist), (20.0, 5.0, 10.0));
        for _ in 0..4 {
            m.register((false, true, true));
        }
        // Bounded: 40 -> 25, 2.5 -> 4; distance always respected now.
        assert_eq!((m.pen.load[1], m.pen.time, m.pen.dist), (25.0, 4.0, 5.0));
    }
}
