//! One test per refusal: each changed character is reported with the field and check it broke.

use super::*;

#[test]
fn shape_errors() {
    assert_eq!(
        Mrz::parse("", specimen_today()),
        Err(MrzError::LineCount { found: 0 })
    );
    assert_eq!(parse(&TD3[..1]), Err(MrzError::LineCount { found: 1 }));
    let four = [TD1[0], TD1[1], TD1[2], TD1[2]];
    assert_eq!(parse(&four), Err(MrzError::LineCount { found: 4 }));
    assert_eq!(
        parse(&[TD3[0], &TD3[1][..43]]),
        Err(MrzError::LineLength {
            line: 2,
            found: 43,
            expected: 44
        })
    );
    // A TD1 line inside a passport zone.
    assert_eq!(
        parse(&[TD3[0], TD1[1]]),
        Err(MrzError::LineLength {
            line: 2,
            found: 30,
            expected: 44
        })
    );
    let spaced = with_char(&TD3, 1, 15, ' ');
    assert_eq!(
        err(&spaced),
        MrzError::InvalidCharacter {
            line: 1,
            column: 15
        }
    );
    // Guillemets are a common misreading of `<<`; columns count characters, not bytes.
    let quoted = with_char(&TD1, 3, 9, '«');
    assert_eq!(
        err(&quoted),
        MrzError::InvalidCharacter { line: 3, column: 9 }
    );
    let arabic_digit = with_char(&TD3, 2, 14, '٧');
    assert_eq!(
        err(&arabic_digit),
        MrzError::InvalidCharacter {
            line: 2,
            column: 14
        }
    );
}

#[test]
fn each_check_digit_names_its_field() {
    let cases = [
        // (column on line 2 of the TD3 specimen, replacement, error)
        (9, '4', MrzError::CheckDigitDocumentNumber),
        (10, '7', MrzError::CheckDigitDocumentNumber),
        (10, '<', MrzError::CheckDigitDocumentNumber),
        (16, '9', MrzError::CheckDigitBirthDate),
        (20, '3', MrzError::CheckDigitBirthDate),
        (23, '1', MrzError::CheckDigitExpiryDate),
        (28, '8', MrzError::CheckDigitExpiryDate),
        (30, 'F', MrzError::CheckDigitPersonalNumber),
        (43, '2', MrzError::CheckDigitPersonalNumber),
        (44, '1', MrzError::CheckDigitComposite),
    ];
    for (column, c, expected) in cases {
        assert_eq!(
            err(&with_char(&TD3, 2, column, c)),
            expected,
            "column {column}"
        );
    }
    let td1_cases = [
        (1, 10, '1', MrzError::CheckDigitDocumentNumber),
        (2, 3, '1', MrzError::CheckDigitBirthDate),
        (2, 10, '3', MrzError::CheckDigitExpiryDate),
        (1, 20, 'X', MrzError::CheckDigitComposite),
        (2, 25, 'X', MrzError::CheckDigitComposite),
        (2, 30, '7', MrzError::CheckDigitComposite),
    ];
    for (line, column, c, expected) in td1_cases {
        assert_eq!(
            err(&with_char(&TD1, line, column, c)),
            expected,
            "{line}:{column}"
        );
    }
}

#[test]
fn field_errors() {
    let visa = with_char(&TD3, 1, 1, 'V');
    assert_eq!(err(&visa), MrzError::DocumentCode);
    let passport_as_card = with_char(&TD1, 1, 1, 'P');
    assert_eq!(err(&passport_as_card), MrzError::DocumentCode);
    let digit_type = with_char(&TD3, 1, 2, '1');
    assert_eq!(err(&digit_type), MrzError::DocumentCode);

    assert_eq!(
        err(&with_char(&TD3, 1, 3, 'Z')),
        MrzError::UnknownIssuingState
    );
    assert_eq!(
        err(&with_char(&TD3, 2, 12, 'Z')),
        MrzError::UnknownNationality
    );
    assert_eq!(
        err(&with_char(&TD1, 2, 16, 'Z')),
        MrzError::UnknownNationality
    );
    assert_eq!(err(&with_char(&TD3, 2, 21, 'X')), MrzError::UnknownSex);
    assert_eq!(err(&with_char(&TD1, 2, 8, '1')), MrzError::UnknownSex);

    assert_eq!(err(&with_char(&TD3, 1, 8, '1')), MrzError::InvalidName);
    assert_eq!(err(&with_char(&TD3, 1, 6, '<')), MrzError::InvalidName);
    assert_eq!(err(&with_char(&TD1, 3, 1, '<')), MrzError::InvalidName);

    let no_number = td3_with_line2("<<<<<<<<<<UTO7408122F1204159ZE184226B<<<<<10");
    assert_eq!(err(&no_number), MrzError::DocumentNumberMissing);

    let thirteenth_month = td3_with_line2("L898902C36UTO7413122F1204159ZE184226B<<<<<10");
    assert_eq!(err(&thirteenth_month), MrzError::InvalidBirthDate);
    let letter_in_birth = td3_with_line2("L898902C36UTO74O8122F1204159ZE184226B<<<<<10");
    assert_eq!(err(&letter_in_birth), MrzError::InvalidBirthDate);
    let february_30 = td3_with_line2("L898902C36UTO7408122F1202309ZE184226B<<<<<10");
    assert_eq!(err(&february_30), MrzError::InvalidExpiryDate);

    assert_eq!(
        Mrz::parse(&TD3.join("\n"), day(2026, 5, 1)),
        Err(MrzError::ExpiryOutOfRange)
    );
}

#[test]
fn codes_and_fields_for_the_form() {
    let cases = [
        (MrzError::LineCount { found: 1 }, "mrz_line_count", "mrz"),
        (
            MrzError::InvalidCharacter { line: 2, column: 3 },
            "mrz_invalid_character",
            "mrz",
        ),
        (
            MrzError::CheckDigitDocumentNumber,
            "mrz_check_digit_document_number",
            "document_number",
        ),
        (
            MrzError::CheckDigitBirthDate,
            "mrz_check_digit_birth_date",
            "birth_date",
        ),
        (
            MrzError::CheckDigitExpiryDate,
            "mrz_check_digit_expiry_date",
            "expiry_date",
        ),
        (
            MrzError::CheckDigitPersonalNumber,
            "mrz_check_digit_personal_number",
            "personal_number",
        ),
        (
            MrzError::CheckDigitComposite,
            "mrz_check_digit_composite",
            "composite",
        ),
        (
            MrzError::InvalidBirthDate,
            "mrz_invalid_date_birth",
            "birth_date",
        ),
        (
            MrzError::InvalidExpiryDate,
            "mrz_invalid_date_expiry",
            "expiry_date",
        ),
        (
            MrzError::UnknownIssuingState,
            "mrz_unknown_issuing_state",
            "issuing_state",
        ),
        (
            MrzError::UnknownNationality,
            "mrz_unknown_nationality",
            "nationality",
        ),
        (MrzError::UnknownSex, "mrz_unknown_sex", "sex"),
    ];
    for (e, code, field) in cases {
        assert_eq!((e.code(), e.field()), (code, field));
        assert_eq!(e.to_string(), code);
        assert_eq!(crate::ValidationError::from(e).code, code);
    }
    assert_eq!(
        MrzError::LineLength {
            line: 3,
            found: 29,
            expected: 30
        }
        .line(),
        Some(3)
    );
}
