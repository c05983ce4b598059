//! Appointments: schedules round-trip, bookings take and free seats, rescheduling is atomic,
//! and concurrent bookings never overfill a slot — on every backend.

use std::sync::Arc;

use chrono::{NaiveDate, Weekday};
use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_domain::consular::appointments::{
    Closure, OpeningRule, ServiceCode, Slot, generate_slots, parse_time,
};
use safir_store::consular::appointments::{
    self as appts, ALREADY_BOOKED, NewBooking, SLOT_FULL, schedule,
};
use safir_store::testing::TestDb;
use safir_store::{Db, StoreError, accounts, with_pool};

use crate::missions::create_paris;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Users without a real password: bookings only need the row.
async fn users(db: &Db, n: usize) -> Vec<String> {
    let mut tx = db.begin().await.unwrap();
    let name = DisplayName::parse("مراجع").unwrap();
    let mut out = Vec::new();
    for i in 0..n {
        let email = Email::parse(&format!("applicant{i}@example.org")).unwrap();
        let id = accounts::create_user(
            &mut tx,
            &accounts::NewUser {
                email: &email,
                display_name: &name,
                password_hash: "not-a-hash",
                kind: AccountKind::Public,
                lang: Lang::Ar,
                email_verified: true,
                request_key: None,
            },
        )
        .await
        .unwrap();
        out.push(id.to_string());
    }
    tx.commit().await.unwrap();
    out
}

/// Mondays 09:00–10:00 in Paris, 30-minute slots of `capacity`.
fn monday_rule(capacity: u16) -> OpeningRule {
    OpeningRule::new(
        Weekday::Mon,
        parse_time("09:00").unwrap(),
        parse_time("10:00").unwrap(),
        30,
        capacity,
        day("2026-01-01"),
        None,
        None,
    )
    .unwrap()
}

/// Paris, open on Mondays as [`monday_rule`] with `capacity` seats a slot; its id.
async fn paris_open_mondays(db: &Db, capacity: u16) -> String {
    let m = create_paris(db).await.to_string();
    let mut tx = db.begin().await.unwrap();
    schedule::add_rule(&mut tx, &m, &monday_rule(capacity))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    m
}

async fn slots_on(db: &Db, mission_id: &str, date: &str) -> Vec<Slot> {
    let s = schedule::load(db, mission_id, day(date)).await.unwrap();
    generate_slots(
        "Europe/Paris".parse().unwrap(),
        &s.rules,
        &s.closures,
        day(date),
        day(date),
    )
}

async fn book(
    db: &Db,
    mission_id: &str,
    user: &str,
    slot: &Slot,
) -> Result<appts::Appointment, StoreError> {
    let mut tx = db.begin().await?;
    let r = book_in(&mut tx, mission_id, user, slot).await;
    match r {
        Ok(a) => {
            tx.commit().await?;
            Ok(a)
        }
        Err(e) => {
            tx.rollback().await?;
            Err(e)
        }
    }
}

/// Books `slot` for `user` in the caller's transaction.
async fn book_in(
    tx: &mut safir_store::Tx,
    mission_id: &str,
    user: &str,
    slot: &Slot,
) -> Result<appts::Appointment, StoreError> {
    let service = ServiceCode::parse("passport_renewal").unwrap();
    appts::book(
        tx,
        &NewBooking {
            mission_id,
            user_id: user,
            service: &service,
            case_id: None,
            slot,
            lang: "ar",
        },
    )
    .await
}

#[tokio::test]
async fn schedules_round_trip_and_closures_close_days() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await.to_string();
        let mut tx = db.begin().await.unwrap();
        let rule_id = schedule::add_rule(&mut tx, &m, &monday_rule(2))
            .await
            .unwrap();
        let closure =
            Closure::new(day("2026-06-01"), day("2026-06-01"), "عطلة", "Holiday").unwrap();
        schedule::add_closure(&mut tx, &m, &closure).await.unwrap();
        tx.commit().await.unwrap();

        let rules = schedule::list_rules(db, &m).await.unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].rule().unwrap(), monday_rule(2));
        assert_eq!(slots_on(db, &m, "2026-06-08").await.len(), 2);
        assert!(slots_on(db, &m, "2026-06-01").await.is_empty(), "closed");
        assert_eq!(
            schedule::rules_running_since(db, day("2026-06-01"))
                .await
                .unwrap(),
            vec![(m.clone(), None)]
        );

        let mut tx = db.begin().await.unwrap();
        let removed = schedule::remove_rule(&mut tx, &m, &rule_id).await.unwrap();
        assert_eq!(removed.start_time, "09:00");
        assert!(matches!(
            schedule::remove_rule(&mut tx, &m, &rule_id).await,
            Err(StoreError::NotFound)
        ));
        tx.commit().await.unwrap();
        assert!(slots_on(db, &m, "2026-06-08").await.is_empty());
    }
}

