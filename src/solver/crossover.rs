//! Ordered crossover (OX) on giant tours (Oliver, Smith & Holland 1987), the
//! crossover of HGS-CVRP: a random slice of the first parent's tour is kept in
//! place, and the remaining clients follow in the order of the second parent.

use super::rng::Rng;

/// Writes the child of tours `a` and `b` (permutations of the same clients)
/// into `out`. `n_clients` bounds the client indices.
pub(crate) fn ordered(
    a: &[usize],
    b: &[usize],
    n_clients: usize,
    rng: &mut Rng,
    out: &mut Vec<usize>,
) {
    let n = a.len();
    out.clear();
    if n == 0 {
        return;
    }
    let start = rng.index(n);
    let mut end = rng.index(n);
    while n > 1 && end == start {
        end = rng.index(n);
    }
    let mut taken = vec![false; n_clients];
    let mut child = vec![usize::MAX; n];
    let len = (end + n - start) % n + 1;
    for k in 0..len {
        let j = (start + k) % n;
        child[j] = a[j];
        taken[a[j]] = true;
    }
    let mut pos = (end + 1) % n;
    for k in 1..=n {
        let c = b[(end + k) % n];
        if !taken[c] {
            child[pos] = c;
            taken[c] = true;
            pos = (pos + 1) % n;
        }
    }
    out.extend(child.into_iter().filter(|&c| c != usize::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_is_a_permutation_and_keeps_a_slice_of_the_first_parent() {
        let a: Vec<usize> = (0..20).collect();
        let b: Vec<usize> = (0..20).rev().collect();
        let mut rng = Rng::new(3);
        let mut out = Vec::new();
        for _ in 0..50 {
            ordered(&a, &b, 20, &mut rng, &mut out);
            let mut s = out.clone();
            s.sort();
            assert_eq!(s, a);
            // Some position keeps the first parent's client.
            assert!(out.iter().enumerate().any(|(i, &c)| c == a[i]));
        }
    }
}
