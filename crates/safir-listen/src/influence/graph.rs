//! The interaction graph: who mentions, reposts and replies to whom, as compact
//! adjacency arrays over accounts named by lowercased handle.

use safir_text::{TokenKind, tokenize};

use crate::intern::Interner;
use crate::table::{MessageTable, NONE};

/// The three kinds of interaction an edge counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interaction {
    Mention,
    Repost,
    Reply,
}

impl Interaction {
    pub const ALL: [Interaction; 3] = [Self::Mention, Self::Repost, Self::Reply];

    pub fn name(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::Repost => "repost",
            Self::Reply => "reply",
        }
    }
}

/// One directed edge `source → target` with its count per interaction kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphEdge {
    pub source: u32,
    pub target: u32,
    pub mentions: u32,
    pub reposts: u32,
    pub replies: u32,
}

impl GraphEdge {
    /// The combined weight: the sum of the three counts.
    pub fn weight(&self) -> u64 {
        u64::from(self.mentions) + u64::from(self.reposts) + u64::from(self.replies)
    }

    pub fn count(&self, kind: Interaction) -> u32 {
        match kind {
            Interaction::Mention => self.mentions,
            Interaction::Repost => self.reposts,
            Interaction::Reply => self.replies,
        }
    }
}

/// A weighted directed graph over accounts, without self-loops.
///
/// Nodes are numbered `0..node_count()`: posting accounts first, in order of
/// first appearance in the table, then accounts that were only mentioned,
/// reposted or replied to. Out-edges of a node are sorted by target.
#[derive(Debug, Clone, Default)]
pub struct InteractionGraph {
    /// Every handle seen (lowercased, without `@`), and the node it names.
    handles: Interner,
    handle_node: Vec<u32>,
    /// The handle (in `handles`) that names each node.
    node_handle: Vec<u32>,
    /// Node of each account of the table (by interned user id).
    account_node: Vec<u32>,
    offsets: Vec<usize>,
    edges: Vec<GraphEdge>,
}

