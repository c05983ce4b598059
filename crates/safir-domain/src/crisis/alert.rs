//! Crisis alerts: the life of an alert (draft → pending approval → sending → completed or
//! cancelled), the bilingual compose form and its validation, and the conversion to and from
//! CAP 1.2.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::cap::{
    CapAlert, CapArea, CapInfo, CapReference, Category, Certainty, MsgType, ResponseType, Scope,
    Severity, Status, Urgency,
};
use super::geo::{Circle, GeoError, Region, Target};
use crate::{CountryCode, FieldErrors, ValidationError};

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Draft,
    PendingApproval,
    Sending,
    Completed,
    Cancelled,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 5] = [
        AlertStatus::Draft,
        AlertStatus::PendingApproval,
        AlertStatus::Sending,
        AlertStatus::Completed,
        AlertStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Draft => "draft",
            AlertStatus::PendingApproval => "pending_approval",
            AlertStatus::Sending => "sending",
            AlertStatus::Completed => "completed",
            AlertStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or(ValidationError::new("alert_status_unknown"))
    }

    /// Whether the alert has gone out (or is going out): it is public as CAP from then on.
    pub fn is_published(self) -> bool {
        matches!(
            self,
            AlertStatus::Sending | AlertStatus::Completed | AlertStatus::Cancelled
        )
    }

    /// Whether the text and target may still change.
    pub fn is_editable(self) -> bool {
        self == AlertStatus::Draft
    }

    /// The next status after `action`, or why the action is refused.
    pub fn apply(self, action: AlertAction) -> Result<AlertStatus, AlertError> {
        use AlertStatus::*;
        match (self, action) {
            (Draft, AlertAction::Submit { needs_approval }) => Ok(if needs_approval {
                PendingApproval
            } else {
                Sending
            }),
            (PendingApproval, AlertAction::Approve { by_author: true }) => {
                Err(AlertError::SelfApproval)
            }
            (PendingApproval, AlertAction::Approve { by_author: false }) => Ok(Sending),
            (PendingApproval, AlertAction::Reject) => Ok(Draft),
            (Draft | PendingApproval | Sending, AlertAction::Cancel) => Ok(Cancelled),
            (Sending, AlertAction::Complete) => Ok(Completed),
            (from, action) => Err(AlertError::NotAllowed { from, action }),
        }
    }
}

impl fmt::Display for AlertStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What staff (or the delivery) do to an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    /// Send it: straight to sending when the audience is at most the approval threshold,
    /// else to a second staff member.
    Submit { needs_approval: bool },
    /// The second pair of eyes; `by_author` when the approver wrote the alert (refused).
    Approve { by_author: bool },
    /// Back to draft for changes.
    Reject,
    /// Withdrawn before sending, or stopped by a Cancel message while sending.
    Cancel,
    /// Every delivery has been attempted.
    Complete,
}

impl AlertAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertAction::Submit { .. } => "submit",
            AlertAction::Approve { .. } => "approve",
            AlertAction::Reject => "reject",
            AlertAction::Cancel => "cancel",
            AlertAction::Complete => "complete",
        }
    }
}

/// Whether an audience of `people` needs a second staff member (strictly above the threshold).
pub fn needs_approval(audience: u64, threshold: u64) -> bool {
    audience > threshold
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    #[error("the author of an alert cannot approve it")]
    SelfApproval,
    #[error("cannot {} an alert that is {from}", action.as_str())]
    NotAllowed {
        from: AlertStatus,
        action: AlertAction,
    },
}

impl AlertError {
    /// A stable code for messages (`alert-error-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            AlertError::SelfApproval => "self_approval",
            AlertError::NotAllowed { .. } => "not_allowed",
        }
    }
}

/// Lengths of the form's texts.
pub const HEADLINE_MAX: usize = 160;
pub const TEXT_MAX: usize = 4000;
pub const EVENT_MAX: usize = 120;
pub const AREA_DESC_MAX: usize = 400;