#[tokio::test]
async fn bookings_take_seats_and_cancelling_frees_them() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = paris_open_mondays(db, 2).await;
        let people = users(db, 3).await;
        let slots = slots_on(db, &m, "2026-06-08").await;
        let slot = &slots[0];

        let a = book(db, &m, &people[0], slot).await.unwrap();
        assert_eq!(a.starts_at, slot.start);
        assert!(matches!(
            book(db, &m, &people[0], slot).await,
            Err(StoreError::Conflict(ALREADY_BOOKED))
        ));
        book(db, &m, &people[1], slot).await.unwrap();
        assert!(matches!(
            book(db, &m, &people[2], slot).await,
            Err(StoreError::Conflict(SLOT_FULL))
        ));
        let taken = appts::seats_taken(db, &m, slot.start, slot.end)
            .await
            .unwrap();
        assert_eq!(appts::seats_left(slot, &taken), 0);

        // Someone else cannot cancel it; its owner can, once.
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            appts::cancel(&mut tx, &a.id, Some(&people[2])).await,
            Err(StoreError::NotFound)
        ));
        let cancelled = appts::cancel(&mut tx, &a.id, Some(&people[0]))
            .await
            .unwrap();
        assert_eq!(cancelled.status, "cancelled");
        assert!(matches!(
            appts::cancel(&mut tx, &a.id, Some(&people[0])).await,
            Err(StoreError::NotFound)
        ));
        tx.commit().await.unwrap();

        book(db, &m, &people[2], slot).await.unwrap();
        let day_list = appts::list_for_mission(db, &m, slot.start, slot.end)
            .await
            .unwrap();
        assert_eq!(day_list.len(), 2);
        assert_eq!(
            appts::list_for_user(db, &people[0]).await.unwrap()[0].status,
            "cancelled"
        );
    }
}

#[tokio::test]
async fn one_person_holds_no_two_bookings_that_overlap() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = paris_open_mondays(db, 2).await;
        let people = users(db, 2).await;
        let slots = slots_on(db, &m, "2026-06-08").await;
        // 09:30–10:00 held; an hour from 09:00 (another rule's longer slot) overlaps it
        // without starting with it.
        book(db, &m, &people[0], &slots[1]).await.unwrap();
        let hour = Slot {
            end: slots[1].end,
            ..slots[0].clone()
        };
        assert!(matches!(
            book(db, &m, &people[0], &hour).await,
            Err(StoreError::Conflict(ALREADY_BOOKED))
        ));
        // Moving that booking onto a time that overlaps only itself is a move, not a clash.
        let mine = appts::list_for_user(db, &people[0]).await.unwrap();
        assert_eq!(mine.len(), 1);
        let mut tx = db.begin().await.unwrap();
        let (_, moved) = appts::reschedule(&mut tx, &mine[0].id, &people[0], &hour)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Now the half-hour inside it is refused to them, and free for someone else.
        assert!(matches!(
            book(db, &m, &people[0], &slots[1]).await,
            Err(StoreError::Conflict(ALREADY_BOOKED))
        ));
        book(db, &m, &people[1], &slots[1]).await.unwrap();
        assert_eq!((moved.starts_at, moved.ends_at), (hour.start, hour.end));
        // Back to back is no overlap.
        book(db, &m, &people[1], &slots[0]).await.unwrap();
    }
}