impl InteractionGraph {
    pub fn node_count(&self) -> usize {
        self.node_handle.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The node's name: the account's lowercased handle, or its user id when the
    /// archive gave no handle.
    pub fn name(&self, node: u32) -> &str {
        self.handles.resolve(self.node_handle[node as usize])
    }

    /// The node named by `handle` (any case, with or without a leading `@`).
    pub fn node(&self, handle: &str) -> Option<u32> {
        let mut key = String::new();
        handle_key(handle, &mut key);
        self.handles.get(&key).map(|h| self.handle_node[h as usize])
    }

    /// The node of a posting account (an interned user id of the table).
    pub fn account_node(&self, user: u32) -> u32 {
        self.account_node[user as usize]
    }

    /// All edges, sorted by (source, target).
    pub fn edges(&self) -> &[GraphEdge] {
        &self.edges
    }

    /// The out-edges of `node`, sorted by target.
    pub fn out_edges(&self, node: u32) -> &[GraphEdge] {
        let n = node as usize;
        &self.edges[self.offsets[n]..self.offsets[n + 1]]
    }

    /// The edge `source → target`, if any.
    pub fn edge(&self, source: &str, target: &str) -> Option<&GraphEdge> {
        let (s, t) = (self.node(source)?, self.node(target)?);
        let out = self.out_edges(s);
        out.binary_search_by_key(&t, |e| e.target)
            .ok()
            .map(|i| &out[i])
    }

    /// The node of `key` (already a handle key), created when new.
    fn node_of_key(&mut self, key: &str) -> u32 {
        let (h, new) = self.handles.intern(key);
        if new {
            let node = self.node_handle.len() as u32;
            self.node_handle.push(h);
            self.handle_node.push(node);
        }
        self.handle_node[h as usize]
    }
}

/// Builds the interaction graph of `table`.
///
/// - Mention: every distinct `@handle` in the text of A's message (the text
///   engine's mention tokens), except in reposts, whose text is the original
///   author's. `@bob` is the account `bob@host` that posted when no account
///   `bob` did.
/// - Repost: B is the declared handle of the reposted author when known, else the
///   author of the reposted message when it is in the table, else the `@b` of a
///   leading `RT @b:` (which also marks a message without a repost id as a
///   repost, as old manual retweets were written).
/// - Reply: B is the declared handle of the replied-to author when known, else the
///   author of the replied-to message when it is in the table.
///
/// Self-loops are dropped; the combined weight is the sum of the three counts.
pub fn build_graph(table: &MessageTable) -> InteractionGraph {
    let mut g = InteractionGraph::default();
    let mut key = String::new();

    // Posting accounts first, named by the handle of their first message.
    let first_names = table.display_names();
    g.account_node = Vec::with_capacity(first_names.len());
    for (user, &name) in first_names.iter().enumerate() {
        account_key(table, user as u32, name, &mut key);
        let node = g.node_of_key(&key);
        g.account_node.push(node);
    }
    // An account seen under another handle later (renamed) keeps one node.
    for (row, &name) in table.username.iter().enumerate() {
        let user = table.user[row];
        if name == first_names[user as usize] {
            continue;
        }
        account_key(table, user, name, &mut key);
        if g.handles.intern(&key).1 {
            g.handle_node.push(g.account_node[user as usize]);
        }
    }
    // Mastodon writes a mention by the account's local part whatever its server
    // (`@bob` for `bob@other.example`), so the local part of a fediverse handle
    // names that account too, unless it is itself the handle of an account that
    // posted. When several servers have a `bob`, the first to post is taken.
    for h in 0..g.handles.len() as u32 {
        let handle = g.handles.resolve(h);
        let local = match handle.split_once('@') {
            Some((local, host))
                if !local.is_empty()
                    && !host.is_empty()
                    && !host.contains('@')
                    && !handle.contains(|c: char| c == '/' || c.is_whitespace()) =>
            {
                local.to_owned()
            }
            _ => continue,
        };
        let node = g.handle_node[h as usize];
        if g.handles.intern(&local).1 {
            g.handle_node.push(node);
        }
    }

    let ref_row: Vec<u32> = (0..table.refs.len() as u32)
        .map(|r| table.message_ids.get(table.refs.resolve(r)).unwrap_or(NONE))
        .collect();

    let mut raw: Vec<(u32, u32, Interaction)> = Vec::with_capacity(table.len());
    let mut mentions: Vec<u32> = Vec::new();
    for row in 0..table.len() {
        let r = row as u32;
        let source = g.account_node[table.user[row] as usize];
        let text = table.text(r);

        let repost_ref = table.repost[row];
        let mut repost_target = None;
        if table.repost_of_user[row] != NONE {
            handle_key(table.usernames.resolve(table.repost_of_user[row]), &mut key);
            repost_target = Some(g.node_of_key(&key));
        } else if repost_ref != NONE && ref_row[repost_ref as usize] != NONE {
            let author = table.user[ref_row[repost_ref as usize] as usize];
            repost_target = Some(g.account_node[author as usize]);
        } else if let Some(handle) = rt_prefix(text) {
            handle_key(handle, &mut key);
            repost_target = Some(g.node_of_key(&key));
        }
        let is_repost = repost_ref != NONE || repost_target.is_some();
        if let Some(target) = repost_target {
            raw.push((source, target, Interaction::Repost));
        }

        let reply_ref = table.reply[row];
        if table.reply_to_user[row] != NONE {
            handle_key(table.usernames.resolve(table.reply_to_user[row]), &mut key);
            let target = g.node_of_key(&key);
            raw.push((source, target, Interaction::Reply));
        } else if reply_ref != NONE && ref_row[reply_ref as usize] != NONE {
            let author = table.user[ref_row[reply_ref as usize] as usize];
            raw.push((source, g.account_node[author as usize], Interaction::Reply));
        }

        if !is_repost && text.contains('@') {
            mentions.clear();
            for t in tokenize(text) {
                if t.kind == TokenKind::Mention {
                    handle_key(t.text(text), &mut key);
                    mentions.push(g.node_of_key(&key));
                }
            }
            mentions.sort_unstable();
            mentions.dedup();
            raw.extend(mentions.iter().map(|&m| (source, m, Interaction::Mention)));
        }
    }
    raw.retain(|&(s, t, _)| s != t);
    let n = g.node_count();
    (g.offsets, g.edges) = compress(n, &raw);
    g
}

/// Groups raw interactions into one edge per (source, target), by a counting
/// sort on the source and a small sort per source.
fn compress(n: usize, raw: &[(u32, u32, Interaction)]) -> (Vec<usize>, Vec<GraphEdge>) {
    let mut start = vec![0usize; n + 1];
    for &(s, _, _) in raw {
        start[s as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut by_source = vec![(0u32, Interaction::Mention); raw.len()];
    for &(s, t, kind) in raw {
        by_source[fill[s as usize]] = (t, kind);
        fill[s as usize] += 1;
    }
    let mut offsets = Vec::with_capacity(n + 1);
    let mut edges: Vec<GraphEdge> = Vec::new();
    offsets.push(0);
    for s in 0..n {
        let slice = &mut by_source[start[s]..start[s + 1]];
        slice.sort_unstable_by_key(|&(t, _)| t);
        let first = edges.len();
        for &(t, kind) in slice.iter() {
            if edges.len() == first || edges.last().is_some_and(|e| e.target != t) {
                edges.push(GraphEdge {
                    source: s as u32,
                    target: t,
                    mentions: 0,
                    reposts: 0,
                    replies: 0,
                });
            }
            let e = edges.last_mut().expect("pushed above");
            match kind {
                Interaction::Mention => e.mentions += 1,
                Interaction::Repost => e.reposts += 1,
                Interaction::Reply => e.replies += 1,
            }
        }
        offsets.push(edges.len());
    }
    (offsets, edges)
}

/// The key of a posting account: its handle, or its user id without one.
fn account_key(table: &MessageTable, user: u32, name: u32, key: &mut String) {
    let handle = if name == NONE {
        ""
    } else {
        table.usernames.resolve(name)
    };
    handle_key(handle, key);
    if key.is_empty() {
        handle_key(table.users.resolve(user), key);
    }
}

/// `@Name` → `name`: leading `@` removed, lowercased, surrounding space trimmed.
pub(crate) fn handle_key(handle: &str, key: &mut String) {
    key.clear();
    let h = handle.trim();
    let h = h.strip_prefix('@').unwrap_or(h);
    if h.is_ascii() {
        key.push_str(h);
        key.make_ascii_lowercase();
    } else {
        key.extend(h.chars().flat_map(char::to_lowercase));
    }
}

/// The handle of a leading `RT @handle:` (a Mastodon `user@host` handle included).
fn rt_prefix(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix("RT @")?;
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '-')))
        .unwrap_or(rest.len());
    let handle = rest[..len].trim_end_matches('.');
    (!handle.is_empty() && rest[len..].starts_with(':')).then_some(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rt_prefix_needs_the_colon() {
        assert_eq!(rt_prefix("RT @Bob: hello"), Some("Bob"));
        assert_eq!(
            rt_prefix("  RT @a@host.example: hi"),
            Some("a@host.example")
        );
        assert_eq!(rt_prefix("RT @bob hello"), None);
        assert_eq!(rt_prefix("RT @: x"), None);
        assert_eq!(rt_prefix("not RT @bob: x"), None);
    }

    #[test]
    fn handle_keys_are_lowercase_without_at() {
        let mut k = String::new();
        handle_key(" @MoFA_Ar ", &mut k);
        assert_eq!(k, "mofa_ar");
        handle_key("@Ünal", &mut k);
        assert_eq!(k, "ünal");
    }
}
