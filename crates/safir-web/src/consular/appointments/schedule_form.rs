//! The schedule forms as typed, checked into an opening rule or a closure with every
//! failure reported beside its field.

use safir_domain::consular::appointments::{
    Closure, ClosureField, OpeningRule, RuleField, ServiceCode, parse_capacity,
    parse_closure_reason, parse_date, parse_slot_minutes, parse_time, parse_weekday,
};

use chrono::NaiveDate;

use super::labels;
use crate::admin::support::FormData;
use crate::error::FieldErrors;

/// Every failure of the rule form at once, or the rule.
pub fn parse_rule(d: &FormData) -> Result<OpeningRule, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut check = |field: &str, r: Result<(), safir_domain::ValidationError>| {
        if let Err(e) = r {
            errors.add(labels::field_error(field, &e));
        }
    };
    let weekday = parse_weekday(d.get("weekday"));
    check("weekday", weekday.clone().map(drop));
    let start = parse_time(d.get("start_time"));
    check("start_time", start.clone().map(drop));
    let end = parse_time(d.get("end_time"));
    check("end_time", end.clone().map(drop));
    let minutes = parse_slot_minutes(d.get("slot_minutes"));
    check("slot_minutes", minutes.clone().map(drop));
    let capacity = parse_capacity(d.get("capacity"));
    check("capacity", capacity.clone().map(drop));
    let from = parse_date(d.get("valid_from"));
    check("valid_from", from.clone().map(drop));
    let until = match d.get("valid_until").trim() {
        "" => Ok(None),
        s => parse_date(s).map(Some),
    };
    check("valid_until", until.clone().map(drop));
    let service = match d.get("service").trim() {
        "" => Ok(None),
        s => ServiceCode::parse(s).map(Some),
    };
    check("service", service.clone().map(drop));
    let (
        Ok(weekday),
        Ok(start),
        Ok(end),
        Ok(minutes),
        Ok(capacity),
        Ok(from),
        Ok(until),
        Ok(service),
    ) = (weekday, start, end, minutes, capacity, from, until, service)
    else {
        return Err(errors);
    };
    OpeningRule::new(weekday, start, end, minutes, capacity, from, until, service).map_err(
        |(field, e)| {
            let name = match field {
                RuleField::End => "end_time",
                RuleField::SlotMinutes => "slot_minutes",
                RuleField::ValidUntil => "valid_until",
            };
            errors.add(labels::field_error(name, &e));
            errors
        },
    )
}

/// Every failure of the closure form at once (each day, each reason), or the closure; a
/// closure that ended before `today` (the mission's local date) is refused.
pub fn parse_closure(d: &FormData, today: NaiveDate) -> Result<Closure, FieldErrors> {
    let mut errors = FieldErrors::new();
    let first = parse_date(d.get("first_day"))
        .map_err(|e| errors.add(labels::field_error("first_day", &e)));
    let last =
        parse_date(d.get("last_day")).map_err(|e| errors.add(labels::field_error("last_day", &e)));
    for field in ["reason_ar", "reason_en"] {
        if let Err(e) = parse_closure_reason(d.get(field)) {
            errors.add(labels::field_error(field, &e));
        }
    }
    let (Ok(first), Ok(last)) = (first, last) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Closure::new(first, last, d.get("reason_ar"), d.get("reason_en"))
        .and_then(|c| c.check_not_over(today).map(|()| c))
        .map_err(|(field, e)| {
            let name = match field {
                ClosureField::LastDay => "last_day",
                ClosureField::ReasonAr => "reason_ar",
                ClosureField::ReasonEn => "reason_en",
            };
            errors.add(labels::field_error(name, &e));
            errors
        })
}

/// What the audit trail keeps of a new rule: the fields as stored, in the shape of a removed
/// one (numbers as numbers, the weekday counted from Monday = 1).
pub fn rule_summary(r: &OpeningRule) -> serde_json::Value {
    serde_json::json!({
        "weekday": r.weekday().number_from_monday(),
        "start_time": r.start().format("%H:%M").to_string(),
        "end_time": r.end().format("%H:%M").to_string(),
        "slot_minutes": r.slot_minutes(), "capacity": r.capacity(),
        "service": r.service().map(|s| s.as_str()),
        "valid_from": r.valid_from().to_string(),
        "valid_until": r.valid_until().map(|d| d.to_string()),
    })
}

/// What the audit trail keeps of a removed rule.
pub fn removed_rule_summary(
    r: &safir_store::consular::appointments::schedule::RuleRow,
) -> serde_json::Value {
    serde_json::json!({
        "weekday": r.weekday, "start_time": r.start_time, "end_time": r.end_time,
        "slot_minutes": r.slot_minutes, "capacity": r.capacity, "service": r.service,
        "valid_from": r.valid_from, "valid_until": r.valid_until,
    })
}

/// What the audit trail keeps of a removed closure.
pub fn removed_closure_summary(
    c: &safir_store::consular::appointments::schedule::ClosureRow,
) -> serde_json::Value {
    serde_json::json!({
        "first_day": c.first_day, "last_day": c.last_day,
        "reason_ar": c.reason_ar, "reason_en": c.reason_en,
    })
}

/// What the audit trail keeps of a new closure.
pub fn closure_summary(c: &Closure) -> serde_json::Value {
    serde_json::json!({
        "first_day": c.first_day().to_string(), "last_day": c.last_day().to_string(),
        "reason_ar": c.reason_ar(), "reason_en": c.reason_en(),
    })
}
