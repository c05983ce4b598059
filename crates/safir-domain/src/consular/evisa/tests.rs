use chrono::{NaiveDate, TimeZone, Utc};
use ed25519_dalek::Signer;
use proptest::prelude::*;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn key(byte: u8) -> EvisaSigningKey {
    EvisaSigningKey::from_seed(&[byte; 32])
}

fn payload(key: &EvisaSigningKey) -> EvisaPayload {
    let mission = MissionCode::parse("PAR").unwrap();
    EvisaPayload::new(
        VisaNumber::new(&mission, 2026, 123).unwrap(),
        EvisaHolder {
            name: HolderName::parse("Eriksson Anna Maria").unwrap(),
            passport_number: PassportNo::parse("l898902c3").unwrap(),
            nationality: CountryCode::parse("SE").unwrap(),
            birth_date: date(1974, 8, 12),
        },
        EvisaTerms::new(
            VisaTypeCode::parse("tour").unwrap(),
            Entries::Multiple,
            date(2026, 3, 1),
            date(2026, 8, 31),
            90,
        )
        .unwrap(),
        mission,
        Utc.with_ymd_and_hms(2026, 2, 14, 9, 30, 15).unwrap(),
        key.id(),
    )
}

#[test]
fn a_signed_visa_verifies_and_round_trips() {
    let k = key(7);
    let p = payload(&k);
    let signed = k.sign(&p);
    let code = signed.code();
    let keys = [k.verifying_key()];
    assert_eq!(
        verify_code(&code, &keys, date(2026, 5, 1)),
        Verification::Valid(p.clone())
    );
    // The QR's URL and a pasted URL with spaces around it work as well as the bare code.
    let url = signed.verify_url("https://mfa.example/");
    assert!(url.starts_with("https://mfa.example/verify?v="));
    assert_eq!(
        verify_code(&format!("  {url}\n"), &keys, date(2026, 5, 1)).code(),
        "valid"
    );
    // Copied from the PDF, which prints the address in lines of 64 characters: the line
    // breaks (or the spaces a reader turns them into) are dropped too.
    let chars: Vec<char> = url.chars().collect();
    for sep in ["\n", "\r\n", " "] {
        let printed: Vec<String> = chars.chunks(64).map(|c| c.iter().collect()).collect();
        assert_eq!(
            verify_code(&printed.join(sep), &keys, date(2026, 5, 1)).code(),
            "valid",
            "{sep:?}"
        );
    }
    assert_eq!(EvisaPayload::decode(&signed.payload).unwrap(), p);
}

#[test]
fn the_byte_layout_is_the_documented_one() {
    let k = key(7);
    let bytes = payload(&k).encode();
    let mut expected = vec![1u8];
    expected.extend_from_slice(k.id().as_bytes());
    for s in ["PAR-V-2026-000123", "ERIKSSON ANNA MARIA", "L898902C3"] {
        expected.push(s.len() as u8);
        expected.extend_from_slice(s.as_bytes());
    }
    expected.extend_from_slice(b"SE");
    expected.extend_from_slice(&1684i32.to_be_bytes()); // 1974-08-12
    expected.extend_from_slice(&[4, b'T', b'O', b'U', b'R', 3]);
    expected.extend_from_slice(&20513i32.to_be_bytes()); // 2026-03-01
    expected.extend_from_slice(&20696i32.to_be_bytes()); // 2026-08-31
    expected.extend_from_slice(&90u16.to_be_bytes());
    expected.extend_from_slice(&[3, b'P', b'A', b'R']);
    expected.extend_from_slice(&1_771_061_415i64.to_be_bytes());
    assert_eq!(bytes, expected);
    assert_eq!(bytes.len(), 87);
}

#[test]
fn dates_decide_expired_and_not_yet_valid() {
    let k = key(7);
    let code = k.sign(&payload(&k)).code();
    let keys = [k.verifying_key()];
    let at = |d| verify_code(&code, &keys, d).code();
    assert_eq!(at(date(2026, 2, 28)), "not_yet_valid");
    assert_eq!(at(date(2026, 3, 1)), "valid");
    assert_eq!(at(date(2026, 8, 31)), "valid");
    assert_eq!(at(date(2026, 9, 1)), "expired");
    let revoked = verify_code(&code, &keys, date(2026, 5, 1)).with_revocation(true);
    assert_eq!(revoked.code(), "revoked");
    assert!(revoked.payload().is_some());
}

#[test]
fn a_tampered_payload_or_a_foreign_key_is_invalid() {
    let k = key(7);
    let p = payload(&k);
    let signed = k.sign(&p);
    let keys = [k.verifying_key()];
    let today = date(2026, 5, 1);

    // Extend the validity by a year: the signature no longer matches.
    let mut longer = p.clone();
    longer.terms = EvisaTerms::new(
        p.terms.visa_type().clone(),
        p.terms.entries(),
        p.terms.valid_from(),
        date(2027, 8, 31),
        90,
    )
    .unwrap();
    let forged = SignedEvisa {
        payload: longer.encode(),
        signature: signed.signature,
    };
    assert_eq!(
        verify_code(&forged.code(), &keys, today),
        Verification::Invalid(InvalidReason::BadSignature)
    );

    // Signed by another key that claims the ministry's key id.
    let other = key(8);
    let mut claimed = p.clone();
    claimed.key_id = k.id();
    let sig = other.key_for_tests().sign(&claimed.encode()).to_bytes();
    let impostor = SignedEvisa {
        payload: claimed.encode(),
        signature: sig,
    };
    assert_eq!(
        verify_code(&impostor.code(), &keys, today),
        Verification::Invalid(InvalidReason::BadSignature)
    );

    // Signed properly by a key the ministry does not publish.
    let stranger = other.sign(&payload(&other)).code();
    assert_eq!(
        verify_code(&stranger, &keys, today),
        Verification::Invalid(InvalidReason::UnknownKey)
    );
}

