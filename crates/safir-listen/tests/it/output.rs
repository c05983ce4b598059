//! Network files as analysts open them: CSV, GraphML and GEXF.

use quick_xml::Reader;
use quick_xml::events::Event;
use safir_listen::network::{
    NetworkKind, NetworkParams, compute, write_csv, write_gexf, write_graphml,
};

use crate::{msg, table_of};

fn sample() -> (safir_listen::MessageTable, safir_listen::Network) {
    let mut rows = vec![
        msg("1", "a,1", 0, "x"),
        msg("2", "b\"2", 5, "y"),
        msg("3", "c<3>", 9, "z"),
    ];
    for r in &mut rows {
        r.repost_id = Some("src".into());
        r.username = format!("name & {}", r.user_id);
    }
    let table = table_of(&rows);
    let net = compute(&table, NetworkKind::CoRetweet, &NetworkParams::default()).unwrap();
    (table, net)
}

/// Element names of a well-formed XML document, in order (fails on malformed XML).
fn elements(xml: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut names = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Event::Eof => return names,
            _ => {}
        }
    }
}

#[test]
fn csv_has_the_toolkit_header_and_quotes_ids() {
    let (table, net) = sample();
    let mut out = Vec::new();
    write_csv(&mut out, &table, &net).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("user_1,user_2,weight"));
    assert_eq!(lines.next(), Some("\"a,1\",\"b\"\"2\",1"));
    assert_eq!(text.lines().count(), 1 + 6);
}

#[test]
fn graphml_and_gexf_are_well_formed_with_every_node_and_edge() {
    let (table, net) = sample();
    let mut graphml = Vec::new();
    write_graphml(&mut graphml, &table, &net).unwrap();
    let names = elements(&String::from_utf8(graphml).unwrap());
    assert_eq!(names.iter().filter(|n| *n == "node").count(), 3);
    assert_eq!(names.iter().filter(|n| *n == "edge").count(), 6);

    let mut gexf = Vec::new();
    write_gexf(&mut gexf, &table, &net).unwrap();
    let text = String::from_utf8(gexf).unwrap();
    let names = elements(&text);
    assert_eq!(names.iter().filter(|n| *n == "node").count(), 3);
    assert_eq!(names.iter().filter(|n| *n == "edge").count(), 6);
    assert!(text.contains(r#"label="name &amp; c&lt;3&gt;""#));
}
