//! The interaction graph as CSV or GraphML, for other tools (networkx, Gephi).

use std::io::{self, Write};

use super::graph::InteractionGraph;
use crate::escape::{csv_field, xml};

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
