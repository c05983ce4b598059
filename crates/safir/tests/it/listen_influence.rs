//! `safir listen influence` on a small archive: the ranking, the formats and the
//! written graph.

use crate::support::{TempDir, run};

const ARCHIVE: &str = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls
1,10,MoFA,,,Statement on the talks #السلام,1700000000,
2,11,embassy_a,1,,RT @MoFA: Statement on the talks #السلام,1700000010,
3,12,embassy_b,1,,RT @MoFA: Statement on the talks #السلام,1700000020,
4,13,analyst,,1,@MoFA @embassy_a what about the timeline? #السَّلام,1700000030,
5,11,embassy_a,,,thanks @analyst,1700000040,
";

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn influence_ranks_accounts_and_writes_the_graph() {
    let dir = TempDir::new("safir-influence");
    let input = dir.path().join("archive.csv");
    std::fs::write(&input, ARCHIVE).unwrap();
    let input = input.to_str().unwrap();
    let graph = dir.path().join("graph.csv");

    let out = run(
        &[
            "listen",
            "influence",
            input,
            "--top",
            "2",
            "--format",
            "csv",
            "--graph-out",
            graph.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = stdout(&out);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[0].starts_with("rank,account,pagerank,in_degree"),
        "{csv}"
    );
    // Two reposts, a reply and a mention: the ministry is first.
    assert!(lines[1].starts_with("1,mofa,"), "{csv}");

    let edges = std::fs::read_to_string(&graph).unwrap();
    assert!(edges.contains("\nembassy_a,mofa,1,0,1,0\n"), "{edges}");
    assert!(edges.contains("\nanalyst,mofa,2,1,0,1\n"), "{edges}");

    let out = run(&["listen", "influence", input, "--by", "topic"], &[]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("topic #السلام: 4 accounts, 4 messages"),
        "{text}"
    );

    let out = run(
        &["listen", "influence", input, "--graph-out", "graph.txt"],
        &[],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(".graphml or .csv"));
}

#[test]
fn a_graph_written_over_an_old_one_replaces_it_whole() {
    let dir = TempDir::new("safir-influence-again");
    let input = dir.path().join("archive.csv");
    std::fs::write(&input, ARCHIVE).unwrap();
    let graph = dir.path().join("graph.graphml");
    // An older, longer file: nothing of it may remain.
    std::fs::write(&graph, "x".repeat(100_000)).unwrap();
    let out = run(
        &[
            "listen",
            "influence",
            input.to_str().unwrap(),
            "--graph-out",
            graph.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&graph).unwrap();
    assert!(written.starts_with("<?xml"), "{written}");
    assert!(written.trim_end().ends_with("</graphml>"), "{written}");
    assert!(!written.contains("xxxxxxxxxx"), "{written}");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["archive.csv", "graph.graphml"],
        "no temporary file is left"
    );
}
