//! Centrality on the interaction graph: PageRank (as networkx computes it),
//! degrees, and betweenness on a subgraph.

use std::collections::VecDeque;

use super::graph::InteractionGraph;

/// PageRank settings; the defaults are networkx's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageRankParams {
    /// Damping factor.
    pub alpha: f64,
    /// Convergence: stop when the l1 change of an iteration is below `N * tol`.
    pub tol: f64,
    pub max_iter: usize,
}

impl Default for PageRankParams {
    fn default() -> Self {
        Self {
            alpha: 0.85,
            tol: 1e-6,
            max_iter: 100,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RankError {
    #[error("PageRank did not converge in {0} iterations")]
    NotConverged(usize),
    #[error("the damping factor must be in [0, 1], got {0}")]
    Alpha(f64),
}

/// Weighted PageRank, computed exactly as networkx's
/// `pagerank(G, alpha, weight="weight", tol, max_iter)` on the same directed graph:
/// start and teleport vectors uniform, the rank of dangling nodes (no out-edges)
/// spread uniformly, stop when the l1 change of one iteration is below `N * tol`,
/// and an error when that never happens within `max_iter` iterations.
pub fn pagerank(graph: &InteractionGraph, params: &PageRankParams) -> Result<Vec<f64>, RankError> {
    if !(0.0..=1.0).contains(&params.alpha) {
        return Err(RankError::Alpha(params.alpha));
    }
    let n = graph.node_count();
    if n == 0 {
        return Ok(Vec::new());
    }
    // In-edges (pull form), each weight already divided by its source's out-weight,
    // so that one iteration is one pass over contiguous arrays.
    let mut out_weight = vec![0.0f64; n];
    let mut in_start = vec![0usize; n + 1];
    for e in graph.edges() {
        out_weight[e.source as usize] += e.weight() as f64;
        in_start[e.target as usize + 1] += 1;
    }
    for i in 0..n {
        in_start[i + 1] += in_start[i];
    }
    let mut fill = in_start.clone();
    let mut in_source = vec![0u32; graph.edge_count()];
    let mut in_share = vec![0.0f64; graph.edge_count()];
    for e in graph.edges() {
        let slot = &mut fill[e.target as usize];
        in_source[*slot] = e.source;
        in_share[*slot] = e.weight() as f64 / out_weight[e.source as usize];
        *slot += 1;
    }
    let dangling: Vec<u32> = (0..n as u32)
        .filter(|&v| out_weight[v as usize] == 0.0)
        .collect();

    let nf = n as f64;
    let alpha = params.alpha;
    let teleport = (1.0 - alpha) / nf;
    let mut x = vec![1.0 / nf; n];
    let mut next = vec![0.0f64; n];
    for _ in 0..params.max_iter {
        let dangling_sum: f64 = dangling.iter().map(|&v| x[v as usize]).sum();
        let base = alpha * (dangling_sum / nf);
        let mut err = 0.0;
        for v in 0..n {
            let mut s = 0.0;
            for i in in_start[v]..in_start[v + 1] {
                s += x[in_source[i] as usize] * in_share[i];
            }
            let value = alpha * s + base + teleport;
            err += (value - x[v]).abs();
            next[v] = value;
        }
        std::mem::swap(&mut x, &mut next);
        if err < nf * params.tol {
            return Ok(x);
        }
    }
    Err(RankError::NotConverged(params.max_iter))
}

/// In- and out-degree of every node: distinct neighbours and total weight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Degrees {
    pub in_degree: Vec<u32>,
    pub out_degree: Vec<u32>,
    pub in_weight: Vec<u64>,
    pub out_weight: Vec<u64>,
}

pub fn degrees(graph: &InteractionGraph) -> Degrees {
    let n = graph.node_count();
    let mut d = Degrees {
        in_degree: vec![0; n],
        out_degree: vec![0; n],
        in_weight: vec![0; n],
        out_weight: vec![0; n],
    };
    for e in graph.edges() {
        let (s, t, w) = (e.source as usize, e.target as usize, e.weight());
        d.out_degree[s] += 1;
        d.in_degree[t] += 1;
        d.out_weight[s] += w;
        d.in_weight[t] += w;
    }
    d
}

/// The `k` nodes with the highest scores, best first (ties: lower node first).
pub fn top_k(scores: &[f64], k: usize) -> Vec<u32> {
    let mut nodes: Vec<u32> = (0..scores.len() as u32).collect();
    let by_score = |a: &u32, b: &u32| {
        scores[*b as usize]
            .total_cmp(&scores[*a as usize])
            .then(a.cmp(b))
    };
    if k < nodes.len() {
        nodes.select_nth_unstable_by(k, by_score);
        nodes.truncate(k);
    }
    nodes.sort_unstable_by(by_score);
    nodes
}

/// Betweenness centrality of each of `nodes` on the subgraph they induce,
/// unweighted (a path's length is its number of edges), directed, endpoints
/// excluded and normalized by `1 / ((n - 1)(n - 2))`: networkx's
/// `betweenness_centrality(G.subgraph(nodes), normalized=True, weight=None)`.
/// The result is aligned with `nodes`.
pub fn betweenness(graph: &InteractionGraph, nodes: &[u32]) -> Vec<f64> {
    let n = nodes.len();
    let mut local = vec![u32::MAX; graph.node_count()];
    for (i, &v) in nodes.iter().enumerate() {
        local[v as usize] = i as u32;
    }
    let adj: Vec<Vec<u32>> = nodes
        .iter()
        .map(|&v| {
            graph
                .out_edges(v)
                .iter()
                .map(|e| local[e.target as usize])
                .filter(|&t| t != u32::MAX)
                .collect()
        })
        .collect();

    let mut bc = vec![0.0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut preds: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![-1i64; n];
    let mut delta = vec![0.0f64; n];
    let mut queue = VecDeque::with_capacity(n);
    for s in 0..n {
        order.clear();
        for v in 0..n {
            preds[v].clear();
            sigma[v] = 0.0;
            dist[v] = -1;
            delta[v] = 0.0;
        }
        sigma[s] = 1.0;
        dist[s] = 0;
        queue.push_back(s as u32);
        while let Some(v) = queue.pop_front() {
            order.push(v);
            let (dv, sv) = (dist[v as usize], sigma[v as usize]);
            for &w in &adj[v as usize] {
                let wi = w as usize;
                if dist[wi] < 0 {
                    dist[wi] = dv + 1;
                    queue.push_back(w);
                }
                if dist[wi] == dv + 1 {
                    sigma[wi] += sv;
                    preds[wi].push(v);
                }
            }
        }
        while let Some(w) = order.pop() {
            let wi = w as usize;
            let coeff = (1.0 + delta[wi]) / sigma[wi];
            for &v in &preds[wi] {
                delta[v as usize] += sigma[v as usize] * coeff;
            }
            if wi != s {
                bc[wi] += delta[wi];
            }
        }
    }
    if n > 2 {
        let scale = 1.0 / ((n - 1) as f64 * (n - 2) as f64);
        for b in &mut bc {
            *b *= scale;
        }
    }
    bc
}
