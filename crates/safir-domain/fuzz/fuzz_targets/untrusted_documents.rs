//! What the platform reads from outside, whole: PFIF and CAP documents from partners, a
//! machine-readable zone pasted by an applicant, an e-visa code scanned by anyone at
//! `/verify`. Any text through each reader: no panic, and a PFIF document read is written back
//! and read again with the same persons.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use safir_domain::consular::evisa::{EvisaSigningKey, verify_code};
use safir_domain::consular::mrz::Mrz;
use safir_domain::crisis::{cap, pfif};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
    if let Ok(doc) = pfif::parse(text) {
        let again = pfif::parse(&pfif::to_xml(&doc)).expect("what was read is written readable");
        assert_eq!(again.persons.len(), doc.persons.len());
    }
    let _ = cap::parse(text);
    let _ = Mrz::parse(text, today);
    let key = EvisaSigningKey::from_seed(&[7; 32]).verifying_key();
    let _ = verify_code(text, &[key], today);
});
