//! The operator contract and the one list of operators the local search
//! runs.
//!
//! The contract follows PyVRP's operators (`pyvrp.search`: each node
//! operator has a name, says whether it `supports` a problem, `evaluate`s
//! the cost delta of its move for a pair of nodes and `apply`s it; the
//! search keeps per-operator statistics). Here a node operator is a type
//! implementing [`NodeOperator`]; the variants of one move (relocating one
//! or two clients, reversed or not; swapping 1-1, 2-1, 2-2) are parameters
//! of its type. [`NODE_OPS`] lists the node operators in the order they
//! are tried for a pair of clients, [`ROUTE_PASSES`] the route-level
//! passes run after each sweep over the clients, [`CLIENT_OP`] the
//! per-client moves of optional clients and [`PATTERN_OP`] the pattern move
//! of problems with pattern groups; the statistics and their names
//! come from these lists ([`operator_names`]).
//!
//! Every move is priced through the search's
//! [`CostEvaluator`](super::super::cost::CostEvaluator) (`LocalSearch::eval`,
//! `delta1`, `delta2`).

use super::super::data::Data;
use super::{LocalSearch, relocate, route_ops, swap, swap_star, two_opt};
use crate::model::Cost;

/// Where a node-pair move applies: U at stop `iu` of route `ru`, V at stop
/// `jv` of route `rv` (`jv` may be 0, the start depot, for moves that
/// place U first in V's route).
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    pub ru: usize,
    pub iu: usize,
    pub rv: usize,
    pub jv: usize,
}

/// The outcome of evaluating a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Eval {
    /// The move does not exist at these positions (not counted).
    Invalid,
    /// Evaluated, and shown by a bound not to improve.
    Pruned,
    /// The exact cost change.
    Delta(Cost),
}

impl From<Option<Cost>> for Eval {
    /// `None` of a valid move: pruned.
    fn from(d: Option<Cost>) -> Eval {
        d.map_or(Eval::Pruned, Eval::Delta)
    }
}

/// A move on a pair of positions (see the module documentation).
pub(crate) trait NodeOperator {
    /// The name in the statistics.
    fn name(&self) -> &'static str;
    /// Whether the operator can change anything on problems like `d`; an
    /// unsupported operator is left out of the search.
    fn supports(&self, d: &Data) -> bool {
        let _ = d;
        true
    }
    /// Whether the move for (U, V) equals the move for (V, U): the search
    /// then tries it only for U <= V.
    fn symmetric(&self) -> bool {
        false
    }
    /// The cost change of the move at `at` (unless `ls.exact`, `Pruned`
    /// when a bound shows it cannot improve).
    fn evaluate(&self, ls: &LocalSearch, at: At) -> Eval;
    /// Applies the move at `at` (which `evaluate` found valid).
    fn apply(&self, ls: &mut LocalSearch, at: At);
}

/// The node operators, one variant per entry of [`NODE_OPS`] (enum
/// dispatch keeps the search loop free of allocations and indirect calls).
#[derive(Debug, Clone, Copy)]
pub(crate) enum NodeOp {
    Relocate1(relocate::Relocate<1, false>),
    Relocate2(relocate::Relocate<2, false>),
    Relocate2Reversed(relocate::Relocate<2, true>),
    Swap11(swap::Swap<1, 1>),
    Swap21(swap::Swap<2, 1>),
    Swap22(swap::Swap<2, 2>),
    TwoOpt(two_opt::TwoOpt),
    TwoOptStarReversed(two_opt::TwoOptStarReversed),
    TwoOptStar(two_opt::TwoOptStar),
}

macro_rules! each_op {
    ($self:expr, $o:ident => $e:expr) => {
        match $self {
            NodeOp::Relocate1($o) => $e,
            NodeOp::Relocate2($o) => $e,
            NodeOp::Relocate2Reversed($o) => $e,
            NodeOp::Swap11($o) => $e,
            NodeOp::Swap21($o) => $e,
            NodeOp::Swap22($o) => $e,
            NodeOp::TwoOpt($o) => $e,
            NodeOp::TwoOptStarReversed($o) => $e,
            NodeOp::TwoOptStar($o) => $e,
        }
    };
}

