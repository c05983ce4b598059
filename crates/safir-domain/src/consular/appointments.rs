//! Consular appointments: a mission's weekly opening rules and closures, in the mission's own
//! time zone, and the bookable slots they produce as UTC instants.

mod slots;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::audit::AuditAction;
use crate::validation::ascii_number;

pub use slots::{Slot, SlotScope, for_service, generate_slots};

pub const RULE_CREATE: AuditAction = AuditAction::new("appointment_rule.create");
pub const RULE_REMOVE: AuditAction = AuditAction::new("appointment_rule.remove");
pub const CLOSURE_CREATE: AuditAction = AuditAction::new("appointment_closure.create");
pub const CLOSURE_REMOVE: AuditAction = AuditAction::new("appointment_closure.remove");
/// A staff member read the bookings of a day (names and emails of applicants).
pub const BOOKINGS_READ: AuditAction = AuditAction::new("appointment.read");
/// Staff cancelled someone's booking.
pub const BOOKING_CANCEL: AuditAction = AuditAction::new("appointment.cancel");

/// The shortest and longest slot a rule may cut.
pub const SLOT_MINUTES: std::ops::RangeInclusive<u16> = 5..=240;
/// People served at once in one slot.
pub const CAPACITY: std::ops::RangeInclusive<u16> = 1..=100;
/// Longest closure, so a typo in a year does not close a mission for a decade.
pub const CLOSURE_MAX_DAYS: i64 = 366;
const REASON_MAX: usize = 200;

/// The code of a consular service an appointment is for (`passport_renewal`, `visa`): 2–40
/// lower-case ASCII letters, digits and underscores, starting with a letter. The catalogue
/// of services lives elsewhere; an appointment only carries the code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ServiceCode(String);

impl ServiceCode {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ValidationError::new("required"));
        }
        let ok = (2..=40).contains(&s.len())
            && s.as_bytes()[0].is_ascii_lowercase()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new("service_code_invalid"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ServiceCode {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ServiceCode> for String {
    fn from(value: ServiceCode) -> Self {
        value.0
    }
}

/// The services the demo and the booking form offer by default.
pub const COMMON_SERVICES: [&str; 4] = [
    "passport_renewal",
    "visa",
    "emergency_travel_document",
    "notarial",
];

/// A mission's IANA time-zone name resolved against the compiled-in zone database.
pub fn parse_zone(name: &str) -> Result<Tz, ValidationError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| ValidationError::new("time_zone_unknown"))
}

/// ISO 8601 weekday number: 1 = Monday … 7 = Sunday.
pub fn parse_weekday(input: &str) -> Result<Weekday, ValidationError> {
    match ascii_number(input.trim()).parse::<u8>() {
        Ok(n @ 1..=7) => Ok(weekday_from_iso(n)),
        _ if input.trim().is_empty() => Err(ValidationError::new("required")),
        _ => Err(ValidationError::new("weekday_invalid")),
    }
}

pub fn weekday_from_iso(n: u8) -> Weekday {
    match n {
        1 => Weekday::Mon,
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        6 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

/// A wall-clock time `HH:MM` (seconds are not part of a schedule).
pub fn parse_time(input: &str) -> Result<NaiveTime, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ValidationError::new("required"));
    }
    NaiveTime::parse_from_str(&ascii_number(s), "%H:%M")
        .map_err(|_| ValidationError::new("time_invalid"))
}

/// A calendar date `YYYY-MM-DD`.
pub fn parse_date(input: &str) -> Result<NaiveDate, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ValidationError::new("required"));
    }
    crate::validation::iso_date(&ascii_number(s)).ok_or(ValidationError::new("date_invalid"))
}

fn parse_count(input: &str, range: std::ops::RangeInclusive<u16>) -> Result<u16, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ValidationError::new("required"));
    }
    match ascii_number(s).parse::<u16>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ValidationError::new("number_out_of_range")),
    }
}

pub fn parse_slot_minutes(input: &str) -> Result<u16, ValidationError> {
    parse_count(input, SLOT_MINUTES)
}

pub fn parse_capacity(input: &str) -> Result<u16, ValidationError> {
    parse_count(input, CAPACITY)
}

/// A recurring weekly opening: every `weekday` from `start` to `end` (local time), cut into
/// slots of `slot_minutes`, each serving `capacity` people, between `valid_from` and
/// `valid_until` (inclusive, local dates). `service: None` opens the hours to every service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningRule {
    weekday: Weekday,
    start: NaiveTime,
    end: NaiveTime,
    slot_minutes: u16,
    capacity: u16,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    service: Option<ServiceCode>,
}