/// The maximum length of a field, for messages.
pub fn max_len(field: &str) -> usize {
    match field {
        "headline_ar" | "headline_en" => HEADLINE_MAX,
        "event" => EVENT_MAX,
        "area_desc" => AREA_DESC_MAX,
        _ => TEXT_MAX,
    }
}

/// The compose form as typed: every field a string, kept as is to show again on errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertForm {
    pub headline_ar: String,
    pub headline_en: String,
    pub description_ar: String,
    pub description_en: String,
    pub instruction_ar: String,
    pub instruction_en: String,
    pub category: String,
    pub event: String,
    pub response_type: String,
    pub urgency: String,
    pub severity: String,
    pub certainty: String,
    /// `YYYY-MM-DDTHH:MM` (UTC, as `<input type="datetime-local">` sends it) or RFC 3339.
    pub onset: String,
    pub expires: String,
    /// Country codes, separated by spaces or commas.
    pub countries: String,
    /// One region a line: `LB: Beirut`.
    pub regions: String,
    /// One CAP circle a line: `33.89,35.50 25`.
    pub circles: String,
    /// One CAP polygon a line: `lat,lon lat,lon …` (closed).
    pub polygons: String,
    /// A GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection.
    pub geojson: String,
    pub area_desc: String,
}

/// A validated alert, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertInput {
    pub headline_ar: String,
    pub headline_en: String,
    pub description_ar: String,
    pub description_en: String,
    pub instruction_ar: String,
    pub instruction_en: String,
    pub category: Category,
    pub event: String,
    pub response_type: ResponseType,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    pub onset: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
    pub target: Target,
    pub area_desc: String,
}

/// Why a form was refused: field codes, plus area errors that name the point.
#[derive(Debug, Clone, Default)]
pub struct AlertFormErrors {
    pub fields: FieldErrors,
    /// `(field, error)`: a polygon, circle or GeoJSON field that did not parse.
    pub geo: Vec<(String, GeoError)>,
}

impl AlertFormErrors {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.geo.is_empty()
    }
}

fn text(value: &str, max: usize, required: bool) -> Result<String, ValidationError> {
    let v = value.trim();
    if v.is_empty() && required {
        Err(ValidationError::new("required"))
    } else if v.chars().count() > max {
        Err(ValidationError::new("too_long"))
    } else if v
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        Err(ValidationError::new("invalid_characters"))
    } else {
        Ok(v.to_owned())
    }
}

/// A time typed in the form: RFC 3339, or `YYYY-MM-DDTHH:MM[:SS]` read as UTC. Empty: none.
pub fn parse_time(value: &str) -> Result<Option<DateTime<Utc>>, ValidationError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    // Four digits of a year from 1 first: chrono's `%Y` also takes a sign and any number of
    // digits (`-5000-…`, `+10000-…`), which PostgreSQL cannot store, CAP cannot write and the
    // form's date field cannot show.
    let b = v.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' || &b[..4] == b"0000" {
        return Err(ValidationError::new("alert_time_invalid"));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, format) {
            return Ok(Some(t.and_utc()));
        }
    }
    Err(ValidationError::new("alert_time_invalid"))
}

/// The form's value of a time (for showing a stored alert again).
pub fn format_time(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// The area fields of a form (also the crisis declaration's) as one target.
#[derive(Debug, Clone, Copy, Default)]
pub struct AreaFields<'a> {
    pub countries: &'a str,
    pub regions: &'a str,
    pub circles: &'a str,
    pub polygons: &'a str,
    pub geojson: &'a str,
}

