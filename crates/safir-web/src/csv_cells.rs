//! Cells and lines of the CSV exports (the officers' case queue, the crisis welfare board,
//! the audit trail), safe to open in a spreadsheet: the rule the listening engine's reports
//! use too.

pub use safir_text::spreadsheet::{cell, line};
