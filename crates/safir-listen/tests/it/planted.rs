//! Generated archives with planted coordinated groups: every planted pair is
//! found in its network, through a CSV round trip.

use safir_listen::import::{ImportOptions, InputFormat, import_bytes};
use safir_listen::network::{NetworkKind, NetworkParams, compute, find_groups};
use safir_listen::synth::{SynthParams, generate, write_cnt_csv};
use safir_listen::table::MessageTable;

fn recovered(ascii: bool) {
    let params = SynthParams {
        messages: 30_000,
        ascii,
        groups_per_kind: 3,
        ..SynthParams::default()
    };
    let synth = generate(&params);
    let mut csv = Vec::new();
    write_cnt_csv(&mut csv, &synth.rows).unwrap();
    let mut table = MessageTable::new();
    let report = import_bytes(&mut table, "synth.csv", &csv, &ImportOptions::default()).unwrap();
    assert_eq!(report.format, InputFormat::CntCsv);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(table.len(), synth.rows.len());

    let net_params = NetworkParams {
        window_ms: 60_000,
        min_weight: params.events as u32,
        similarity: 0.8,
        ..NetworkParams::default()
    };
    let mut networks = Vec::new();
    for kind in NetworkKind::ALL {
        let net = compute(&table, kind, &net_params).unwrap();
        for group in synth.planted.iter().filter(|g| g.kind == kind) {
            for a in &group.members {
                for b in group.members.iter().filter(|b| *b != a) {
                    let (ua, ub) = (table.users.get(a).unwrap(), table.users.get(b).unwrap());
                    let edge = net.edges.iter().find(|e| e.user_1 == ua && e.user_2 == ub);
                    assert!(
                        edge.is_some_and(|e| e.weight >= params.events as u32),
                        "{kind:?}: planted pair {a} -> {b} not found"
                    );
                }
            }
        }
        networks.push(net);
    }
    // Each planted group of a content kind is one coordinated group of its own.
    let groups = find_groups(&table, &networks[..5], 2);
    for planted in synth
        .planted
        .iter()
        .filter(|g| g.kind != NetworkKind::CoPost)
    {
        let ids: Vec<u32> = planted
            .members
            .iter()
            .map(|m| table.users.get(m).unwrap())
            .collect();
        let group = groups.iter().find(|g| g.members.contains(&ids[0])).unwrap();
        assert!(ids.iter().all(|id| group.members.contains(id)));
        assert!(group.edge_types.contains(&planted.kind));
        assert!(group.first_ms < group.last_ms && !group.sample_rows.is_empty());
    }
}

#[test]
fn planted_groups_are_recovered_in_mixed_arabic_english_data() {
    recovered(false);
}

#[test]
fn planted_groups_are_recovered_in_ascii_data() {
    recovered(true);
}
