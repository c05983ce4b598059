//! Influence: the interaction graph on hand-made archives, PageRank and
//! betweenness against networkx, and top accounts per topic and language.
//!
//! The networkx checks need `python3` with networkx (and numpy and scipy, which
//! its PageRank uses); without them the test says it
//! skipped, unless `SAFIR_TEST_REQUIRE` names `networkx`, which makes it fail.

use std::fmt::Write as _;
use std::process::Command;

use safir_listen::influence::{
    self, InfluenceParams, PageRankParams, RankError, betweenness, build_graph, pagerank, top_k,
};
use safir_listen::synth::{SynthParams, generate};
use safir_listen::table::{MessageRow, RowMeta};

use crate::{msg, table_of};

fn named(id: &str, user: &str, name: &str, text: &str) -> MessageRow {
    MessageRow {
        username: name.into(),
        ..msg(id, user, 0, text)
    }
}

fn repost(id: &str, user: &str, name: &str, of: &str, text: &str) -> MessageRow {
    MessageRow {
        repost_id: Some(of.into()),
        ..named(id, user, name, text)
    }
}

fn reply(id: &str, user: &str, name: &str, to: &str, text: &str) -> MessageRow {
    MessageRow {
        reply_id: Some(to.into()),
        ..named(id, user, name, text)
    }
}

/// (mentions, reposts, replies) of the edge, or `None` when there is no edge.
fn counts(g: &influence::InteractionGraph, from: &str, to: &str) -> Option<(u32, u32, u32)> {
    g.edge(from, to).map(|e| (e.mentions, e.reposts, e.replies))
}

#[test]
fn every_kind_of_interaction_becomes_an_edge() {
    let rows = vec![
        // Mentions, any case, counted once per message; a self mention is no edge.
        named("a1", "1", "@Alice", "hello @Bob and @bob, cc @ALICE"),
        named("b1", "2", "Bob", "original post"),
        // A repost of a message in the table: its author, not the RT text.
        repost("a2", "1", "@Alice", "b1", "RT @Bob: original post @carol"),
        // The reposted author declared by the archive.
        MessageRow {
            meta: RowMeta {
                repost_of_username: Some("@Dave".into()),
                ..RowMeta::default()
            },
            ..repost("c1", "3", "carol", "x9", "some text")
        },
        // Reposted message unknown: the RT prefix names the author.
        repost("c2", "3", "carol", "x10", "RT @Erin: hi"),
        // No repost id, but a manual retweet.
        named("c3", "3", "carol", "RT @bob: manual"),
        // Replies: to a message in the table, to a declared handle, to nobody known.
        reply("d1", "4", "dave", "b1", "agreed"),
        MessageRow {
            meta: RowMeta {
                reply_to_username: Some("Carol".into()),
                ..RowMeta::default()
            },
            ..reply("d2", "4", "dave", "zz", "no")
        },
        reply("d3", "4", "dave", "zz2", "unknown target"),
        // No handle: the account is named by its user id.
        named("e1", "42", "", "@Dave hi"),
        // Reposting oneself is no edge.
        repost("a3", "1", "@Alice", "a1", "RT @Alice: hello"),
    ];
    let g = build_graph(&table_of(&rows));

    assert_eq!(counts(&g, "alice", "bob"), Some((1, 1, 0)));
    assert_eq!(counts(&g, "carol", "dave"), Some((0, 1, 0)));
    assert_eq!(counts(&g, "carol", "erin"), Some((0, 1, 0)));
    assert_eq!(counts(&g, "carol", "bob"), Some((0, 1, 0)));
    assert_eq!(counts(&g, "dave", "bob"), Some((0, 0, 1)));
    assert_eq!(counts(&g, "dave", "carol"), Some((0, 0, 1)));
    assert_eq!(counts(&g, "42", "dave"), Some((1, 0, 0)));
    // The repost's text mentions carol, but those are the original author's words.
    assert_eq!(counts(&g, "alice", "carol"), None);
    assert_eq!(counts(&g, "alice", "alice"), None);
    assert_eq!(g.edge_count(), 7);
    assert_eq!(g.edge("@ALICE", "Bob").map(|e| e.weight()), Some(2));

    // Posting accounts first, then accounts only interacted with.
    let names: Vec<&str> = (0..g.node_count() as u32).map(|v| g.name(v)).collect();
    assert_eq!(names, ["alice", "bob", "carol", "dave", "42", "erin"]);
}

#[test]
fn a_renamed_account_keeps_one_node() {
    let rows = vec![
        named("1", "u1", "OldName", "first"),
        named("2", "u1", "NewName", "second"),
        named("3", "u2", "other", "@newname @oldname hi"),
    ];
    let g = build_graph(&table_of(&rows));
    assert_eq!(g.node_count(), 2);
    assert_eq!(g.node("newname"), g.node("oldname"));
    assert_eq!(counts(&g, "other", "oldname"), Some((1, 0, 0)));
}