#[tokio::test]
async fn rescheduling_moves_the_seat_or_changes_nothing() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = paris_open_mondays(db, 1).await;
        let people = users(db, 2).await;
        let slots = slots_on(db, &m, "2026-06-08").await;
        let (first, second) = (&slots[0], &slots[1]);
        let mine = book(db, &m, &people[0], first).await.unwrap();
        book(db, &m, &people[1], second).await.unwrap();

        // The later slot is full: the reschedule fails and the booking stays as it was.
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            appts::reschedule(&mut tx, &mine.id, &people[0], second).await,
            Err(StoreError::Conflict(SLOT_FULL))
        ));
        tx.rollback().await.unwrap();
        assert!(appts::find(db, &mine.id).await.unwrap().is_booked());

        // The other person moves to the earlier slot once it is free.
        let theirs = appts::list_for_user(db, &people[1])
            .await
            .unwrap()
            .remove(0);
        let mut tx = db.begin().await.unwrap();
        appts::cancel(&mut tx, &mine.id, Some(&people[0]))
            .await
            .unwrap();
        let (old, new) = appts::reschedule(&mut tx, &theirs.id, &people[1], first)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(old.status, "rescheduled");
        assert_eq!(new.starts_at, first.start);
        assert_eq!(
            appts::find(db, &old.id)
                .await
                .unwrap()
                .rescheduled_to
                .as_deref(),
            Some(new.id.as_str())
        );
        let taken = appts::seats_taken(db, &m, first.start, second.end)
            .await
            .unwrap();
        assert_eq!(appts::seats_left(first, &taken), 0);
        assert_eq!(
            appts::seats_left(second, &taken),
            1,
            "the old seat is free again"
        );

        // The moved booking leads back to the first one, one move away.
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            appts::chain_start(&mut tx, &new.id).await.unwrap(),
            (theirs.id.clone(), 1)
        );
        assert_eq!(
            appts::chain_start(&mut tx, &theirs.id).await.unwrap(),
            (theirs.id.clone(), 0)
        );
        tx.rollback().await.unwrap();
        // A loop in the links (damaged data) is an error, not a walk without end.
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE appointments SET rescheduled_to = $1 WHERE id = $2")
                .bind(&theirs.id)
                .bind(&new.id)
                .execute(p)
                .await
                .map(|_| ())
        })
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            appts::chain_start(&mut tx, &new.id).await,
            Err(StoreError::Corrupt(_))
        ));
        tx.rollback().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_people_racing_for_three_seats_get_exactly_three() {
    for t in TestDb::all().await {
        let db = t.db.clone();
        let m = paris_open_mondays(&db, 3).await;
        let people = users(&db, 50).await;
        let slot = Arc::new(slots_on(&db, &m, "2026-06-08").await.remove(0));

        let start = Arc::new(tokio::sync::Barrier::new(people.len()));
        let mut tasks = Vec::new();
        for person in people {
            let (db, m, slot, start) = (db.clone(), m.clone(), slot.clone(), start.clone());
            tasks.push(tokio::spawn(async move {
                start.wait().await;
                book(&db, &m, &person, &slot).await
            }));
        }
        let (mut booked, mut full) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => booked += 1,
                Err(StoreError::Conflict(SLOT_FULL)) => full += 1,
                Err(e) => panic!("{:?}: unexpected error {e}", t.backend()),
            }
        }
        assert_eq!((booked, full), (3, 47), "{:?}", t.backend());
        let list = appts::list_for_mission(&db, &m, slot.start, slot.end)
            .await
            .unwrap();
        assert_eq!(list.len(), 3);
        let taken = appts::seats_taken(&db, &m, slot.start, slot.end)
            .await
            .unwrap();
        assert_eq!(taken[0].2, 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_person_racing_themself_for_overlapping_slots_gets_one() {
    for t in TestDb::all().await {
        let db = t.db.clone();
        let m = paris_open_mondays(&db, 2).await;
        let person = users(&db, 1).await.remove(0);
        let slots = slots_on(&db, &m, "2026-06-08").await;
        // An hour from 09:00 and the half-hour from 09:30: different seat counters, one
        // person; sent at once, again and again.
        let hour = Slot {
            end: slots[1].end,
            ..slots[0].clone()
        };
        for round in 0..5 {
            let (a, b) = tokio::join!(
                book(&db, &m, &person, &hour),
                book(&db, &m, &person, &slots[1])
            );
            let booked = [&a, &b].iter().filter(|r| r.is_ok()).count();
            assert_eq!(booked, 1, "{:?} round {round}: {a:?} {b:?}", t.backend());
            for r in [a, b] {
                match r {
                    Ok(_) | Err(StoreError::Conflict(ALREADY_BOOKED)) => {}
                    Err(e) => panic!("{:?}: unexpected error {e}", t.backend()),
                }
            }
            // Free the person again for the next round.
            let mine = appts::list_for_user(&db, &person).await.unwrap();
            let live = mine.iter().find(|a| a.status == "booked").unwrap();
            let mut tx = db.begin().await.unwrap();
            appts::cancel(&mut tx, &live.id, None).await.unwrap();
            tx.commit().await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_person_racing_themself_gets_one_booking() {
    for t in TestDb::all().await {
        let db = t.db.clone();
        let m = paris_open_mondays(&db, 10).await;
        let person = users(&db, 1).await.remove(0);
        let slot = Arc::new(slots_on(&db, &m, "2026-06-08").await.remove(0));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (db, m, slot, person) = (db.clone(), m.clone(), slot.clone(), person.clone());
            tasks.push(tokio::spawn(
                async move { book(&db, &m, &person, &slot).await },
            ));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(match task.await.unwrap() {
                Ok(_) => "booked",
                Err(StoreError::Conflict(ALREADY_BOOKED)) => "already",
                Err(e) => panic!("{:?}: unexpected error {e}", t.backend()),
            });
        }
        assert_eq!(outcomes.iter().filter(|o| **o == "booked").count(), 1);
        let taken = appts::seats_taken(&db, &m, slot.start, slot.end)
            .await
            .unwrap();
        assert_eq!(taken[0].2, 1, "refused attempts gave their seat back");
    }
}

#[tokio::test]
async fn a_mission_keeps_its_time_zone_while_bookings_to_come_stand() {
    use chrono::Datelike;
    use safir_domain::mission::TimeZoneName;
    use safir_store::missions;

    for t in TestDb::all().await {
        let db = &t.db;
        let m = paris_open_mondays(db, 2).await;
        let people = users(db, 1).await;
        let today = chrono::Utc::now().date_naive();
        let monday =
            today + chrono::Days::new(7 + u64::from(7 - today.weekday().num_days_from_monday()));
        let slots = slots_on(db, &m, &monday.format("%Y-%m-%d").to_string()).await;
        let booked = book(db, &m, &people[0], &slots[0]).await.unwrap();

        let update = |input: missions::MissionInput| {
            let (db, m) = (db.clone(), m.clone());
            async move {
                let mut tx = db.begin().await.unwrap();
                let r = missions::update(&mut tx, &m, &input).await;
                if r.is_ok() {
                    tx.commit().await.unwrap();
                } else {
                    tx.rollback().await.unwrap();
                }
                r
            }
        };
        let dubai = missions::MissionInput {
            time_zone: TimeZoneName::parse("Asia/Dubai").unwrap(),
            ..crate::missions::paris()
        };
        assert!(matches!(
            update(dubai.clone()).await,
            Err(StoreError::Conflict("time_zone_in_use"))
        ));
        // Other changes, in the same zone, are saved.
        let renamed = missions::MissionInput {
            name_en: "The Embassy in Paris".into(),
            ..crate::missions::paris()
        };
        update(renamed).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        appts::hold_zone(&mut tx, &m, "Europe/Paris").await.unwrap();
        tx.rollback().await.unwrap();

        // Once the booking is cancelled the mission may move; a booking computed in the old
        // zone is then refused.
        let mut tx = db.begin().await.unwrap();
        appts::cancel(&mut tx, &booked.id, None).await.unwrap();
        tx.commit().await.unwrap();
        update(dubai).await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert!(matches!(
            appts::hold_zone(&mut tx, &m, "Europe/Paris").await,
            Err(StoreError::Conflict(appts::ZONE_CHANGED))
        ));
        tx.rollback().await.unwrap();
    }
}

/// PostgreSQL: a booking made while a time zone change is being committed waits for it and is
/// then refused (its slot was computed in the old zone); it used to read the old zone and go
/// through, a seat the new hours would offer again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_during_a_time_zone_change_waits_and_is_refused() {
    use safir_domain::mission::TimeZoneName;
    use safir_store::missions;

    let Some(url) = safir_store::testing::postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&url).await;
    let db = &t.db;
    let m = paris_open_mondays(db, 2).await;
    let people = users(db, 1).await;
    let slot = slots_on(db, &m, "2031-06-09").await.remove(0);

    let mut moving = db.begin().await.unwrap();
    let dubai = missions::MissionInput {
        time_zone: TimeZoneName::parse("Asia/Dubai").unwrap(),
        ..crate::missions::paris()
    };
    missions::update(&mut moving, &m, &dubai).await.unwrap();
    let booking = tokio::spawn({
        let (db, m, user) = (db.clone(), m.clone(), people[0].clone());
        async move {
            let mut tx = db.begin().await.unwrap();
            appts::hold_zone(&mut tx, &m, "Europe/Paris").await?;
            let booked = book_in(&mut tx, &m, &user, &slot).await?;
            tx.commit().await.unwrap();
            Ok::<_, StoreError>(booked)
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    moving.commit().await.unwrap();
    assert!(matches!(
        booking.await.unwrap(),
        Err(StoreError::Conflict(appts::ZONE_CHANGED))
    ));
}

/// A half-hour slot for every service starting `minutes` from now, on a whole minute (the
/// store takes any slot it is given: what the schedule offers is checked before).
fn slot_in(minutes: i64) -> Slot {
    use chrono::{DurationRound, TimeDelta, Utc};
    let start = (Utc::now() + TimeDelta::minutes(minutes))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    Slot {
        scope: safir_domain::consular::appointments::SlotScope::AllServices,
        start,
        end: start + TimeDelta::minutes(30),
        capacity: 1,
        local_date: start.date_naive(),
        local_start: start.time(),
    }
}

/// One's list of bookings: the live ones first, the soonest first (one under way too); then
/// the others, the latest first. A booking whose time has passed is still `booked` (a missed
/// appointment stays as it was) but is no longer live: it used to come first of all, the
/// oldest first, before the appointments still to come.
#[tokio::test]
async fn a_persons_list_puts_bookings_to_come_first_and_those_past_with_the_rest() {
    const DAY: i64 = 24 * 60;
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await.to_string();
        let person = users(db, 1).await.remove(0);
        let mut ids = std::collections::HashMap::new();
        for (name, minutes) in [
            ("long past", -14 * DAY),
            ("later", 14 * DAY),
            ("past", -7 * DAY),
            ("under way", -10),
            ("cancelled", 10 * DAY),
            ("soon", 7 * DAY),
        ] {
            let booked = book(db, &m, &person, &slot_in(minutes)).await.unwrap();
            ids.insert(booked.id, name);
        }
        let cancelled = ids.iter().find(|(_, n)| **n == "cancelled").unwrap().0;
        let mut tx = db.begin().await.unwrap();
        appts::cancel(&mut tx, cancelled, None).await.unwrap();
        tx.commit().await.unwrap();

        let order: Vec<&str> = appts::list_for_user(db, &person)
            .await
            .unwrap()
            .iter()
            .map(|a| ids[&a.id])
            .collect();
        assert_eq!(
            order,
            [
                "under way",
                "soon",
                "later",
                "cancelled",
                "past",
                "long past"
            ],
            "{:?}",
            t.backend()
        );
    }
}

/// A booking as the booking pages make it, in the caller's transaction: the mission's zone
/// held first, then the seat.
async fn book_held(
    tx: &mut safir_store::Tx,
    mission_id: &str,
    user: &str,
    slot: &Slot,
    case_id: Option<&str>,
) -> Result<appts::Appointment, StoreError> {
    appts::hold_zone(tx, mission_id, "Europe/Paris").await?;
    let service = ServiceCode::parse("passport_renewal").unwrap();
    appts::book(
        tx,
        &NewBooking {
            mission_id,
            user_id: user,
            service: &service,
            case_id,
            slot,
            lang: "ar",
        },
    )
    .await
}

/// [`book_held`] in a transaction of its own, committed when the booking is made.
async fn book_held_alone(
    db: &Db,
    mission_id: &str,
    user: &str,
    slot: &Slot,
    case_id: Option<&str>,
) -> Result<appts::Appointment, StoreError> {
    let mut tx = db.begin().await?;
    match book_held(&mut tx, mission_id, user, slot, case_id).await {
        Ok(a) => {
            tx.commit().await?;
            Ok(a)
        }
        Err(e) => {
            tx.rollback().await?;
            Err(e)
        }
    }
}

/// Cancels the bookings `ids` in `tx`, skipping any cancelled or moved since they were listed,
/// as the mission's side does after a closure or a withdrawal.
async fn cancel_listed(tx: &mut safir_store::Tx, ids: &[String]) {
    for id in ids {
        match appts::cancel(tx, id, None).await {
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => panic!("cancelling {id}: {e}"),
        }
    }
}

/// Closes the Paris mission `m` on `date` in `tx` and lists that day's live bookings, as the
/// schedule's form does before cancelling them.
async fn close_day_in(tx: &mut safir_store::Tx, m: &str, date: &str) -> Vec<String> {
    let closure = Closure::new(day(date), day(date), "عطلة", "Holiday").unwrap();
    schedule::add_closure(tx, m, &closure).await.unwrap();
    // The local day at Paris in summer (UTC+2).
    let from = day(date).and_hms_opt(0, 0, 0).unwrap().and_utc() - chrono::Duration::hours(2);
    appts::live_between(tx, m, from, from + chrono::Duration::days(1))
        .await
        .unwrap()
}

/// The live bookings at `m` in `slot`.
async fn live_in(db: &Db, m: &str, slot: &Slot) -> usize {
    appts::list_for_mission(db, m, slot.start, slot.end)
        .await
        .unwrap()
        .len()
}

/// A booking or a move whose slot was read from the schedule before a closure of its day was
/// committed is refused (the closure had found nothing to cancel); it used to go through and
/// stay live on the closed day. The seat it would have taken stays free.
#[tokio::test]
async fn a_booking_or_a_move_read_before_a_closure_of_its_day_is_refused() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = paris_open_mondays(db, 2).await;
        let people = users(db, 2).await;
        let closing = slots_on(db, &m, "2031-06-09").await.remove(0);
        let other = slots_on(db, &m, "2031-06-16").await.remove(0);
        let mine = book_held_alone(db, &m, &people[1], &other, None)
            .await
            .unwrap();

        let mut tx = db.begin().await.unwrap();
        assert!(close_day_in(&mut tx, &m, "2031-06-09").await.is_empty());
        tx.commit().await.unwrap();

        assert!(
            matches!(
                book_held_alone(db, &m, &people[0], &closing, None).await,
                Err(StoreError::Conflict(appts::DAY_CLOSED))
            ),
            "{:?}",
            t.backend()
        );
        let mut tx = db.begin().await.unwrap();
        appts::hold_zone(&mut tx, &m, "Europe/Paris").await.unwrap();
        assert!(
            matches!(
                appts::reschedule(&mut tx, &mine.id, &people[1], &closing).await,
                Err(StoreError::Conflict(appts::DAY_CLOSED))
            ),
            "{:?}",
            t.backend()
        );
        tx.rollback().await.unwrap();

        assert_eq!(live_in(db, &m, &closing).await, 0);
        assert!(appts::find(db, &mine.id).await.unwrap().is_booked());
        let taken = appts::seats_taken(db, &m, closing.start, closing.end)
            .await
            .unwrap();
        assert_eq!(appts::seats_left(&closing, &taken), 2, "{:?}", t.backend());
    }
}

/// PostgreSQL: a closure and a booking of its day made at the same moment leave no live
/// booking on the closed day, whichever starts first. The closure used to list the day's
/// bookings without waiting for one being made, and the booking to miss a closure not yet
/// committed: both went through, and the applicant came to a closed door.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closure_and_a_booking_at_once_leave_no_live_booking_on_the_closed_day() {
    let Some(url) = safir_store::testing::postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&url).await;
    let db = &t.db;
    let m = paris_open_mondays(db, 2).await;
    let people = users(db, 2).await;
    let first = slots_on(db, &m, "2031-06-09").await.remove(0);
    let second = slots_on(db, &m, "2031-06-16").await.remove(0);
    let pause = std::time::Duration::from_millis(500);

    // The booking first: the closure waits for it, then cancels it.
    let mut booking = db.begin().await.unwrap();
    book_held(&mut booking, &m, &people[0], &first, None)
        .await
        .unwrap();
    let closure = tokio::spawn({
        let (db, m) = (db.clone(), m.clone());
        async move {
            let mut tx = db.begin().await.unwrap();
            let ids = close_day_in(&mut tx, &m, "2031-06-09").await;
            cancel_listed(&mut tx, &ids).await;
            tx.commit().await.unwrap();
            ids.len()
        }
    });
    tokio::time::sleep(pause).await;
    booking.commit().await.unwrap();
    assert_eq!(closure.await.unwrap(), 1, "the closure found the booking");
    assert_eq!(live_in(db, &m, &first).await, 0);

    // The closure first, its day's bookings already listed: the booking waits for it, then is
    // refused.
    let mut closing = db.begin().await.unwrap();
    assert!(
        close_day_in(&mut closing, &m, "2031-06-16")
            .await
            .is_empty()
    );
    let booking = tokio::spawn({
        let (db, m, user, slot) = (db.clone(), m.clone(), people[1].clone(), second.clone());
        async move { book_held_alone(&db, &m, &user, &slot, None).await }
    });
    tokio::time::sleep(pause).await;
    closing.commit().await.unwrap();
    assert!(matches!(
        booking.await.unwrap(),
        Err(StoreError::Conflict(appts::DAY_CLOSED))
    ));
    assert_eq!(live_in(db, &m, &second).await, 0);
}

