//! Writing a parsed zone back in its canonical form, check digits recomputed.

use std::fmt;

use super::{Mrz, MrzKind, Sex, check_digit, dates};

/// Pads with fillers (or cuts) to exactly `width` characters.
fn pad(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width).collect();
    while out.len() < width {
        out.push('<');
    }
    out
}

fn digit(field: &str) -> char {
    char::from(b'0' + check_digit(field.as_bytes()))
}

impl Mrz {
    fn name_field(&self, width: usize) -> String {
        let surname = self.surname.replace(' ', "<");
        let given = self.given_names.replace(' ', "<");
        pad(&format!("{surname}<<{given}"), width)
    }

    fn sex_char(&self) -> char {
        match self.sex {
            Sex::Female => 'F',
            Sex::Male => 'M',
            Sex::Unspecified => '<',
        }
    }

    fn td3_lines(&self) -> [String; 2] {
        let l1 = format!(
            "{}{}{}",
            pad(&self.document_code, 2),
            pad(self.issuing_state.code(), 3),
            self.name_field(39)
        );
        let number = pad(&self.document_number, 9);
        let birth = dates::format(self.birth_date);
        let expiry = dates::format(self.expiry_date);
        let personal = pad(&self.optional_data, 14);
        let personal_digit = if self.optional_data.is_empty() {
            '<'
        } else {
            digit(&personal)
        };
        let mut l2 = format!(
            "{number}{}{}{birth}{}{}{expiry}{}{personal}{personal_digit}",
            digit(&number),
            pad(self.nationality.code(), 3),
            digit(&birth),
            self.sex_char(),
            digit(&expiry),
        );
        let composite = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
        l2.push(digit(&composite));
        [l1, l2]
    }

    fn td1_lines(&self) -> [String; 3] {
        let number_part = if self.document_number.len() <= 9 {
            let number = pad(&self.document_number, 9);
            format!("{number}{}{}", digit(&number), pad(&self.optional_data, 15))
        } else {
            let (principal, rest) = self.document_number.split_at(9);
            let continued = format!(
                "{rest}{}<{}",
                digit(&self.document_number),
                self.optional_data
            );
            format!("{principal}<{}", pad(&continued, 15))
        };
        let l1 = format!(
            "{}{}{number_part}",
            pad(&self.document_code, 2),
            pad(self.issuing_state.code(), 3)
        );
        let birth = dates::format(self.birth_date);
        let expiry = dates::format(self.expiry_date);
        let mut l2 = format!(
            "{birth}{}{}{expiry}{}{}{}",
            digit(&birth),
            self.sex_char(),
            digit(&expiry),
            pad(self.nationality.code(), 3),
            pad(&self.optional_data_2, 11),
        );
        let composite = [&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]].concat();
        l2.push(digit(&composite));
        [l1, l2, self.name_field(30)]
    }
}

impl fmt::Display for Mrz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            MrzKind::Td3 => f.write_str(&self.td3_lines().join("\n")),
            MrzKind::Td1 => f.write_str(&self.td1_lines().join("\n")),
        }
    }
}
