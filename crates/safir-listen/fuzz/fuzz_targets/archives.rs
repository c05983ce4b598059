//! Archives from the wild (exports, feeds, scraped files) through the importers: the first
//! byte picks a format or leaves it to detection, the rest is the file. No panic, and the
//! report adds up: every message added is in the table, and no more are added than read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safir_listen::import::import_bytes;
use safir_listen::{ImportOptions, InputFormat, MessageTable};

fuzz_target!(|bytes: &[u8]| {
    let Some((&pick, file)) = bytes.split_first() else {
        return;
    };
    let format = InputFormat::ALL.get(usize::from(pick) % (InputFormat::ALL.len() + 1));
    let options = ImportOptions {
        format: format.copied(),
        ..ImportOptions::default()
    };
    let mut table = MessageTable::new();
    if let Ok(report) = import_bytes(&mut table, "fuzz", file, &options) {
        assert!(report.added + report.duplicates <= report.records, "{report:?}");
        assert_eq!(table.len() as u64, report.added, "{report:?}");
    }
});