/// A submitted case of `applicant` at the mission `m` (whose catalogue gets the passport
/// service if it has none yet); its id.
async fn submitted_case(db: &Db, m: &str, applicant: &str) -> String {
    use safir_domain::consular::case::{Actor, CaseAction, CaseKind, Priority};
    use safir_store::consular::{cases, services};

    let mut tx = db.begin().await.unwrap();
    let service = match services::list_for_mission(db, m).await.unwrap().pop() {
        Some(s) => s.id,
        None => services::create(&mut tx, m, &crate::consular_cases::passport_service())
            .await
            .unwrap()
            .to_string(),
    };
    let form = std::collections::BTreeMap::new();
    let case = cases::create_draft(
        &mut tx,
        &cases::NewDraft {
            mission_id: m,
            service_id: &service,
            kind: CaseKind::PassportRenewal,
            applicant_id: applicant,
            form: &form,
            applicant_name: "أمل الحسن",
            lang: "ar",
            priority: Priority::Normal,
            idempotency_key: None,
            idempotency_fingerprint: None,
            expires_at: safir_store::now() + chrono::Duration::days(30),
        },
    )
    .await
    .unwrap();
    cases::transition(
        &mut tx,
        &case.id,
        &cases::Transition {
            action: CaseAction::Submit,
            actor: Actor::Applicant,
            actor_id: None,
            reason: None,
            mission_code: "PAR",
            due_in: Some(chrono::Duration::days(10)),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    case.id
}

/// Withdraws the case in `tx` and lists its bookings still to come, as the applicant's
/// withdrawal does before cancelling them.
async fn withdraw_in(tx: &mut safir_store::Tx, case_id: &str) -> Vec<String> {
    use safir_domain::consular::case::{Actor, CaseAction};
    use safir_store::consular::cases;

    cases::transition(
        tx,
        case_id,
        &cases::Transition {
            action: CaseAction::Withdraw,
            actor: Actor::Applicant,
            actor_id: None,
            reason: None,
            mission_code: "PAR",
            due_in: None,
        },
    )
    .await
    .unwrap();
    appts::live_for_case(tx, case_id, safir_store::now())
        .await
        .unwrap()
}

/// A booking for a case withdrawn since the case was checked is refused (its withdrawal had
/// cancelled the case's bookings without it); it used to go through and stand for a withdrawn
/// case. So is one for a case of someone else; one's own case still in hand is booked.
#[tokio::test]
async fn a_booking_for_a_case_withdrawn_since_it_was_checked_is_refused() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = paris_open_mondays(db, 2).await;
        let people = users(db, 2).await;
        let slots = slots_on(db, &m, "2031-06-09").await;
        let withdrawn = submitted_case(db, &m, &people[0]).await;
        let in_hand = submitted_case(db, &m, &people[0]).await;

        let mut tx = db.begin().await.unwrap();
        assert!(withdraw_in(&mut tx, &withdrawn).await.is_empty());
        tx.commit().await.unwrap();

        assert!(
            matches!(
                book_held_alone(db, &m, &people[0], &slots[0], Some(&withdrawn)).await,
                Err(StoreError::Conflict(appts::CASE_UNAVAILABLE))
            ),
            "{:?}",
            t.backend()
        );
        assert!(matches!(
            book_held_alone(db, &m, &people[1], &slots[0], Some(&in_hand)).await,
            Err(StoreError::Conflict(appts::CASE_UNAVAILABLE))
        ));
        assert_eq!(live_in(db, &m, &slots[0]).await, 0);
        let booked = book_held_alone(db, &m, &people[0], &slots[0], Some(&in_hand))
            .await
            .unwrap();
        assert_eq!(booked.case_id.as_deref(), Some(in_hand.as_str()));
    }
}

