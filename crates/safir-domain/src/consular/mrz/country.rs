//! The three-character state or organization codes of an MRZ: ISO 3166-1 alpha-3 plus the codes
//! ICAO 9303 part 3 reserves for Germany, British nationality classes, organizations and
//! nationality statuses.

use crate::CountryCode;

/// Codes that are not ISO alpha-3 but appear on genuine documents, with the country they stand
/// for when there is one.
const SPECIAL: &[(&str, Option<&str>)] = &[
    ("D", Some("DE")),
    ("GBD", Some("GB")),
    ("GBN", Some("GB")),
    ("GBO", Some("GB")),
    ("GBP", Some("GB")),
    ("GBS", Some("GB")),
    // Kosovo issues passports under RKS; ISO has not assigned it an alpha-3 code.
    ("RKS", Some("XK")),
    ("EUE", None),
    ("UNA", None),
    ("UNK", None),
    ("UNO", None),
    ("UTO", None),
    ("XBA", None),
    ("XCC", None),
    ("XCE", None),
    ("XCO", None),
    ("XDC", None),
    ("XEC", None),
    ("XES", None),
    ("XIM", None),
    ("XMP", None),
    ("XOM", None),
    ("XPO", None),
    ("XXA", None),
    ("XXB", None),
    ("XXC", None),
    ("XXX", None),
];

/// An issuing state or nationality as written in the zone (`FRA`, `D`, `XXA`), with the ISO
/// country it designates when it designates one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MrzCountry {
    code: String,
    country: Option<CountryCode>,
}

impl MrzCountry {
    /// Reads the 3-character field, trailing fillers allowed (`D<<`).
    pub(super) fn from_field(field: &str) -> Option<Self> {
        let code = field.trim_end_matches('<');
        if let Some((_, iso)) = SPECIAL.iter().find(|(c, _)| *c == code) {
            let country = match iso {
                Some(iso) => Some(CountryCode::parse(iso).ok()?),
                None => None,
            };
            return Some(Self {
                code: code.to_owned(),
                country,
            });
        }
        if code.len() != 3 {
            return None;
        }
        CountryCode::all()
            .find(|c| c.alpha3() == code)
            .map(|c| Self {
                code: code.to_owned(),
                country: Some(c),
            })
    }

    /// The code without fillers, exactly as the document prints it.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The ISO country, or `None` for organizations (`UNO`), statuses (`XXA` stateless,
    /// `XXB` refugee) and the specimen state `UTO`.
    pub fn country(&self) -> Option<CountryCode> {
        self.country
    }
}
