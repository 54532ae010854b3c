//! Verified pairs → families of copies (connected components).
//!
//! Near-duplication is not transitive, but a story's copies are what users want grouped:
//! A≈B and B≈C put A, B and C in one family even when A and C differ more. Components come
//! from a union-find over the verified pairs (near-linear in pairs). Each family gets a
//! representative, the copy to keep when deduplicating: the earliest dated, then the most
//! complete (most shingles), then the first in input order — a total order, so the choice
//! never depends on thread scheduling.

use std::cmp::Ordering;

use petgraph::unionfind::UnionFind;

/// A group of documents connected by verified pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// The member to keep.
    pub representative: u32,
    /// All members, in input order (the representative included).
    pub members: Vec<u32>,
}

/// Connected components with at least two members over documents `0..n`.
///
/// `prefer(x, y)` returns `Less` when `x` is the better representative. Families come
/// largest first, then by representative.
pub fn families(
    n: usize,
    pairs: impl IntoIterator<Item = (u32, u32)>,
    prefer: impl Fn(u32, u32) -> Ordering,
) -> Vec<Family> {
    let mut uf = UnionFind::<u32>::new(n);
    for (a, b) in pairs {
        uf.union(a, b);
    }
    let labels = uf.into_labeling();
    let mut by_root: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (doc, &root) in labels.iter().enumerate() {
        by_root[root as usize].push(doc as u32);
    }
    let mut out: Vec<Family> = by_root
        .into_iter()
        .filter(|m| m.len() > 1)
        .filter_map(|members| {
            let representative = members.iter().copied().min_by(|&x, &y| prefer(x, y))?;
            Some(Family {
                representative,
                members,
            })
        })
        .collect();
    sort_families(&mut out);
    out
}

/// The order families are reported in: largest first, then by representative.
pub fn sort_families(families: &mut [Family]) {
    families.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then(x.representative.cmp(&y.representative))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_join_and_singletons_drop() {
        let fams = families(6, [(0, 1), (1, 2), (4, 5)], |x, y| x.cmp(&y));
        assert_eq!(fams.len(), 2);
        assert_eq!(fams[0].members, [0, 1, 2]);
        assert_eq!(fams[1].members, [4, 5]);
        assert_eq!(fams[1].representative, 4);
    }

    #[test]
    fn representative_follows_preference() {
        let longest = [10, 50, 30];
        let fams = families(3, [(0, 1), (1, 2)], |x, y| {
            longest[y as usize].cmp(&longest[x as usize])
        });
        assert_eq!(fams[0].representative, 1);
    }
}