#[test]
fn a_mention_of_a_remote_fediverse_account_reaches_its_node() {
    // Mastodon writes a mention as `@bob` in the text, whatever the server of
    // the account, whose handle (its `acct`) is `bob@other.example`.
    let rows = vec![
        named("1", "10", "alice", "@bob welcome to the embassy"),
        named("2", "20", "bob@other.example", "thanks"),
        named("3", "30", "carol@social.example", "hello"),
        // A local account named carol: a mention of @carol is hers.
        named("4", "40", "carol", "local"),
        named("5", "10", "alice", "@carol and @dan"),
    ];
    let g = build_graph(&table_of(&rows));
    assert_eq!(counts(&g, "alice", "bob@other.example"), Some((1, 0, 0)));
    assert_eq!(g.node("bob"), g.node("bob@other.example"));
    assert_eq!(counts(&g, "alice", "carol"), Some((1, 0, 0)));
    assert_eq!(counts(&g, "alice", "carol@social.example"), None);
    // Only dan, who never posted, is a node of its own beyond the four accounts.
    let names: Vec<&str> = (0..g.node_count() as u32).map(|v| g.name(v)).collect();
    assert_eq!(
        names,
        [
            "alice",
            "bob@other.example",
            "carol@social.example",
            "carol",
            "dan"
        ]
    );
}

#[test]
fn betweenness_on_a_path() {
    // a → b → c: every shortest path from a to c goes through b.
    let rows = vec![
        named("1", "a", "a", "@b"),
        named("2", "b", "b", "@c"),
        named("3", "c", "c", "quiet"),
    ];
    let g = build_graph(&table_of(&rows));
    let nodes: Vec<u32> = (0..3).collect();
    assert_eq!(betweenness(&g, &nodes), vec![0.0, 0.5, 0.0]);
    // Without b in the subgraph, nothing is between.
    let a_c = [g.node("a").unwrap(), g.node("c").unwrap()];
    assert_eq!(betweenness(&g, &a_c), vec![0.0, 0.0]);
}

#[test]
fn pagerank_sums_to_one_and_refuses_to_stop_early() {
    let synth = generate(&SynthParams {
        messages: 2_000,
        ..SynthParams::default()
    });
    let g = build_graph(&table_of(&synth.rows));
    let pr = pagerank(&g, &PageRankParams::default()).unwrap();
    let total: f64 = pr.iter().sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    let params = PageRankParams {
        max_iter: 2,
        ..PageRankParams::default()
    };
    assert_eq!(pagerank(&g, &params), Err(RankError::NotConverged(2)));
}

