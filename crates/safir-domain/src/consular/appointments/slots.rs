//! Turning weekly rules into bookable slots: local wall-clock times in the mission's zone,
//! each resolved to one UTC instant, with the days of a closure left out.
//!
//! Daylight-saving changes are decided here, once: a local start time that does not exist
//! (the hour skipped in spring) has no slot; a local start time that happens twice (the hour
//! repeated in autumn) has one slot, at its first occurrence. A slot lasts its length in real
//! minutes, so its end is computed in UTC and never jumps with the clock.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::{Closure, OpeningRule, ServiceCode};

/// Who a slot is for: every service, or one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlotScope {
    AllServices,
    Service(ServiceCode),
}

impl SlotScope {
    /// Storage form: `*` for every service, else the service code.
    pub fn as_key(&self) -> &str {
        match self {
            SlotScope::AllServices => "*",
            SlotScope::Service(s) => s.as_str(),
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        if key == "*" {
            Some(SlotScope::AllServices)
        } else {
            ServiceCode::parse(key).ok().map(SlotScope::Service)
        }
    }

    pub fn offers(&self, service: &ServiceCode) -> bool {
        match self {
            SlotScope::AllServices => true,
            SlotScope::Service(s) => s == service,
        }
    }
}

/// One bookable slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub scope: SlotScope,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub capacity: u16,
    /// The local date and start time the rule named, for display in the mission's zone.
    pub local_date: NaiveDate,
    pub local_start: NaiveTime,
}