/// Which field of a rule is wrong, for the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleField {
    End,
    SlotMinutes,
    ValidUntil,
}

impl OpeningRule {
    /// Checks the parts together: the hours run forward, hold at least one slot, and the
    /// validity period does not end before it starts.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        weekday: Weekday,
        start: NaiveTime,
        end: NaiveTime,
        slot_minutes: u16,
        capacity: u16,
        valid_from: NaiveDate,
        valid_until: Option<NaiveDate>,
        service: Option<ServiceCode>,
    ) -> Result<Self, (RuleField, ValidationError)> {
        if end <= start {
            return Err((RuleField::End, ValidationError::new("end_before_start")));
        }
        if !SLOT_MINUTES.contains(&slot_minutes) || !CAPACITY.contains(&capacity) {
            return Err((
                RuleField::SlotMinutes,
                ValidationError::new("number_out_of_range"),
            ));
        }
        if (end - start).num_minutes() < i64::from(slot_minutes) {
            return Err((
                RuleField::SlotMinutes,
                ValidationError::new("slot_longer_than_hours"),
            ));
        }
        if valid_until.is_some_and(|u| u < valid_from) {
            return Err((
                RuleField::ValidUntil,
                ValidationError::new("until_before_from"),
            ));
        }
        Ok(Self {
            weekday,
            start,
            end,
            slot_minutes,
            capacity,
            valid_from,
            valid_until,
            service,
        })
    }

    pub fn weekday(&self) -> Weekday {
        self.weekday
    }
    pub fn start(&self) -> NaiveTime {
        self.start
    }
    pub fn end(&self) -> NaiveTime {
        self.end
    }
    pub fn slot_minutes(&self) -> u16 {
        self.slot_minutes
    }
    pub fn capacity(&self) -> u16 {
        self.capacity
    }
    pub fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }
    pub fn valid_until(&self) -> Option<NaiveDate> {
        self.valid_until
    }
    pub fn service(&self) -> Option<&ServiceCode> {
        self.service.as_ref()
    }

    /// Whether the rule opens on this local date.
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        date.weekday() == self.weekday
            && date >= self.valid_from
            && self.valid_until.is_none_or(|u| date <= u)
    }
}

/// Days a mission is closed (holidays, moves), first and last day inclusive, in local
/// dates, with the reason in Arabic and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    first_day: NaiveDate,
    last_day: NaiveDate,
    reason_ar: String,
    reason_en: String,
}

/// Which field of a closure is wrong, for the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosureField {
    LastDay,
    ReasonAr,
    ReasonEn,
}

/// A closure's reason in one language: required, at most `REASON_MAX` characters, trimmed.
pub fn parse_closure_reason(input: &str) -> Result<String, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        Err(ValidationError::new("required"))
    } else if let Err(e) = crate::consular::service::check_characters(s) {
        Err(e)
    } else if s.chars().count() > REASON_MAX {
        Err(ValidationError::new("too_long"))
    } else {
        Ok(s.to_owned())
    }
}

impl Closure {
    pub fn new(
        first_day: NaiveDate,
        last_day: NaiveDate,
        reason_ar: &str,
        reason_en: &str,
    ) -> Result<Self, (ClosureField, ValidationError)> {
        if last_day < first_day {
            return Err((
                ClosureField::LastDay,
                ValidationError::new("until_before_from"),
            ));
        }
        if (last_day - first_day).num_days() >= CLOSURE_MAX_DAYS {
            return Err((
                ClosureField::LastDay,
                ValidationError::new("closure_too_long"),
            ));
        }
        let reason_ar = parse_closure_reason(reason_ar).map_err(|e| (ClosureField::ReasonAr, e))?;
        let reason_en = parse_closure_reason(reason_en).map_err(|e| (ClosureField::ReasonEn, e))?;
        Ok(Self {
            first_day,
            last_day,
            reason_ar,
            reason_en,
        })
    }

    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }
    pub fn last_day(&self) -> NaiveDate {
        self.last_day
    }

    /// A new closure must not be over already: one whose last day is before `today` (the
    /// mission's local date) closes nothing and is most likely a mistyped year.
    pub fn check_not_over(&self, today: NaiveDate) -> Result<(), (ClosureField, ValidationError)> {
        if self.last_day < today {
            Err((ClosureField::LastDay, ValidationError::new("closure_over")))
        } else {
            Ok(())
        }
    }
    pub fn reason_ar(&self) -> &str {
        &self.reason_ar
    }
    pub fn reason_en(&self) -> &str {
        &self.reason_en
    }

    pub fn covers(&self, date: NaiveDate) -> bool {
        date >= self.first_day && date <= self.last_day
    }
}

