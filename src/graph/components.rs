//! Strongly connected components (petgraph's Kosaraju).

use petgraph::graph::{DiGraph, NodeIndex};

/// Marks the vertices of the largest strongly connected component of the
/// directed graph on `n` vertices with `arcs`, and returns the marks and the
/// number of components. Ties between equal-sized components go to the one
/// holding the smallest vertex id, so the result is deterministic.
pub(crate) fn largest_scc(n: usize, arcs: impl Iterator<Item = (u32, u32)>) -> (Vec<bool>, usize) {
    let mut g: DiGraph<(), (), u32> = DiGraph::with_capacity(n, 0);
    for _ in 0..n {
        g.add_node(());
    }
    for (a, b) in arcs {
        g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
    }
    let sccs = petgraph::algo::kosaraju_scc(&g);
    let best = sccs
        .iter()
        .max_by_key(|c| {
            let min = c.iter().map(|v| v.index()).min().unwrap_or(usize::MAX);
            (c.len(), std::cmp::Reverse(min))
        })
        .cloned()
        .unwrap_or_default();
    let mut keep = vec![false; n];
    for v in best {
        keep[v.index()] = true;
    }
    (keep, sccs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_cycle_not_the_tail() {
        // 0 -> 1 -> 2 -> 0 is a cycle; 3 -> 0 hangs off it.
        let (keep, count) = largest_scc(4, [(0, 1), (1, 2), (2, 0), (3, 0)].into_iter());
        assert_eq!(keep, vec![true, true, true, false]);
        assert_eq!(count, 2);
    }

    #[test]
    fn equal_components_resolve_to_the_smallest_vertex() {
        let (keep, _) = largest_scc(4, [(2, 3), (3, 2), (0, 1), (1, 0)].into_iter());
        assert_eq!(keep, vec![true, true, false, false]);
    }
}
