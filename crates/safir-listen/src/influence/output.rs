//! The interaction graph as CSV or GraphML, for other tools (networkx, Gephi).

use std::io::{self, Write};

use super::graph::InteractionGraph;

/// `source,target,weight,mentions,reposts,replies`, one line per edge, sorted by
/// source node then target node; nodes are named by handle.
pub fn write_graph_csv(out: &mut dyn Write, graph: &InteractionGraph) -> io::Result<()> {
    writeln!(out, "source,target,weight,mentions,reposts,replies")?;
    for e in graph.edges() {
        writeln!(
            out,
            "{},{},{},{},{},{}",
            csv_field(graph.name(e.source)),
            csv_field(graph.name(e.target)),
            e.weight(),
            e.mentions,
            e.reposts,
            e.replies
        )?;
    }
    Ok(())
}

/// A directed GraphML graph: every node (isolated accounts included) with its
/// handle as id, every edge with `weight`, `mentions`, `reposts` and `replies`.
pub fn write_graph_graphml(out: &mut dyn Write, graph: &InteractionGraph) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#
    )?;
    for key in ["weight", "mentions", "reposts", "replies"] {
        writeln!(
            out,
            r#"  <key id="{key}" for="edge" attr.name="{key}" attr.type="long"/>"#
        )?;
    }
    writeln!(out, r#"  <graph id="interactions" edgedefault="directed">"#)?;
    for node in 0..graph.node_count() as u32 {
        writeln!(out, r#"    <node id="{}"/>"#, xml(graph.name(node)))?;
    }
    for e in graph.edges() {
        writeln!(
            out,
            r#"    <edge source="{}" target="{}"><data key="weight">{}</data><data key="mentions">{}</data><data key="reposts">{}</data><data key="replies">{}</data></edge>"#,
            xml(graph.name(e.source)),
            xml(graph.name(e.target)),
            e.weight(),
            e.mentions,
            e.reposts,
            e.replies
        )?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}