/// The UTC instant of a local start time, by the rules in the module comment.
fn resolve(zone: Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

fn rule_slots(zone: Tz, rule: &OpeningRule, date: NaiveDate, out: &mut Vec<Slot>) {
    let length = Duration::minutes(i64::from(rule.slot_minutes()));
    let scope = match rule.service() {
        None => SlotScope::AllServices,
        Some(s) => SlotScope::Service(s.clone()),
    };
    let mut local = rule.start();
    loop {
        // Local times within one day: stop at the rule's end, or where the wall clock wraps
        // past midnight.
        let (next, wrapped) = local.overflowing_add_signed(length);
        if wrapped != 0 || next > rule.end() {
            break;
        }
        if let Some(start) = resolve(zone, date, local) {
            out.push(Slot {
                scope: scope.clone(),
                start,
                end: start + length,
                capacity: rule.capacity(),
                local_date: date,
                local_start: local,
            });
        }
        local = next;
    }
}

/// Every slot from `first` to `last` (local dates, inclusive), ordered by start then scope.
/// Two rules opening the same scope at the same instant add their capacities (two counters).
pub fn generate_slots(
    zone: Tz,
    rules: &[OpeningRule],
    closures: &[Closure],
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<Slot> {
    let mut out: Vec<Slot> = Vec::new();
    let mut date = first;
    while date <= last {
        if !closures.iter().any(|c| c.covers(date)) {
            for rule in rules.iter().filter(|r| r.applies_on(date)) {
                rule_slots(zone, rule, date, &mut out);
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    out.sort_by(|a, b| (a.start, &a.scope).cmp(&(b.start, &b.scope)));
    let mut merged: Vec<Slot> = Vec::with_capacity(out.len());
    for slot in out {
        match merged.last_mut() {
            Some(last) if last.start == slot.start && last.scope == slot.scope => {
                last.capacity = last.capacity.saturating_add(slot.capacity);
                last.end = last.end.max(slot.end);
            }
            _ => merged.push(slot),
        }
    }
    merged
}

/// The slots a booking for `service` may take: the service's own slots, and the slots open
/// to every service at the instants where the service has none of its own.
pub fn for_service(slots: &[Slot], service: &ServiceCode) -> Vec<Slot> {
    let own: Vec<DateTime<Utc>> = slots
        .iter()
        .filter(|s| s.scope == SlotScope::Service(service.clone()))
        .map(|s| s.start)
        .collect();
    slots
        .iter()
        .filter(|s| match &s.scope {
            SlotScope::Service(x) => x == service,
            SlotScope::AllServices => !own.contains(&s.start),
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::super::{parse_date, parse_time};
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn rule(
        day: Weekday,
        start: &str,
        end: &str,
        minutes: u16,
        service: Option<&str>,
    ) -> OpeningRule {
        OpeningRule::new(
            day,
            parse_time(start).unwrap(),
            parse_time(end).unwrap(),
            minutes,
            3,
            d("2026-01-01"),
            Some(d("2026-12-31")),
            service.map(|s| ServiceCode::parse(s).unwrap()),
        )
        .unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn starts(slots: &[Slot]) -> Vec<String> {
        slots
            .iter()
            .map(|s| s.start.format("%Y-%m-%dT%H:%MZ").to_string())
            .collect()
    }

    #[test]
    fn weekday_hours_follow_the_mission_clock_across_summer_time() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let rules = [rule(Weekday::Mon, "09:00", "10:00", 30, None)];
        // Summer time starts in Paris on Sunday 29 March 2026.
        let slots = generate_slots(paris, &rules, &[], d("2026-03-23"), d("2026-03-30"));
        assert_eq!(
            starts(&slots),
            [
                "2026-03-23T08:00Z",
                "2026-03-23T08:30Z",
                "2026-03-30T07:00Z",
                "2026-03-30T07:30Z"
            ]
        );
        assert_eq!(slots[0].end, utc("2026-03-23T08:30:00Z"));
        assert_eq!(slots[2].local_start, parse_time("09:00").unwrap());
        assert_eq!(slots[0].capacity, 3);
    }

    #[test]
    fn the_skipped_hour_has_no_slot_and_the_repeated_hour_has_one() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let rules = [rule(Weekday::Sun, "01:00", "04:00", 60, None)];
        // 29 March: 02:00 local does not exist (clocks go from 02:00 to 03:00).
        let spring = generate_slots(paris, &rules, &[], d("2026-03-29"), d("2026-03-29"));
        assert_eq!(starts(&spring), ["2026-03-29T00:00Z", "2026-03-29T01:00Z"]);
        // 25 October: 02:00 local happens twice; the slot is at the first (summer time) one.
        let autumn = generate_slots(paris, &rules, &[], d("2026-10-25"), d("2026-10-25"));
        assert_eq!(
            starts(&autumn),
            [
                "2026-10-24T23:00Z",
                "2026-10-25T00:00Z",
                "2026-10-25T02:00Z"
            ]
        );
        // Each lasts sixty real minutes, so none overlaps the next.
        for pair in autumn.windows(2) {
            assert!(pair[0].end <= pair[1].start);
            assert_eq!(pair[0].end - pair[0].start, Duration::minutes(60));
        }
    }

    #[test]
    fn closures_remove_whole_days_and_rules_keep_their_validity() {
        let dubai: Tz = "Asia/Dubai".parse().unwrap();
        let mut rules = vec![rule(Weekday::Fri, "10:00", "11:00", 60, None)];
        rules.push(
            OpeningRule::new(
                Weekday::Fri,
                parse_time("12:00").unwrap(),
                parse_time("13:00").unwrap(),
                60,
                1,
                d("2026-05-08"),
                None,
                None,
            )
            .unwrap(),
        );
        let closure = Closure::new(d("2026-05-08"), d("2026-05-08"), "عطلة", "Holiday").unwrap();
        let slots = generate_slots(dubai, &rules, &[closure], d("2026-05-01"), d("2026-05-15"));
        assert_eq!(
            starts(&slots),
            [
                "2026-05-01T06:00Z",
                "2026-05-15T06:00Z",
                "2026-05-15T08:00Z"
            ]
        );
    }

    #[test]
    fn service_slots_take_precedence_and_equal_rules_add_capacity() {
        let zone: Tz = "UTC".parse().unwrap();
        let visa = ServiceCode::parse("visa").unwrap();
        let rules = [
            rule(Weekday::Tue, "09:00", "10:00", 60, None),
            rule(Weekday::Tue, "09:00", "10:00", 60, None),
            rule(Weekday::Tue, "09:00", "11:00", 60, Some("visa")),
        ];
        let all = generate_slots(zone, &rules, &[], d("2026-06-02"), d("2026-06-02"));
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].scope, SlotScope::AllServices);
        assert_eq!(all[0].capacity, 6);
        let for_visa = for_service(&all, &visa);
        assert_eq!(for_visa.len(), 2);
        assert!(
            for_visa
                .iter()
                .all(|s| s.scope == SlotScope::Service(visa.clone()))
        );
        let passport = ServiceCode::parse("passport_renewal").unwrap();
        let for_passport = for_service(&all, &passport);
        assert_eq!(starts(&for_passport), ["2026-06-02T09:00Z"]);
        assert_eq!(SlotScope::from_key("*"), Some(SlotScope::AllServices));
        assert_eq!(SlotScope::from_key("visa"), Some(SlotScope::Service(visa)));
    }

    #[test]
    fn a_rule_ending_at_midnight_does_not_wrap() {
        let zone: Tz = "UTC".parse().unwrap();
        let rules = [rule(Weekday::Wed, "22:00", "23:59", 60, None)];
        let slots = generate_slots(zone, &rules, &[], d("2026-06-03"), d("2026-06-03"));
        assert_eq!(starts(&slots), ["2026-06-03T22:00Z"]);
    }
}
