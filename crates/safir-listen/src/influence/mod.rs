//! Influence: the mention / repost / reply graph between accounts, PageRank,
//! degrees, bridging accounts, and the top accounts per topic and per language.

mod graph;
mod output;
mod rank;
mod topics;

pub use graph::{GraphEdge, Interaction, InteractionGraph, build_graph};
pub use output::{write_graph_csv, write_graph_graphml};
pub use rank::{Degrees, PageRankParams, RankError, betweenness, degrees, pagerank, top_k};
pub use topics::{Population, top_by_language, top_by_topic};

use crate::table::MessageTable;

/// What [`analyze`] computes.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluenceParams {
    pub pagerank: PageRankParams,
    /// Betweenness is computed on the subgraph of this many accounts with the
    /// highest PageRank.
    pub bridge_k: usize,
}

impl Default for InfluenceParams {
    fn default() -> Self {
        Self {
            pagerank: PageRankParams::default(),
            bridge_k: 200,
        }
    }
}

/// The interaction graph of a table and the measures on it.
#[derive(Debug, Clone)]
pub struct Influence {
    pub graph: InteractionGraph,
    /// Per node.
    pub pagerank: Vec<f64>,
    pub degrees: Degrees,
    /// Per node: mentions, reposts and replies received.
    pub received: Vec<[u64; 3]>,
    /// The top-k nodes by PageRank, best first, and their betweenness on the
    /// subgraph they induce (aligned).
    pub bridge_nodes: Vec<u32>,
    pub bridge_scores: Vec<f64>,
}

/// One account's measures, for listings.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountInfluence {
    pub node: u32,
    pub name: String,
    pub pagerank: f64,
    pub in_degree: u32,
    pub out_degree: u32,
    pub in_weight: u64,
    pub out_weight: u64,
    /// Interactions received, per kind.
    pub mentions: u64,
    pub reposts: u64,
    pub replies: u64,
    /// Betweenness on the top-k subgraph, when the account is in it.
    pub betweenness: Option<f64>,
}

/// Builds the interaction graph of `table` and computes every measure.
pub fn analyze(table: &MessageTable, params: &InfluenceParams) -> Result<Influence, RankError> {
    let graph = build_graph(table);
    let pagerank = pagerank(&graph, &params.pagerank)?;
    let degrees = degrees(&graph);
    let mut received = vec![[0u64; 3]; graph.node_count()];
    for e in graph.edges() {
        let r = &mut received[e.target as usize];
        r[0] += u64::from(e.mentions);
        r[1] += u64::from(e.reposts);
        r[2] += u64::from(e.replies);
    }
    let bridge_nodes = top_k(&pagerank, params.bridge_k);
    let bridge_scores = betweenness(&graph, &bridge_nodes);
    Ok(Influence {
        graph,
        pagerank,
        degrees,
        received,
        bridge_nodes,
        bridge_scores,
    })
}

impl Influence {
    /// The measures of `node`.
    pub fn account(&self, node: u32) -> AccountInfluence {
        let v = node as usize;
        let d = &self.degrees;
        let received = self.received[v];
        AccountInfluence {
            node,
            name: self.graph.name(node).to_owned(),
            pagerank: self.pagerank[v],
            in_degree: d.in_degree[v],
            out_degree: d.out_degree[v],
            in_weight: d.in_weight[v],
            out_weight: d.out_weight[v],
            mentions: received[0],
            reposts: received[1],
            replies: received[2],
            betweenness: self
                .bridge_nodes
                .iter()
                .position(|&b| b == node)
                .map(|i| self.bridge_scores[i]),
        }
    }

    /// The `n` accounts with the highest PageRank, best first.
    pub fn top(&self, n: usize) -> Vec<AccountInfluence> {
        top_k(&self.pagerank, n)
            .into_iter()
            .map(|v| self.account(v))
            .collect()
    }

    /// The `n` accounts of the top-k subgraph with the highest betweenness, best
    /// first; accounts with zero betweenness are left out.
    pub fn bridges(&self, n: usize) -> Vec<AccountInfluence> {
        let best = top_k(&self.bridge_scores, n);
        best.into_iter()
            .filter(|&i| self.bridge_scores[i as usize] > 0.0)
            .map(|i| self.account(self.bridge_nodes[i as usize]))
            .collect()
    }
}
