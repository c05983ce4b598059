//! What an e-visa shows, field by field in both languages, shared by the printable page, the
//! PDF and the public check (which masks the passport number and leaves out the birth date).

use chrono::NaiveDate;
use chrono_tz::Tz;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use safir_domain::Lang as ContentLang;
use safir_domain::consular::evisa::EvisaPayload;
use safir_store::StoreError;
use safir_store::missions::{self, Mission};

use crate::i18n::{Lang, t, t_count};
use crate::state::AppState;

/// One field: its label and value in Arabic and in English.
#[derive(Debug, Clone)]
pub struct FieldRow {
    pub label_ar: String,
    pub label_en: String,
    pub value_ar: String,
    pub value_en: String,
}

impl FieldRow {
    fn new(key: &str, value_ar: String, value_en: String) -> FieldRow {
        let label = format!("evisa-field-{key}");
        FieldRow {
            label_ar: t(Lang::Ar, &label),
            label_en: t(Lang::En, &label),
            value_ar,
            value_en,
        }
    }

    fn same(key: &str, value: String) -> FieldRow {
        FieldRow::new(key, value.clone(), value)
    }

    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ar => &self.label_ar,
            Lang::En => &self.label_en,
        }
    }

    pub fn value(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ar => &self.value_ar,
            Lang::En => &self.value_en,
        }
    }
}

/// One message in both languages, for documents that are always bilingual.
#[derive(Debug, Clone)]
pub struct Both {
    pub ar: String,
    pub en: String,
}

impl Both {
    pub fn of(key: &str) -> Both {
        Both {
            ar: t(Lang::Ar, key),
            en: t(Lang::En, key),
        }
    }
}

/// Who will read the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The holder or an officer: every field, the passport number in full.
    Document,
    /// Whoever holds the code: enough to match visa and passport, no more.
    Public,
}

fn in_both(f: impl Fn(Lang) -> String) -> (String, String) {
    (f(Lang::Ar), f(Lang::En))
}

/// The fields of `payload` for `audience`, the mission named (and the issue date read) as
/// `mission` gives them. `zone_if_unknown` is the calendar of the issue date when the mission
/// is not known: the configured e-visa zone.
pub fn rows(
    payload: &EvisaPayload,
    mission: Option<&Mission>,
    zone_if_unknown: Tz,
    audience: Audience,
) -> Vec<FieldRow> {
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let holder = &payload.holder;
    let terms = &payload.terms;
    let mut out = vec![
        FieldRow::same("number", payload.visa_number.as_str().to_owned()),
        FieldRow::same("holder", holder.name.as_str().to_owned()),
        FieldRow::same(
            "passport",
            match audience {
                Audience::Document => holder.passport_number.as_str().to_owned(),
                Audience::Public => holder.passport_number.masked(),
            },
        ),
    ];
    let (ar, en) = (
        holder.nationality.name(ContentLang::Ar).to_owned(),
        holder.nationality.name(ContentLang::En).to_owned(),
    );
    out.push(FieldRow::new("nationality", ar, en));
    if audience == Audience::Document {
        out.push(FieldRow::same("birth-date", date(holder.birth_date)));
    }
    // The category by its name in each language where it is one of the catalogue's.
    let code = terms.visa_type().as_str();
    out.push(match crate::consular::approval::catalogue_visa_type(code) {
        Some(t) => {
            let (ar, en) = in_both(|l| crate::consular::labels::visa_type(l, t));
            FieldRow::new("type", ar, en)
        }
        None => FieldRow::same("type", code.to_owned()),
    });
    let entries = format!("evisa-entries-{}", terms.entries().as_str());
    let (ar, en) = in_both(|l| t(l, &entries));
    out.push(FieldRow::new("entries", ar, en));
    out.push(FieldRow::same("valid-from", date(terms.valid_from())));
    out.push(FieldRow::same("valid-until", date(terms.valid_until())));
    let (ar, en) = in_both(|l| t_count(l, "evisa-max-stay-days", i64::from(terms.max_stay_days())));
    out.push(FieldRow::new("max-stay", ar, en));
    let code = payload.mission_code.as_str();
    let (ar, en) = match mission {
        Some(m) => (
            format!("{} ({code})", m.name(ContentLang::Ar)),
            format!("{} ({code})", m.name(ContentLang::En)),
        ),
        None => (code.to_owned(), code.to_owned()),
    };
    out.push(FieldRow::new("mission", ar, en));
    out.push(FieldRow::same(
        "issued-at",
        date(issued_on(payload, mission, zone_if_unknown)),
    ));
    out
}