/// Runs `script` with python3; `None` (after saying why) when networkx is missing.
fn networkx(script: &str, input: &str) -> Option<String> {
    let has_networkx = Command::new("python3")
        .args(["-c", "import networkx, numpy, scipy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_networkx {
        let required = std::env::var("SAFIR_TEST_REQUIRE")
            .is_ok_and(|v| v.split(',').any(|s| s.trim() == "networkx"));
        assert!(
            !required,
            "SAFIR_TEST_REQUIRE includes networkx but python3 with networkx, numpy and scipy is not installed"
        );
        eprintln!(
            "skipping the networkx comparison: python3 with networkx, numpy and scipy is not installed"
        );
        return None;
    }
    let dir = std::env::temp_dir().join(format!("safir-influence-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("graph.txt");
    std::fs::write(&path, input).unwrap();
    let out = Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "networkx failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Reads `n N`, `e SOURCE TARGET WEIGHT` and `k NODE` lines; prints the PageRank
/// of every node, then the betweenness of the `k` nodes on their subgraph.
const NETWORKX: &str = r#"
import sys, networkx as nx
G = nx.DiGraph()
top = []
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "n":
        G.add_nodes_from(range(int(f[1])))
    elif f[0] == "e":
        G.add_edge(int(f[1]), int(f[2]), weight=float(f[3]))
    else:
        top.append(int(f[1]))
pr = nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-6, max_iter=100)
for v in range(G.number_of_nodes()):
    print("p", repr(pr[v]))
bc = nx.betweenness_centrality(G.subgraph(top), normalized=True, weight=None)
for v in top:
    print("b", repr(bc[v]))
"#;

#[test]
fn pagerank_and_betweenness_equal_networkx_on_a_generated_archive() {
    let synth = generate(&SynthParams {
        messages: 20_000,
        seed: 11,
        ..SynthParams::default()
    });
    let table = table_of(&synth.rows);
    let result = influence::analyze(
        &table,
        &InfluenceParams {
            bridge_k: 120,
            ..InfluenceParams::default()
        },
    )
    .unwrap();
    let g = &result.graph;
    assert!(g.edge_count() > 5_000, "{} edges", g.edge_count());

    let mut input = format!("n {}\n", g.node_count());
    for e in g.edges() {
        writeln!(input, "e {} {} {}", e.source, e.target, e.weight()).unwrap();
    }
    for &v in &result.bridge_nodes {
        writeln!(input, "k {v}").unwrap();
    }
    let Some(out) = networkx(NETWORKX, &input) else {
        return;
    };
    let (mut pr, mut bc) = (Vec::new(), Vec::new());
    for line in out.lines() {
        let (kind, value) = line.split_once(' ').unwrap();
        let value: f64 = value.parse().unwrap();
        if kind == "p" {
            pr.push(value)
        } else {
            bc.push(value)
        }
    }
    assert_eq!(pr.len(), g.node_count());
    for (v, (ours, theirs)) in result.pagerank.iter().zip(&pr).enumerate() {
        assert!(
            (ours - theirs).abs() < 1e-6,
            "PageRank of {}: {ours} vs networkx {theirs}",
            g.name(v as u32)
        );
    }
    assert_eq!(bc.len(), 120);
    assert!(bc.iter().any(|&b| b > 0.0), "no bridge at all");
    for (i, (ours, theirs)) in result.bridge_scores.iter().zip(&bc).enumerate() {
        assert!(
            (ours - theirs).abs() < 1e-9,
            "betweenness of {}: {ours} vs networkx {theirs}",
            g.name(result.bridge_nodes[i])
        );
    }
    // The top-k subgraph is the k best by PageRank.
    assert_eq!(result.bridge_nodes, top_k(&result.pagerank, 120));
}

#[test]
fn arabic_hashtag_variants_are_one_topic_ranked_by_pagerank() {
    let variants = [
        "#الدبلوماسية_الرقمية",
        "#الدِّبلوماسيَّة_الرقميَّة",
        "#الدبلومـــاسية_الرقمية",
        "#ﺍﻟﺪﺑﻠﻮﻣﺎﺳﻴﺔ_الرقمية",
        "#الإعلام",
        "#الاعلام",
        "#أحمد",
        "#احمد",
    ];
    let mut rows = Vec::new();
    for (i, tag) in variants.iter().enumerate() {
        rows.push(named(
            &format!("t{i}"),
            &format!("u{i}"),
            &format!("u{i}"),
            &format!("نص {tag}"),
        ));
    }
    // u0 and u1 are mentioned by outsiders, u1 more: u1 ranks first.
    for (i, target) in ["u1", "u1", "u1", "u0"].iter().enumerate() {
        rows.push(named(
            &format!("m{i}"),
            &format!("fan{i}"),
            &format!("fan{i}"),
            &format!("@{target}"),
        ));
    }
    let table = table_of(&rows);
    let result = influence::analyze(&table, &InfluenceParams::default()).unwrap();
    let topics = influence::top_by_topic(&table, &result, 10, 3);
    let keys: Vec<&str> = topics.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(topics.len(), 3, "{keys:?}");
    let diplomacy = &topics[0];
    assert_eq!((diplomacy.accounts, diplomacy.messages), (4, 4), "{keys:?}");
    let names: Vec<&str> = diplomacy
        .top
        .iter()
        .map(|&v| result.graph.name(v))
        .collect();
    assert_eq!(names[..2], ["u1", "u0"]);
    assert_eq!((topics[1].accounts, topics[2].accounts), (2, 2), "{keys:?}");
}

#[test]
fn languages_declared_or_detected() {
    let rows = vec![
        MessageRow {
            meta: RowMeta {
                lang: Some("en-GB".into()),
                ..RowMeta::default()
            },
            ..named("1", "a", "a", "x")
        },
        MessageRow {
            meta: RowMeta {
                lang: Some("und".into()),
                ..RowMeta::default()
            },
            ..named(
                "2",
                "b",
                "b",
                "السلام عليكم ورحمة الله وبركاته، أهلا بكم في الوزارة",
            )
        },
        named(
            "3",
            "c",
            "c",
            "@a the minister will speak about the new embassy today",
        ),
        named("4", "c", "c", "@b"),
    ];
    let table = table_of(&rows);
    let result = influence::analyze(&table, &InfluenceParams::default()).unwrap();
    let langs = influence::top_by_language(&table, &result, 5);
    let summary: Vec<(&str, usize, Vec<&str>)> = langs
        .iter()
        .map(|p| {
            let top = p.top.iter().map(|&v| result.graph.name(v)).collect();
            (p.key.as_str(), p.accounts, top)
        })
        .collect();
    assert_eq!(
        summary,
        [("en", 2, vec!["a", "c"]), ("ar", 1, vec!["b"])],
        "{summary:?}"
    );
}

#[test]
fn the_graph_is_written_as_csv_and_graphml() {
    let rows = vec![
        named("1", "a", "A", "@b, @b"),
        repost("2", "b", "b", "1", "RT @A: x"),
        named("3", "q", "x&y", "@a"),
    ];
    let g = build_graph(&table_of(&rows));
    let mut csv = Vec::new();
    influence::write_graph_csv(&mut csv, &g).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "source,target,weight,mentions,reposts,replies\na,b,1,1,0,0\nb,a,1,0,1,0\nx&y,a,1,1,0,0\n"
    );
    let mut xml = Vec::new();
    influence::write_graph_graphml(&mut xml, &g).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains(r#"<node id="x&amp;y"/>"#), "{xml}");
    assert!(xml.contains(r#"<edge source="b" target="a"><data key="weight">1</data><data key="mentions">0</data><data key="reposts">1</data>"#), "{xml}");
}