#[test]
fn garbage_is_malformed() {
    let keys = [key(7).verifying_key()];
    let today = date(2026, 5, 1);
    for input in [
        "",
        ".",
        "abc",
        "abc.def",
        "https://mfa.example/verify?v=",
        "https://mfa.example/verify?x=1",
        "AQ.AQ",
        &"A".repeat(5000),
    ] {
        assert_eq!(
            verify_code(input, &keys, today),
            Verification::Invalid(InvalidReason::Malformed),
            "{input:?}"
        );
    }
    // A non-canonical payload (lower-case name) is refused even before the signature.
    let k = key(7);
    let mut bytes = payload(&k).encode();
    let at = bytes.iter().position(|&b| b == b'E').unwrap();
    bytes[at] = b'e';
    assert_eq!(EvisaPayload::decode(&bytes), Err(DecodeError::NotCanonical));
    bytes.push(0);
    assert!(EvisaPayload::decode(&bytes).is_err());
}

#[test]
fn published_keys_are_standard_encodings() {
    let k = key(7).verifying_key();
    let der = k.spki_der();
    assert_eq!(der.len(), 44);
    assert_eq!(&der[12..], &k.to_bytes());
    let pem = k.spki_pem();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    assert_eq!(k.id().to_hex().len(), 8);
    assert_eq!(EvisaVerifyingKey::from_bytes(&k.to_bytes()), Some(k));
    assert!(!format!("{:?}", key(7)).contains("0707"));
}

#[test]
fn values_are_checked() {
    assert_eq!(
        PassportNo::parse("L898902C3").unwrap().masked(),
        "L89****C3"
    );
    assert_eq!(PassportNo::parse("AB12").unwrap().masked(), "A**2");
    assert_eq!(PassportNo::parse("A1").unwrap().masked(), "**");
    assert_eq!(
        PassportNo::parse("L898902C36").unwrap_err().code,
        "passport_number_too_long"
    );
    assert_eq!(
        PassportNo::parse("L89 8").unwrap_err().code,
        "passport_number_invalid_character"
    );
    assert_eq!(
        HolderName::parse("José").unwrap_err().code,
        "holder_name_invalid_character"
    );
    assert_eq!(
        HolderName::parse("  o'neil   mary-jo ").unwrap().as_str(),
        "O'NEIL MARY-JO"
    );
    assert_eq!(
        VisaNumber::parse("par-v-2026-000123").unwrap().as_str(),
        "PAR-V-2026-000123"
    );
    for bad in [
        "PAR-2026-000123",
        "PAR-V-26-000123",
        "PAR-V-2026-0000123",
        "PAR-V-2026-000000",
    ] {
        assert!(VisaNumber::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        EvisaTerms::new(
            VisaTypeCode::parse("C").unwrap(),
            Entries::Single,
            date(2026, 3, 2),
            date(2026, 3, 1),
            5
        )
        .unwrap_err()
        .code,
        "evisa_validity_order"
    );
    assert_eq!(Entries::parse("double").unwrap(), Entries::Double);
    assert!(VisaTypeCode::parse("TOURISTIC").is_err());
}

proptest! {
    #[test]
    fn any_input_is_answered_without_panic(s in ".{0,400}") {
        let keys = [key(7).verifying_key()];
        let _ = verify_code(&s, &keys, date(2026, 5, 1));
    }

    #[test]
    fn any_base64_pair_is_answered_without_panic(
        a in "[A-Za-z0-9_-]{0,200}",
        b in "[A-Za-z0-9_-]{0,100}",
    ) {
        let keys = [key(7).verifying_key()];
        let _ = verify_code(&format!("{a}.{b}"), &keys, date(2026, 5, 1));
    }

    #[test]
    fn changing_any_byte_invalidates(index in 0usize..87, flip in 1u8..=255) {
        let k = key(7);
        let signed = k.sign(&payload(&k));
        let mut tampered = signed.clone();
        tampered.payload[index] ^= flip;
        let v = verify_code(&tampered.code(), &[k.verifying_key()], date(2026, 5, 1));
        prop_assert!(matches!(v, Verification::Invalid(_)), "{:?}", v);
        let mut bad_sig = signed;
        bad_sig.signature[index % 64] ^= flip;
        let v = verify_code(&bad_sig.code(), &[k.verifying_key()], date(2026, 5, 1));
        prop_assert!(matches!(v, Verification::Invalid(_)), "{:?}", v);
    }
}