/// Parses the area fields into one target; errors go to `errors` under each field's name.
pub fn parse_area(fields: AreaFields<'_>, errors: &mut AlertFormErrors) -> Target {
    let mut target = Target::default();
    for code in fields
        .countries
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        match CountryCode::parse(code) {
            Ok(c) if !target.countries.contains(&c) => target.countries.push(c),
            Ok(_) => {}
            Err(_) => {
                errors
                    .fields
                    .add("countries", ValidationError::new("alert_country_unknown"));
                break;
            }
        }
    }
    for line in fields
        .regions
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let parsed = line.split_once(':').and_then(|(c, name)| {
            let name = name.trim();
            CountryCode::parse(c.trim())
                .ok()
                .filter(|_| !name.is_empty() && name.chars().count() <= 120)
                .map(|country| Region {
                    country,
                    name: name.to_owned(),
                })
        });
        match parsed {
            Some(r) => target.regions.push(r),
            None => {
                errors
                    .fields
                    .add("regions", ValidationError::new("alert_region_invalid"));
                break;
            }
        }
    }
    for line in fields
        .circles
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        match Circle::parse_cap(line) {
            Ok(c) => target.circles.push(c),
            Err(e) => {
                errors.geo.push(("circles".to_owned(), e));
                break;
            }
        }
    }
    for line in fields
        .polygons
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        match Target::from_cap_polygon(line) {
            Ok(t) => target.polygons.extend(t.polygons),
            Err(e) => {
                errors.geo.push(("polygons".to_owned(), e));
                break;
            }
        }
    }
    if !fields.geojson.trim().is_empty() {
        match Target::parse_geojson(fields.geojson) {
            Ok(t) => {
                target.countries.extend(t.countries);
                target.regions.extend(t.regions);
                target.circles.extend(t.circles);
                target.polygons.extend(t.polygons);
            }
            Err(e) => errors.geo.push(("geojson".to_owned(), e)),
        }
    }
    target
}