/// The day `payload` was issued on the issuing mission's calendar: the one its number's year
/// was read in (`numbering_year`; UTC for a zone the database does not know), so that a visa
/// approved in Tokyo at 02:00 on 1 January, numbered in the new year, is not dated
/// 31 December. Without the mission, the day in `zone_if_unknown`.
fn issued_on(payload: &EvisaPayload, mission: Option<&Mission>, zone_if_unknown: Tz) -> NaiveDate {
    let zone = match mission {
        Some(m) => m.time_zone.parse::<Tz>().unwrap_or(Tz::UTC),
        None => zone_if_unknown,
    };
    payload.issued_at().with_timezone(&zone).date_naive()
}

/// The issuing mission: the one the register names (`mission_id`, still right after the
/// mission's code changed), else the one whose code the payload carries, when this ministry
/// still has it.
pub async fn mission_of(
    state: &AppState,
    mission_id: Option<&str>,
    payload: &EvisaPayload,
) -> Option<Mission> {
    let found = match mission_id {
        Some(id) => match missions::find(&state.db, id).await {
            Ok(m) => Ok(Some(m)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        },
        None => missions::find_by_code(&state.db, payload.mission_code.as_str()).await,
    };
    match found {
        Ok(m) => m,
        Err(e) => {
            // The check itself stands without the mission's name; say so in the log only.
            tracing::warn!(error = %e, "mission lookup for an e-visa failed");
            None
        }
    }
}

/// The QR code of `url` at error-correction level M.
pub fn qr_code(url: &str) -> Option<QrCode> {
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()
}

/// The QR code as inline SVG (dark modules as one path; no script, no external image).
pub fn qr_svg(url: &str) -> String {
    qr_code(url)
        .map(|code| {
            code.render::<svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use safir_domain::CountryCode;
    use safir_domain::consular::evisa::*;
    use safir_domain::mission::MissionCode;

    use super::*;

    /// The QR code of a realistic visa (a long name, a 32-character site address) stays small
    /// enough to scan from paper: version 12 at level M, 65 modules a side.
    #[test]
    fn a_typical_visa_fits_a_version_12_qr_code() {
        let key = EvisaSigningKey::from_seed(&[9; 32]);
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mission = MissionCode::parse("PAR").unwrap();
        let payload = EvisaPayload::new(
            VisaNumber::new(&mission, 2026, 123_456).unwrap(),
            EvisaHolder {
                name: HolderName::parse("AL-HASHIMI MOHAMMED ABDULLAH").unwrap(),
                passport_number: PassportNo::parse("L898902C3").unwrap(),
                nationality: CountryCode::parse("JO").unwrap(),
                birth_date: date(1980, 1, 31),
            },
            EvisaTerms::new(
                VisaTypeCode::parse("TOUR").unwrap(),
                Entries::Multiple,
                date(2026, 3, 1),
                date(2027, 2, 28),
                90,
            )
            .unwrap(),
            mission,
            Utc.with_ymd_and_hms(2026, 2, 14, 9, 30, 15).unwrap(),
            key.id(),
        );
        let url = key
            .sign(&payload)
            .verify_url("https://consular.mfa.example.gov");
        let code = qr_code(&url).unwrap();
        assert_eq!(url.len(), 257, "{url}");
        assert_eq!(code.version(), qrcode::Version::Normal(12));
        assert_eq!(code.width(), 65);
    }
}
