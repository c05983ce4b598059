//! Coordinated groups: connected components of one or more networks, taken as
//! undirected, with what an analyst needs to judge them.

use super::{Network, NetworkKind};
use crate::table::MessageTable;

/// One connected component of at least two accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Interned user ids, ascending.
    pub members: Vec<u32>,
    /// The network kinds that have an edge inside the group.
    pub edge_types: Vec<NetworkKind>,
    pub edges: usize,
    pub total_weight: u64,
    /// First and last time of the members' messages that matched another
    /// account's, in epoch milliseconds.
    pub first_ms: i64,
    pub last_ms: i64,
    /// Up to `samples` matched messages with distinct texts, earliest first.
    pub sample_rows: Vec<u32>,
}

/// Groups over the union of `networks`, largest first.
pub fn find_groups(table: &MessageTable, networks: &[Network], samples: usize) -> Vec<Group> {
    let n_users = table.users.len();
    let mut parent: Vec<u32> = (0..n_users as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    let mut linked = vec![false; n_users];
    for net in networks {
        for e in &net.edges {
            if e.user_1 == e.user_2 {
                continue;
            }
            linked[e.user_1 as usize] = true;
            linked[e.user_2 as usize] = true;
            let (a, b) = (root(&mut parent, e.user_1), root(&mut parent, e.user_2));
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    let mut slot = vec![u32::MAX; n_users];
    let mut groups: Vec<Group> = Vec::new();
    for user in 0..n_users as u32 {
        if !linked[user as usize] {
            continue;
        }
        let r = root(&mut parent, user) as usize;
        if slot[r] == u32::MAX {
            slot[r] = groups.len() as u32;
            groups.push(Group {
                members: Vec::new(),
                edge_types: Vec::new(),
                edges: 0,
                total_weight: 0,
                first_ms: i64::MAX,
                last_ms: i64::MIN,
                sample_rows: Vec::new(),
            });
        }
        groups[slot[r] as usize].members.push(user);
    }
    let group_of = |parent: &mut [u32], user: u32| slot[root(parent, user) as usize] as usize;
    for net in networks {
        for e in net.edges.iter().filter(|e| e.user_1 != e.user_2) {
            let g = &mut groups[group_of(&mut parent, e.user_1)];
            g.edges += 1;
            g.total_weight += u64::from(e.weight);
            if !g.edge_types.contains(&net.kind) {
                g.edge_types.push(net.kind);
            }
        }
    }
    let mut rows: Vec<u32> = networks
        .iter()
        .flat_map(|n| n.matched_rows.iter().copied())
        .collect();
    rows.sort_unstable_by_key(|&r| (table.timestamp_ms[r as usize], r));
    rows.dedup();
    for r in rows {
        let user = table.user[r as usize];
        if !linked[user as usize] {
            continue;
        }
        let g = &mut groups[group_of(&mut parent, user)];
        let t = table.timestamp_ms[r as usize];
        g.first_ms = g.first_ms.min(t);
        g.last_ms = g.last_ms.max(t);
        if g.sample_rows.len() < samples
            && g.sample_rows
                .iter()
                .all(|&s| table.text(s) != table.text(r))
        {
            g.sample_rows.push(r);
        }
    }
    for g in &mut groups {
        if g.first_ms > g.last_ms {
            (g.first_ms, g.last_ms) = (0, 0);
        }
    }
    groups.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members.cmp(&b.members))
    });
    groups
}