/// PostgreSQL: a withdrawal and a booking or a move for the same case at the same moment leave
/// no live booking for the withdrawn case, whichever starts first. The withdrawal used to list
/// the case's bookings without waiting for one being made or moved, and the booking to miss a
/// withdrawal not yet committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_and_a_booking_at_once_leave_no_live_booking_for_the_case() {
    let Some(url) = safir_store::testing::postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&url).await;
    let db = &t.db;
    let m = paris_open_mondays(db, 2).await;
    let person = users(db, 1).await.remove(0);
    let slots = slots_on(db, &m, "2031-06-09").await;
    let later = slots_on(db, &m, "2031-06-16").await;
    let pause = std::time::Duration::from_millis(500);
    let withdrawal = |case: String| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let ids = withdraw_in(&mut tx, &case).await;
            cancel_listed(&mut tx, &ids).await;
            tx.commit().await.unwrap();
            ids.len()
        })
    };

    // The booking first: the withdrawal waits for it, then cancels it.
    let case = submitted_case(db, &m, &person).await;
    let mut booking = db.begin().await.unwrap();
    book_held(&mut booking, &m, &person, &slots[0], Some(&case))
        .await
        .unwrap();
    let withdrawing = withdrawal(case.clone());
    tokio::time::sleep(pause).await;
    booking.commit().await.unwrap();
    assert_eq!(
        withdrawing.await.unwrap(),
        1,
        "the withdrawal found the booking"
    );
    assert!(appts::list_for_case(db, &case).await.unwrap().is_empty());

    // The withdrawal first, the case's bookings already listed: the booking waits for it,
    // then is refused.
    let case = submitted_case(db, &m, &person).await;
    let mut withdrawing = db.begin().await.unwrap();
    assert!(withdraw_in(&mut withdrawing, &case).await.is_empty());
    let booking = tokio::spawn({
        let (db, m, person, slot, case) = (
            db.clone(),
            m.clone(),
            person.clone(),
            slots[1].clone(),
            case.clone(),
        );
        async move { book_held_alone(&db, &m, &person, &slot, Some(&case)).await }
    });
    tokio::time::sleep(pause).await;
    withdrawing.commit().await.unwrap();
    assert!(matches!(
        booking.await.unwrap(),
        Err(StoreError::Conflict(appts::CASE_UNAVAILABLE))
    ));
    assert!(appts::list_for_case(db, &case).await.unwrap().is_empty());

    // A move first: the withdrawal waits for it, then cancels the booking it became.
    let case = submitted_case(db, &m, &person).await;
    let held = book_held_alone(db, &m, &person, &later[0], Some(&case))
        .await
        .unwrap();
    let mut moving = db.begin().await.unwrap();
    appts::hold_zone(&mut moving, &m, "Europe/Paris")
        .await
        .unwrap();
    appts::reschedule(&mut moving, &held.id, &person, &later[1])
        .await
        .unwrap();
    let withdrawing = withdrawal(case.clone());
    tokio::time::sleep(pause).await;
    moving.commit().await.unwrap();
    assert_eq!(
        withdrawing.await.unwrap(),
        1,
        "the withdrawal found the new booking"
    );
    assert!(appts::list_for_case(db, &case).await.unwrap().is_empty());
}

