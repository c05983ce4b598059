//! Integration tests of the text engine against the shared data set.

mod analyze_memo;
mod lang;
mod pdf_sample;
mod robustness;
mod sentiment;

use std::path::PathBuf;

/// A file of the shared data folder (`../shared/data` next to the repository),
/// or `None` with a printed notice when the folder is absent.
pub fn shared_data(relative: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(relative);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(err) => {
            eprintln!(
                "skipped: shared data {} unavailable ({err})",
                path.display()
            );
            None
        }
    }
}
