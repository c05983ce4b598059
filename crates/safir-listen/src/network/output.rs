//! Network output: CSV edge lists, GraphML and GEXF (Gephi).

use std::io::{self, Write};

use super::Network;
use crate::escape::{csv_field, xml};
use crate::table::MessageTable;

/// `user_1,user_2,weight` with user ids as in the input.
pub fn write_csv(out: &mut dyn Write, table: &MessageTable, network: &Network) -> io::Result<()> {
    writeln!(out, "user_1,user_2,weight")?;
    for e in &network.edges {
        writeln!(
            out,
            "{},{},{}",
            csv_field(table.users.resolve(e.user_1)),
            csv_field(table.users.resolve(e.user_2)),
            e.weight
        )?;
    }
    Ok(())
}

/// GraphML: a directed graph, nodes carry the username, edges weight and type.
pub fn write_graphml(
    out: &mut dyn Write,
    table: &MessageTable,
    network: &Network,
) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#
    )?;
    writeln!(
        out,
        r#"  <key id="username" for="node" attr.name="username" attr.type="string"/>"#
    )?;
    writeln!(
        out,
        r#"  <key id="weight" for="edge" attr.name="weight" attr.type="long"/>"#
    )?;
    writeln!(
        out,
        r#"  <key id="edge_type" for="edge" attr.name="edge_type" attr.type="string"/>"#
    )?;
    writeln!(
        out,
        r#"  <graph id="{}" edgedefault="directed">"#,
        network.kind.name()
    )?;
    let names = table.display_names();
    for user in node_ids(network) {
        writeln!(
            out,
            r#"    <node id="{}"><data key="username">{}</data></node>"#,
            xml(table.users.resolve(user)),
            xml(table.usernames.resolve(names[user as usize]))
        )?;
    }
    for e in &network.edges {
        writeln!(
            out,
            r#"    <edge source="{}" target="{}"><data key="weight">{}</data><data key="edge_type">{}</data></edge>"#,
            xml(table.users.resolve(e.user_1)),
            xml(table.users.resolve(e.user_2)),
            e.weight,
            network.kind.name()
        )?;
    }
    writeln!(out, "  </graph>\n</graphml>")
}

/// GEXF 1.3 for Gephi: directed, weighted, with the username as label.
pub fn write_gexf(out: &mut dyn Write, table: &MessageTable, network: &Network) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<gexf xmlns="http://gexf.net/1.3" version="1.3">"#)?;
    writeln!(out, r#"  <graph defaultedgetype="directed" mode="static">"#)?;
    writeln!(
        out,
        r#"    <attributes class="edge"><attribute id="0" title="edge_type" type="string"/></attributes>"#
    )?;
    writeln!(out, "    <nodes>")?;
    let names = table.display_names();
    for user in node_ids(network) {
        writeln!(
            out,
            r#"      <node id="{}" label="{}"/>"#,
            xml(table.users.resolve(user)),
            xml(table.usernames.resolve(names[user as usize]))
        )?;
    }
    writeln!(out, "    </nodes>\n    <edges>")?;
    for (i, e) in network.edges.iter().enumerate() {
        writeln!(
            out,
            r#"      <edge id="{i}" source="{}" target="{}" weight="{}"><attvalues><attvalue for="0" value="{}"/></attvalues></edge>"#,
            xml(table.users.resolve(e.user_1)),
            xml(table.users.resolve(e.user_2)),
            e.weight,
            network.kind.name()
        )?;
    }
    writeln!(out, "    </edges>\n  </graph>\n</gexf>")
}

fn node_ids(network: &Network) -> Vec<u32> {
    let mut ids: Vec<u32> = network
        .edges
        .iter()
        .flat_map(|e| [e.user_1, e.user_2])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}