/// A booking's life: booked, then cancelled or moved to another slot (a new booking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Booked,
    Cancelled,
    Rescheduled,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Rescheduled => "rescheduled",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s {
            "booked" => Ok(BookingStatus::Booked),
            "cancelled" => Ok(BookingStatus::Cancelled),
            "rescheduled" => Ok(BookingStatus::Rescheduled),
            _ => Err(ValidationError::new("booking_status_unknown")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_or_say_why_not() {
        assert_eq!(
            ServiceCode::parse(" passport_renewal ").unwrap().as_str(),
            "passport_renewal"
        );
        for bad in ["P", "Passport", "1visa", "visa x", "visa.x", "ﻓﻴﺰا"] {
            assert!(ServiceCode::parse(bad).is_err(), "{bad}");
        }
        // The catalogue's codes, hyphens included.
        assert_eq!(
            ServiceCode::parse("schengen-c").unwrap().as_str(),
            "schengen-c"
        );
        assert_eq!(ServiceCode::parse("").unwrap_err().code, "required");
        assert_eq!(parse_weekday("7").unwrap(), Weekday::Sun);
        assert_eq!(parse_weekday("8").unwrap_err().code, "weekday_invalid");
        assert_eq!(parse_time("09:30").unwrap().to_string(), "09:30:00");
        assert_eq!(parse_time("25:00").unwrap_err().code, "time_invalid");
        // As typed on an Arabic keyboard.
        assert_eq!(parse_time("٠٩:٣٠").unwrap().to_string(), "09:30:00");
        assert_eq!(parse_weekday("٥").unwrap(), Weekday::Fri);
        assert_eq!(parse_capacity("٢").unwrap(), 2);
        assert_eq!(parse_slot_minutes("۲۰").unwrap(), 20);
        assert_eq!(parse_date("٢٠٢٦-١٢-٢٤").unwrap().to_string(), "2026-12-24");
        assert_eq!(parse_date("2026-02-30").unwrap_err().code, "date_invalid");
        assert_eq!(parse_capacity("0").unwrap_err().code, "number_out_of_range");
        assert_eq!(
            parse_slot_minutes("abc").unwrap_err().code,
            "number_out_of_range"
        );
        assert!(parse_zone("Europe/Paris").is_ok());
        assert_eq!(
            parse_zone("Mars/Olympus").unwrap_err().code,
            "time_zone_unknown"
        );
    }

    #[test]
    fn rules_and_closures_refuse_impossible_shapes() {
        let d = |s| parse_date(s).unwrap();
        let t = |s| parse_time(s).unwrap();
        let rule = |start, end, minutes, until| {
            OpeningRule::new(
                Weekday::Mon,
                t(start),
                t(end),
                minutes,
                2,
                d("2026-01-01"),
                until,
                None,
            )
        };
        assert_eq!(
            rule("12:00", "09:00", 30, None).unwrap_err().0,
            RuleField::End
        );
        assert_eq!(
            rule("09:00", "09:20", 30, None).unwrap_err().0,
            RuleField::SlotMinutes
        );
        assert_eq!(
            rule("09:00", "12:00", 30, Some(d("2025-12-31")))
                .unwrap_err()
                .0,
            RuleField::ValidUntil
        );
        assert!(rule("09:00", "12:00", 30, Some(d("2026-01-01"))).is_ok());
        assert_eq!(
            Closure::new(d("2026-05-02"), d("2026-05-01"), "عطلة", "Holiday")
                .unwrap_err()
                .0,
            ClosureField::LastDay
        );
        assert_eq!(
            Closure::new(d("2026-05-01"), d("2026-05-01"), " ", "Holiday")
                .unwrap_err()
                .0,
            ClosureField::ReasonAr
        );
        let labour_day =
            Closure::new(d("2026-05-01"), d("2026-05-01"), "عيد العمال", "Labour Day").unwrap();
        assert!(labour_day.check_not_over(d("2026-05-01")).is_ok());
        assert!(labour_day.check_not_over(d("2026-04-01")).is_ok());
        assert_eq!(
            labour_day.check_not_over(d("2026-05-02")).unwrap_err().0,
            ClosureField::LastDay
        );
    }
}