impl AlertForm {
    /// Checks every field; all errors at once.
    pub fn validate(&self) -> Result<AlertInput, AlertFormErrors> {
        let mut errors = AlertFormErrors::default();
        let f = &mut errors.fields;
        let headline_ar = f.check("headline_ar", text(&self.headline_ar, HEADLINE_MAX, true));
        let headline_en = f.check("headline_en", text(&self.headline_en, HEADLINE_MAX, true));
        let description_ar = f.check("description_ar", text(&self.description_ar, TEXT_MAX, true));
        let description_en = f.check("description_en", text(&self.description_en, TEXT_MAX, true));
        let instruction_ar = f.check(
            "instruction_ar",
            text(&self.instruction_ar, TEXT_MAX, false),
        );
        let instruction_en = f.check(
            "instruction_en",
            text(&self.instruction_en, TEXT_MAX, false),
        );
        let category = f.check("category", Category::parse(&self.category));
        let event = f.check("event", text(&self.event, EVENT_MAX, true));
        let response_type = f.check("response_type", ResponseType::parse(&self.response_type));
        let urgency = f.check("urgency", Urgency::parse(&self.urgency));
        let severity = f.check("severity", Severity::parse(&self.severity));
        let certainty = f.check("certainty", Certainty::parse(&self.certainty));
        let onset = f.check("onset", parse_time(&self.onset));
        let expires = f.check("expires", parse_time(&self.expires));
        if let (Some(Some(a)), Some(Some(b))) = (onset, expires)
            && a >= b
        {
            f.add(
                "expires",
                ValidationError::new("alert_expires_before_onset"),
            );
        }
        let area_desc = f.check("area_desc", text(&self.area_desc, AREA_DESC_MAX, false));
        let target = parse_area(
            AreaFields {
                countries: &self.countries,
                regions: &self.regions,
                circles: &self.circles,
                polygons: &self.polygons,
                geojson: &self.geojson,
            },
            &mut errors,
        );
        if errors.is_empty() && target.is_empty() {
            errors
                .fields
                .add("countries", ValidationError::new("alert_target_empty"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        match (
            headline_ar,
            headline_en,
            description_ar,
            description_en,
            instruction_ar,
            instruction_en,
            category,
            event,
            (response_type, urgency, severity, certainty),
            (onset, expires, area_desc),
        ) {
            (
                Some(headline_ar),
                Some(headline_en),
                Some(description_ar),
                Some(description_en),
                Some(instruction_ar),
                Some(instruction_en),
                Some(category),
                Some(event),
                (Some(response_type), Some(urgency), Some(severity), Some(certainty)),
                (Some(onset), Some(expires), Some(area_desc)),
            ) => Ok(AlertInput {
                headline_ar,
                headline_en,
                description_ar,
                description_en,
                instruction_ar,
                instruction_en,
                category,
                event,
                response_type,
                urgency,
                severity,
                certainty,
                onset,
                expires,
                target,
                area_desc,
            }),
            _ => Err(errors),
        }
    }

    /// The form of a stored alert, its area written back as GeoJSON (countries and regions
    /// in their own fields).
    pub fn from_input(input: &AlertInput) -> AlertForm {
        let t = &input.target;
        let geometric = Target {
            circles: t.circles.clone(),
            polygons: t.polygons.clone(),
            ..Target::default()
        };
        AlertForm {
            headline_ar: input.headline_ar.clone(),
            headline_en: input.headline_en.clone(),
            description_ar: input.description_ar.clone(),
            description_en: input.description_en.clone(),
            instruction_ar: input.instruction_ar.clone(),
            instruction_en: input.instruction_en.clone(),
            category: input.category.as_str().to_owned(),
            event: input.event.clone(),
            response_type: input.response_type.as_str().to_owned(),
            urgency: input.urgency.as_str().to_owned(),
            severity: input.severity.as_str().to_owned(),
            certainty: input.certainty.as_str().to_owned(),
            onset: format_time(input.onset),
            expires: format_time(input.expires),
            countries: t
                .countries
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            regions: t
                .regions
                .iter()
                .map(|r| format!("{}: {}", r.country.as_str(), r.name))
                .collect::<Vec<_>>()
                .join("\n"),
            circles: String::new(),
            polygons: String::new(),
            geojson: if geometric.is_empty() {
                String::new()
            } else {
                geometric.to_geojson().to_string()
            },
            area_desc: input.area_desc.clone(),
        }
    }
}

/// What a CAP message needs besides the alert's text: who sends it, when, and what it
/// refers to.
#[derive(Debug, Clone)]
pub struct CapMeta {
    pub identifier: String,
    /// The sender: the ministry's host name or address.
    pub sender: String,
    pub sent: DateTime<Utc>,
    pub msg_type: MsgType,
    pub references: Vec<CapReference>,
    /// The alert's page or CAP address.
    pub web: Option<String>,
    /// The sender's name in each language (`[ar, en]`).
    pub sender_name: [String; 2],
}

/// The geocode name CAP areas use for whole countries.
pub const COUNTRY_GEOCODE: &str = "ISO3166-1";

fn non_empty(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_owned())
}

impl AlertInput {
    /// The alert as CAP 1.2: one `<info>` in Arabic, one in English, the same area in both.
    pub fn to_cap(&self, meta: &CapMeta) -> CapAlert {
        let t = &self.target;
        let info = |lang: crate::Lang, headline: &str, description: &str, instruction: &str| {
            let area_desc = if self.area_desc.trim().is_empty() {
                t.describe(lang)
            } else {
                self.area_desc.clone()
            };
            // The countries targeted whole. A region's country is not one of them: a CAP area
            // is the union of its shapes and codes, and a country code would tell the readers
            // that filter by code the whole country is concerned; the region is named in the
            // area's description.
            let geocodes: Vec<(String, String)> = t
                .countries
                .iter()
                .map(|c| (COUNTRY_GEOCODE.to_owned(), c.as_str().to_owned()))
                .collect();
            CapInfo {
                language: lang.code().to_owned(),
                categories: vec![self.category],
                event: self.event.clone(),
                response_types: vec![self.response_type],
                urgency: self.urgency,
                severity: self.severity,
                certainty: self.certainty,
                onset: self.onset,
                expires: self.expires,
                sender_name: non_empty(&meta.sender_name[usize::from(lang == crate::Lang::En)]),
                headline: non_empty(headline),
                description: non_empty(description),
                instruction: non_empty(instruction),
                web: meta.web.clone(),
                areas: vec![CapArea {
                    area_desc,
                    polygons: t.polygons.clone(),
                    circles: t.circles.clone(),
                    geocodes,
                }],
            }
        };
        CapAlert {
            identifier: meta.identifier.clone(),
            sender: meta.sender.clone(),
            sent: meta.sent,
            status: Status::Actual,
            msg_type: meta.msg_type,
            scope: Scope::Public,
            references: meta.references.clone(),
            infos: vec![
                info(
                    crate::Lang::Ar,
                    &self.headline_ar,
                    &self.description_ar,
                    &self.instruction_ar,
                ),
                info(
                    crate::Lang::En,
                    &self.headline_en,
                    &self.description_en,
                    &self.instruction_en,
                ),
            ],
        }
    }
}

impl AlertForm {
    /// A draft form from another authority's CAP alert: the Arabic and English `<info>`
    /// blocks (a single language fills both, for staff to translate), the first category and
    /// response type, and the shapes and country geocodes of every area of every `<info>`
    /// block (blocks may target different areas; the alert concerns them all), each once.
    pub fn from_cap(cap: &CapAlert) -> AlertForm {
        let lang_of = |i: &&CapInfo| i.language.to_ascii_lowercase();
        let ar = cap.infos.iter().find(|i| lang_of(i).starts_with("ar"));
        let en = cap
            .infos
            .iter()
            .find(|i| lang_of(i).starts_with("en"))
            .or_else(|| cap.infos.iter().find(|i| !lang_of(i).starts_with("ar")));
        let (Some(first), ar, en) = (en.or(ar), ar, en) else {
            return AlertForm::default();
        };
        let ar = ar.unwrap_or(first);
        let en = en.unwrap_or(first);
        let headline = |i: &CapInfo| i.headline.clone().unwrap_or_else(|| i.event.clone());
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut countries: Vec<String> = Vec::new();
        let mut polygons = Vec::new();
        let mut circles = Vec::new();
        let mut descs: Vec<String> = Vec::new();
        // The first block's areas first, then those of the others; a translated copy of an
        // area adds nothing, not even its description.
        let others = cap.infos.iter().filter(|i| !std::ptr::eq(*i, first));
        let areas = std::iter::once(first).chain(others).flat_map(|i| {
            i.areas
                .iter()
                .map(move |area| (std::ptr::eq(i, first), area))
        });
        for (in_first, area) in areas {
            // Whether the area adds something to target: an area of a later block that does
            // not is a translated copy of one before (its description would only repeat it),
            // unless it has nothing we can target at all (geocodes other than countries), when
            // its description is what tells staff that the draft does not reach it.
            let mut added = false;
            let mut targetable = !area.polygons.is_empty() || !area.circles.is_empty();
            for shape in area.polygons.iter().map(|p| p.to_cap()) {
                if !polygons.contains(&shape) {
                    polygons.push(shape);
                    added = true;
                }
            }
            for shape in area.circles.iter().map(|c| c.to_cap()) {
                if !circles.contains(&shape) {
                    circles.push(shape);
                    added = true;
                }
            }
            for (name, value) in &area.geocodes {
                let name = name.to_ascii_uppercase().replace(['-', '_', ' '], "");
                if (name == "ISO31661" || name == "ISO31661ALPHA2" || name == "COUNTRY")
                    && CountryCode::parse(value).is_ok()
                {
                    targetable = true;
                    if !countries.contains(value) {
                        countries.push(value.clone());
                        added = true;
                    }
                }
            }
            if (added || in_first || !targetable) && !descs.contains(&area.area_desc) {
                descs.push(area.area_desc.clone());
            }
        }
        AlertForm {
            headline_ar: headline(ar),
            headline_en: headline(en),
            description_ar: text(&ar.description),
            description_en: text(&en.description),
            instruction_ar: text(&ar.instruction),
            instruction_en: text(&en.instruction),
            category: first
                .categories
                .first()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            event: first.event.clone(),
            response_type: first
                .response_types
                .first()
                .map(|c| c.as_str())
                .unwrap_or(ResponseType::None.as_str())
                .to_owned(),
            urgency: first.urgency.as_str().to_owned(),
            severity: first.severity.as_str().to_owned(),
            certainty: first.certainty.as_str().to_owned(),
            onset: format_time(first.onset),
            expires: format_time(first.expires),
            countries: countries.join(" "),
            regions: String::new(),
            circles: circles.join("\n"),
            polygons: polygons.join("\n"),
            geojson: String::new(),
            area_desc: descs.join("; ").chars().take(AREA_DESC_MAX).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_needs_a_four_digit_year() {
        for bad in [
            "-5000-01-01T00:00",
            "+10000-01-01T00:00",
            "10000-01-01T00:00",
            "0000-01-01T00:00",
            "+2026-12-01T10:00",
        ] {
            assert_eq!(
                parse_time(bad).unwrap_err().code,
                "alert_time_invalid",
                "{bad}"
            );
        }
        for good in [
            "2026-12-01T10:00",
            "2026-12-01T10:00:30",
            "2026-12-01 10:00",
        ] {
            assert!(parse_time(good).unwrap().is_some(), "{good}");
        }
        assert_eq!(
            parse_time("2026-12-01T10:00:00+03:00").unwrap(),
            Some(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 1, 7, 0, 0).unwrap())
        );
    }

    fn form() -> AlertForm {
        AlertForm {
            headline_ar: "إعصار يقترب".into(),
            headline_en: "Cyclone approaching".into(),
            description_ar: "وصف".into(),
            description_en: "A cyclone will reach the coast tonight.".into(),
            instruction_ar: "ابق في الداخل".into(),
            instruction_en: "Stay indoors.".into(),
            category: "Met".into(),
            event: "Cyclone".into(),
            response_type: "Shelter".into(),
            urgency: "Immediate".into(),
            severity: "Severe".into(),
            certainty: "Likely".into(),
            onset: "2026-12-01T10:00".into(),
            expires: "2026-12-02T10:00".into(),
            countries: "om, ae".into(),
            regions: "LB: Beirut".into(),
            ..AlertForm::default()
        }
    }

    #[test]
    fn the_life_of_an_alert() {
        use AlertStatus::*;
        let small = AlertAction::Submit {
            needs_approval: false,
        };
        let large = AlertAction::Submit {
            needs_approval: true,
        };
        assert_eq!(Draft.apply(small), Ok(Sending));
        assert_eq!(Draft.apply(large), Ok(PendingApproval));
        assert_eq!(
            PendingApproval.apply(AlertAction::Approve { by_author: true }),
            Err(AlertError::SelfApproval)
        );
        assert_eq!(
            PendingApproval.apply(AlertAction::Approve { by_author: false }),
            Ok(Sending)
        );
        assert_eq!(PendingApproval.apply(AlertAction::Reject), Ok(Draft));
        assert_eq!(Sending.apply(AlertAction::Complete), Ok(Completed));
        assert_eq!(Sending.apply(AlertAction::Cancel), Ok(Cancelled));
        assert!(Completed.apply(AlertAction::Cancel).is_err());
        assert!(Sending.apply(small).is_err(), "a second submit is refused");
        assert!(
            Draft
                .apply(AlertAction::Approve { by_author: false })
                .is_err()
        );
        assert!(needs_approval(1001, 1000));
        assert!(!needs_approval(1000, 1000));
        for s in AlertStatus::ALL {
            assert_eq!(AlertStatus::parse(s.as_str()), Ok(s));
        }
    }

    #[test]
    fn a_complete_form_validates() {
        let input = form().validate().unwrap();
        assert_eq!(input.target.countries.len(), 2);
        assert_eq!(input.target.regions[0].name, "Beirut");
        assert_eq!(input.urgency, Urgency::Immediate);
        assert!(input.onset < input.expires);
        let again = AlertForm::from_input(&input).validate().unwrap();
        assert_eq!(again, input);
    }

    #[test]
    fn errors_name_the_fields() {
        let mut f = form();
        f.headline_en = "x".repeat(161);
        f.description_ar = " ".into();
        f.urgency = "Soon".into();
        f.expires = "2026-11-30T10:00".into();
        f.countries = "ZZ9".into();
        let e = f.validate().unwrap_err();
        let names: Vec<&str> = e.fields.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "headline_en",
                "description_ar",
                "urgency",
                "expires",
                "countries"
            ]
        );
        let mut f = form();
        f.countries.clear();
        f.regions.clear();
        assert_eq!(
            f.validate().unwrap_err().fields.get("countries"),
            Some(&ValidationError::new("alert_target_empty"))
        );
    }

    #[test]
    fn a_bad_polygon_names_the_field_and_point() {
        let mut f = form();
        f.polygons = "10,10 10,20 95,20 10,10".into();
        let e = f.validate().unwrap_err();
        assert_eq!(e.geo.len(), 1);
        assert_eq!(e.geo[0].0, "polygons");
        assert_eq!(e.geo[0].1.point(), Some(3));
    }

    /// The message's own details, for an alert written as CAP.
    fn meta() -> CapMeta {
        CapMeta {
            identifier: "safir-1".into(),
            sender: "safir.example".into(),
            sent: DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            msg_type: MsgType::Alert,
            references: Vec::new(),
            web: None,
            sender_name: ["وزارة".into(), "Ministry".into()],
        }
    }

    #[test]
    fn an_alert_goes_to_cap_and_back() {
        let mut f = form();
        f.polygons = "33.80,35.40 33.80,35.60 34.00,35.60 34.00,35.40 33.80,35.40".into();
        f.circles = "33.89,35.50 25".into();
        f.regions.clear();
        let input = f.validate().unwrap();
        let meta = meta();
        let cap = input.to_cap(&meta);
        assert_eq!(cap.infos.len(), 2);
        assert_eq!(cap.infos[0].language, "ar");
        assert_eq!(
            cap.infos[1].headline.as_deref(),
            Some("Cyclone approaching")
        );
        assert_eq!(cap.infos[1].areas[0].geocodes.len(), 2);
        let xml = cap.to_xml();
        let back = crate::crisis::cap::parse(&xml).unwrap();
        let again = AlertForm::from_cap(&back).validate().unwrap();
        assert_eq!(again.headline_ar, input.headline_ar);
        assert_eq!(again.description_en, input.description_en);
        assert_eq!(again.target.countries, input.target.countries);
        assert_eq!(again.target.polygons, input.target.polygons);
        assert_eq!(again.target.circles, input.target.circles);
        assert_eq!(again.onset, input.onset);
    }

    #[test]
    fn a_region_is_described_not_coded_as_its_whole_country() {
        let mut f = form();
        f.countries = "om".into();
        let input = f.validate().unwrap();
        let meta = meta();
        let area = &input.to_cap(&meta).infos[1].areas[0];
        assert_eq!(
            area.geocodes,
            [(COUNTRY_GEOCODE.to_owned(), "OM".to_owned())],
            "Lebanon is not coded for Beirut"
        );
        assert!(area.area_desc.contains("Beirut"), "{}", area.area_desc);
    }
}
