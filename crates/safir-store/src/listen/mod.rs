//! Listening: stored datasets (lists of archive files), monitors over them, who subscribes
//! to a monitor, and the alerts monitors raised. Messages themselves are never stored: the
//! archives stay the source of truth and are imported into memory when a monitor runs.

pub mod alerts;
pub mod datasets;
pub mod monitors;

pub use alerts::{Alert, ListedAlert, NewAlert, list_alerts, raise_alert};
pub use datasets::{Dataset, NewDataset, create_dataset, find_dataset, list_datasets};
pub use monitors::{Monitor, NewMonitor, Subscriber, create_monitor, list_monitors};

/// A fresh opaque id.
fn new_id() -> String {
    uuid::Uuid::now_v7().as_simple().to_string()
}
