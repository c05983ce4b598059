//! Integration tests of the listening engine, through its public API.

mod arabic;
mod formats;
mod influence;
mod links_and_progress;
mod networks;
mod output;
mod planted;
mod report;
mod similar_filters;
mod trends;

use safir_listen::table::{MessageRow, MessageTable};

/// A message with the fields the network tests vary.
pub fn msg(id: &str, user: &str, secs: i64, text: &str) -> MessageRow {
    MessageRow {
        message_id: id.into(),
        user_id: user.into(),
        username: user.into(),
        text: text.into(),
        timestamp_ms: secs * 1000,
        ..MessageRow::default()
    }
}

pub fn table_of(rows: &[MessageRow]) -> MessageTable {
    let mut t = MessageTable::new();
    for r in rows {
        t.push(r);
    }
    t
}
