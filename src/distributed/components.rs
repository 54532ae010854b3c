//! Verified pairs → connected components, by alternating large-star and small-star rounds.
//!
//! Union-find needs random access to one shared table; a cluster has none. The
//! large-star/small-star algorithm (Kiveris, Lattanzi, Mirrokni, Rastogi & Vassilvitskii,
//! *Connected Components in MapReduce and Beyond*, SoCC 2014) needs only joins and
//! `GROUP BY`s over an edge table, so each round is one query per step, run by the engine
//! and driven from the client until no edge changes:
//!
//! - **large-star**: each node `u` links every *larger* neighbour to the smallest node of
//!   its neighbourhood, `m(u) = min(Γ(u) ∪ {u})`;
//! - **small-star**: each node `u` links itself and its *smaller* neighbours to the
//!   smallest of them.
//!
//! Edges are kept as `(node, parent)` with `parent < node`. At the fixed point every
//! component is a star whose centre is its smallest ordinal: `(node, root)` for every other
//! member. The number of rounds is O(log² n) in the worst case and a handful in practice;
//! each round writes its edge table, so a round lost on a cluster is simply rerun.

use std::path::Path;

use datafusion::prelude::SessionContext;

use super::EngineError;
use super::stages::{Result, materialize, scalar_u64};

/// Rounds after which the loop gives up (never reached in practice: the bound is
/// O(log² n) and 2⁶⁴ documents need fewer).
pub const MAX_ROUNDS: usize = 200;

fn large_star(input: &str) -> String {
    format!(
        "WITH sym AS (SELECT node AS u, parent AS v FROM {input} \
                      UNION SELECT parent AS u, node AS v FROM {input}), \
              m AS (SELECT u, LEAST(u, MIN(v)) AS m FROM sym GROUP BY u) \
         SELECT DISTINCT s.v AS node, m.m AS parent FROM sym s JOIN m ON s.u = m.u \
         WHERE s.v > s.u"
    )
}

fn small_star(input: &str) -> String {
    // Every edge is (node, parent) with parent < node, so a node's smaller neighbours are
    // exactly its parents.
    format!(
        "WITH m AS (SELECT node AS u, MIN(parent) AS m FROM {input} GROUP BY node) \
         SELECT DISTINCT e.parent AS node, m.m AS parent FROM {input} e JOIN m ON e.node = m.u \
         WHERE e.parent <> m.m \
         UNION SELECT u AS node, m AS parent FROM m"
    )
}

async fn differ(ctx: &SessionContext, a: &str, b: &str) -> Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT node, parent FROM {a} EXCEPT SELECT node, parent FROM {b})"
    );
    scalar_u64(ctx, "components", &sql).await
}

/// Computes `components(ordinal, family)` from the `pairs` table: every document with a
/// verified pair, and the smallest ordinal of its component. Returns the rounds run.
pub(super) async fn run(ctx: &SessionContext, work: &Path) -> Result<usize> {
    materialize(
        ctx,
        work,
        "edges_0",
        "SELECT DISTINCT b AS node, a AS parent FROM pairs",
    )
    .await?;
    let mut current = "edges_0".to_string();
    let mut rounds = 0;
    loop {
        if rounds == MAX_ROUNDS {
            return Err(EngineError::new(
                "components",
                format!("no fixed point after {MAX_ROUNDS} rounds"),
            ));
        }
        rounds += 1;
        let large = format!("edges_{rounds}_large");
        let next = format!("edges_{rounds}");
        materialize(ctx, work, &large, &large_star(&current)).await?;
        materialize(ctx, work, &next, &small_star(&large)).await?;
        let changed = differ(ctx, &next, &current).await? + differ(ctx, &current, &next).await?;
        current = next;
        if changed == 0 {
            break;
        }
    }
    // At the fixed point each component is a star around its root; check it rather than
    // trust it, since everything after depends on it.
    let deep = scalar_u64(
        ctx,
        "components",
        &format!("SELECT COUNT(*) FROM {current} x JOIN {current} y ON x.parent = y.node"),
    )
    .await?;
    if deep != 0 {
        return Err(EngineError::new(
            "components",
            format!("{deep} edges are not yet stars after {rounds} rounds"),
        ));
    }
    materialize(
        ctx,
        work,
        "components",
        &format!(
            "SELECT node AS ordinal, parent AS family FROM {current} \
             UNION ALL SELECT DISTINCT parent AS ordinal, parent AS family FROM {current}"
        ),
    )
    .await?;
    Ok(rounds)
}