impl NodeOperator for NodeOp {
    fn name(&self) -> &'static str {
        each_op!(self, o => o.name())
    }
    fn supports(&self, d: &Data) -> bool {
        each_op!(self, o => o.supports(d))
    }
    #[inline(always)]
    fn symmetric(&self) -> bool {
        each_op!(self, o => o.symmetric())
    }
    #[inline(always)]
    fn evaluate(&self, ls: &LocalSearch, at: At) -> Eval {
        each_op!(self, o => o.evaluate(ls, at))
    }
    fn apply(&self, ls: &mut LocalSearch, at: At) {
        each_op!(self, o => o.apply(ls, at))
    }
}

/// The node operators in the order they are tried for a pair of clients
/// (the first improving move is applied). An operator whose move does not
/// exist at a pair (2-opt across routes, 2-opt* inside one, a swap with
/// the start depot) reports `Invalid` there.
pub(crate) const NODE_OPS: [NodeOp; 9] = [
    NodeOp::Relocate1(relocate::Relocate),
    NodeOp::Relocate2(relocate::Relocate),
    NodeOp::Relocate2Reversed(relocate::Relocate),
    NodeOp::Swap11(swap::Swap),
    NodeOp::Swap21(swap::Swap),
    NodeOp::Swap22(swap::Swap),
    NodeOp::TwoOpt(two_opt::TwoOpt),
    NodeOp::TwoOptStarReversed(two_opt::TwoOptStarReversed),
    NodeOp::TwoOptStar(two_opt::TwoOptStar),
];

/// The route-level passes, run in this order after each sweep over the
/// clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoutePass {
    /// SWAP* between routes whose sectors overlap (`swap_star`).
    SwapStar,
    /// Unload placement, facility choice and break placement (`route_ops`).
    RouteOps,
}

/// The route-level passes in the order they run.
pub(crate) const ROUTE_PASSES: [RoutePass; 2] = [RoutePass::SwapStar, RoutePass::RouteOps];

impl RoutePass {
    /// The name in the statistics.
    pub fn name(self) -> &'static str {
        match self {
            RoutePass::SwapStar => "swap*",
            RoutePass::RouteOps => "route-ops",
        }
    }

    /// Whether the pass can change anything on problems like `d`: SWAP*
    /// needs client coordinates (sectors), the route operators unloads or
    /// breaks.
    pub fn supports(self, d: &Data) -> bool {
        match self {
            RoutePass::SwapStar => d.angle.is_some(),
            RoutePass::RouteOps => {
                let f = d.problem.features();
                f.reloads || f.breaks
            }
        }
    }

    /// Runs the pass over the routes changed since its last run (all of
    /// them if `first`); true if a move was applied. Counts into
    /// `ls.stats[slot]`.
    pub fn run(self, ls: &mut LocalSearch, first: bool, slot: usize) -> bool {
        match self {
            RoutePass::SwapStar => swap_star::run_pass(ls, first, slot),
            RoutePass::RouteOps => route_ops::run_pass(ls, first, slot),
        }
    }
}

/// The per-client moves of optional clients (serve an unserved client,
/// drop a served optional one): its name in the statistics.
pub(crate) const CLIENT_OP: &str = "optional";

/// Whether the per-client moves run on problems like `d`.
pub(crate) fn client_op_supported(d: &Data) -> bool {
    d.problem.features().optional
}

/// The pattern move of problems with pattern groups (`pattern`: a group
/// changes the pattern its visits follow, priced across every day it
/// touches): its name in the statistics. It runs after each sweep over the
/// clients, before the route passes.
pub(crate) const PATTERN_OP: &str = "pattern";

/// Whether the pattern move runs on problems like `d`.
pub(crate) fn pattern_op_supported(d: &Data) -> bool {
    d.grouped()
}

/// The name of every statistics slot: the node operators, the route
/// passes, the client moves, then the pattern move.
pub(crate) fn operator_names() -> impl Iterator<Item = &'static str> {
    NODE_OPS
        .iter()
        .map(|o| o.name())
        .chain(ROUTE_PASSES.iter().map(|p| p.name()))
        .chain([CLIENT_OP, PATTERN_OP])
}

/// The statistics slot of route pass `k` of [`ROUTE_PASSES`].
pub(crate) const fn pass_slot(k: usize) -> usize {
    NODE_OPS.len() + k
}

/// The statistics slot of the client moves.
pub(crate) const CLIENT_SLOT: usize = NODE_OPS.len() + ROUTE_PASSES.len();

/// The statistics slot of the pattern move.
pub(crate) const PATTERN_SLOT: usize = CLIENT_SLOT + 1;

/// Number of statistics slots.
pub(crate) const N_SLOTS: usize = PATTERN_SLOT + 1;