/// A booking made for a case the mission is done with since (refused, closed, withdrawn) is
/// not moved: the move is refused inside its transaction and the booking stays as it was. It
/// used to go through, a new live booking for the refused case. One for a case still in hand
/// moves as ever.
#[tokio::test]
async fn a_booking_for_a_case_refused_since_is_not_moved() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = paris_open_mondays(db, 2).await;
        let person = users(db, 1).await.remove(0);
        let slots = slots_on(db, &m, "2031-06-09").await;
        for state in ["rejected", "closed", "withdrawn"] {
            let case = submitted_case(db, &m, &person).await;
            let held = book_held_alone(db, &m, &person, &slots[0], Some(&case))
                .await
                .unwrap();
            with_pool!(db.write(), p => {
                sqlx::query("UPDATE cases SET state = $2 WHERE id = $1")
                    .bind(&case)
                    .bind(state)
                    .execute(p)
                    .await
                    .map(|r| r.rows_affected())
            })
            .unwrap();
            let mut tx = db.begin().await.unwrap();
            appts::hold_zone(&mut tx, &m, "Europe/Paris").await.unwrap();
            let moved = appts::reschedule(&mut tx, &held.id, &person, &slots[1]).await;
            tx.rollback().await.unwrap();
            assert!(
                matches!(moved, Err(StoreError::Conflict(appts::CASE_UNAVAILABLE))),
                "{state} {:?}: {moved:?}",
                t.backend()
            );
            assert!(appts::find(db, &held.id).await.unwrap().is_booked());
            assert_eq!(live_in(db, &m, &slots[1]).await, 0);
            let mut tx = db.begin().await.unwrap();
            appts::cancel(&mut tx, &held.id, None).await.unwrap();
            tx.commit().await.unwrap();
        }
        let case = submitted_case(db, &m, &person).await;
        let held = book_held_alone(db, &m, &person, &slots[0], Some(&case))
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        appts::hold_zone(&mut tx, &m, "Europe/Paris").await.unwrap();
        let (_, new) = appts::reschedule(&mut tx, &held.id, &person, &slots[1])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(new.case_id.as_deref(), Some(case.as_str()));
    }
}

/// A case's bookings as its pages list them: those still to come (one under way too), not one
/// whose time has passed, though it is still `booked` (a missed appointment stays as it was).
#[tokio::test]
async fn a_cases_bookings_are_those_still_to_come() {
    const DAY: i64 = 24 * 60;
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await.to_string();
        let person = users(db, 1).await.remove(0);
        let case = submitted_case(db, &m, &person).await;
        let mut ids = std::collections::HashMap::new();
        for (name, minutes) in [("past", -7 * DAY), ("under way", -10), ("soon", 7 * DAY)] {
            let mut tx = db.begin().await.unwrap();
            let service = ServiceCode::parse("passport_renewal").unwrap();
            let booked = appts::book(
                &mut tx,
                &NewBooking {
                    mission_id: &m,
                    user_id: &person,
                    service: &service,
                    case_id: Some(&case),
                    slot: &slot_in(minutes),
                    lang: "ar",
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            ids.insert(booked.id, name);
        }
        let listed: Vec<&str> = appts::list_for_case(db, &case)
            .await
            .unwrap()
            .iter()
            .map(|a| ids[&a.id])
            .collect();
        assert_eq!(listed, ["under way", "soon"], "{:?}", t.backend());
    }
}
