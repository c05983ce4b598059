//! Crises and alerts: an alert's life with conditional changes (of two concurrent approvals
//! exactly one wins), completion once delivered, and the audience an area reaches.

use chrono::{Duration, Utc};
use safir_domain::CountryCode;
use safir_domain::crisis::alert::{AlertForm, AlertInput, AlertStatus};
use safir_domain::crisis::cap::MsgType;
use safir_domain::crisis::geo::{Circle, Point, Polygon, Region, Target};
use safir_domain::ids::MissionId;
use safir_store::crisis::alerts::{self, NewAlert, Transition};
use safir_store::crisis::audience::{self, AudienceCounts};
use safir_store::crisis::crises::{self, NewCrisis};
use safir_store::crisis::deliveries;
use safir_store::testing::TestDb;
use safir_store::{Db, now, with_pool};

use crate::missions::create_paris;

fn input(target: Target) -> AlertInput {
    let mut input = AlertForm {
        headline_ar: "تحذير".into(),
        headline_en: "Warning".into(),
        description_ar: "وصف".into(),
        description_en: "Description".into(),
        category: "Safety".into(),
        event: "Unrest".into(),
        response_type: "Avoid".into(),
        urgency: "Immediate".into(),
        severity: "Severe".into(),
        certainty: "Likely".into(),
        countries: "LB".into(),
        ..AlertForm::default()
    }
    .validate()
    .unwrap();
    input.target = target;
    input
}

fn countries(codes: &[&str]) -> Target {
    Target {
        countries: codes
            .iter()
            .map(|c| CountryCode::parse(c).unwrap())
            .collect(),
        ..Target::default()
    }
}

async fn draft(db: &Db, mission: &MissionId, target: Target) -> alerts::Alert {
    new_draft(db, mission, target, MsgType::Alert, None).await
}

/// A draft of `msg_type`, following `references` when given.
async fn new_draft(
    db: &Db,
    mission: &MissionId,
    target: Target,
    msg_type: MsgType,
    references: Option<&str>,
) -> alerts::Alert {
    let mut tx = db.begin().await.unwrap();
    let a = alerts::create_draft(
        &mut tx,
        &NewAlert {
            crisis_id: None,
            mission_id: mission.clone(),
            msg_type,
            references_id: references.map(str::to_owned),
            input: input(target),
            source: String::new(),
            created_by: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    a
}

async fn step(db: &Db, id: &str, from: AlertStatus, to: AlertStatus) -> bool {
    let mut tx = db.begin().await.unwrap();
    let moved = alerts::transition(
        &mut tx,
        id,
        &Transition {
            from,
            to,
            by: None,
            audience: None,
            counted_area: None,
            seen: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    moved
}

#[tokio::test]
async fn a_crisis_is_declared_listed_and_closed() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await;
        let mut tx = db.begin().await.unwrap();
        let c = crises::declare(
            &mut tx,
            &NewCrisis {
                mission_id: m.clone(),
                title_ar: "فيضانات".into(),
                title_en: "Floods".into(),
                country: CountryCode::parse("LB").unwrap(),
                area: countries(&["LB"]),
                presence_open: false,
                reminder_minutes: 90,
                declared_by: None,
            },
        )
        .await
        .unwrap();
        assert!(
            crises::set_presence_open(&mut tx, &c.id, true)
                .await
                .unwrap()
        );
        assert!(
            !crises::set_presence_open(&mut tx, &c.id, true)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let found = crises::find(db, &c.id).await.unwrap();
        assert!(found.presence_open && found.is_open());
        assert_eq!(found.area().unwrap(), countries(&["LB"]));
        assert_eq!(crises::list_presence_open(db).await.unwrap().len(), 1);
        assert_eq!(
            crises::list(db, Some(std::slice::from_ref(&m)))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(crises::list(db, Some(&[])).await.unwrap().is_empty());
        let mut tx = db.begin().await.unwrap();
        assert!(crises::close(&mut tx, &c.id).await.unwrap());
        assert!(!crises::close(&mut tx, &c.id).await.unwrap());
        tx.commit().await.unwrap();
        let closed = crises::find(db, &c.id).await.unwrap();
        assert!(!closed.is_open() && !closed.presence_open && closed.closed_at.is_some());
    }
}

#[tokio::test]
async fn a_missions_alerts_are_listed_however_many_others_sent_since() {
    for t in TestDb::all().await {
        let db = &t.db;
        let paris = create_paris(db).await;
        let mut tx = db.begin().await.unwrap();
        let mut input = crate::missions::paris();
        input.code = safir_domain::mission::MissionCode::parse("DXB").unwrap();
        let dubai = safir_store::missions::create(&mut tx, &input)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let ours = draft(db, &paris, countries(&["LB"])).await;
        for _ in 0..6 {
            draft(db, &dubai, countries(&["AE"])).await;
        }
        let listed = alerts::list(db, Some(std::slice::from_ref(&paris)), 1)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, ours.id);
        assert_eq!(alerts::list(db, None, 10).await.unwrap().len(), 7);
        assert!(alerts::list(db, Some(&[]), 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn of_two_concurrent_approvals_exactly_one_wins() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await;
        let a = draft(db, &m, countries(&["LB"])).await;
        assert_eq!(a.status().unwrap(), AlertStatus::Draft);
        let mut changed = input(countries(&["FR"]));
        changed.headline_en = "Changed".into();
        let mut tx = db.begin().await.unwrap();
        assert!(
            alerts::update_draft(&mut tx, &a.id, &changed, Some(a.updated_at))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        // A second editor's form drawn before that save: not written.
        let mut other = changed.clone();
        other.headline_en = "Overwritten".into();
        let mut tx = db.begin().await.unwrap();
        assert!(
            !alerts::update_draft(&mut tx, &a.id, &other, Some(a.updated_at))
                .await
                .unwrap(),
            "{:?}: a save drawn from an earlier version overwrote the later one",
            t.backend()
        );
        tx.commit().await.unwrap();
        assert_eq!(
            alerts::find(db, &a.id).await.unwrap().headline_en,
            "Changed"
        );
        // Its audience counted for the area it had before that save: it does not move on
        // that count (a wider area would skip the approval the count decided against).
        let mut tx = db.begin().await.unwrap();
        let stale = alerts::transition(
            &mut tx,
            &a.id,
            &Transition {
                from: AlertStatus::Draft,
                to: AlertStatus::Sending,
                by: None,
                audience: Some(&AudienceCounts::default()),
                counted_area: Some(&a.target),
                seen: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(!stale, "moved on the count of an area it no longer has");
        assert_eq!(
            alerts::find(db, &a.id).await.unwrap().status().unwrap(),
            AlertStatus::Draft
        );
        assert!(step(db, &a.id, AlertStatus::Draft, AlertStatus::PendingApproval).await);
        // A second submit (a double click) finds the draft gone.
        assert!(!step(db, &a.id, AlertStatus::Draft, AlertStatus::PendingApproval).await);
        let mut tx = db.begin().await.unwrap();
        assert!(
            !alerts::update_draft(&mut tx, &a.id, &changed, None)
                .await
                .unwrap(),
            "a submitted alert no longer changes"
        );
        tx.commit().await.unwrap();

        let approve = || {
            step(
                db,
                &a.id,
                AlertStatus::PendingApproval,
                AlertStatus::Sending,
            )
        };
        let (first, second) = tokio::join!(approve(), approve());
        assert!(
            first ^ second,
            "exactly one approval wins: {first} {second}"
        );
        let sent = alerts::find(db, &a.id).await.unwrap();
        assert_eq!(sent.status().unwrap(), AlertStatus::Sending);
        assert_eq!(sent.headline_en, "Changed");
        assert!(sent.sent_at.is_some() && sent.approved_at.is_some());
        assert_eq!(alerts::list_published(db, 10).await.unwrap().len(), 1);

        // Not complete before the fan-out is done, complete once nothing is queued.
        assert!(!alerts::complete_if_delivered(db, &a.id).await.unwrap());
        let mut tx = db.begin().await.unwrap();
        let recipients = vec![audience::Recipient {
            id: "sub-1".into(),
            kind: "subscription".into(),
            channel: "email".into(),
            address: "a@example.org".into(),
            lang: "en".into(),
            registration_id: None,
        }];
        assert_eq!(
            deliveries::insert_batch(&mut tx, &a.id, &recipients)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            deliveries::insert_batch(&mut tx, &a.id, &recipients)
                .await
                .unwrap(),
            0,
            "written once"
        );
        assert!(
            alerts::mark_fanned_out(&mut tx, &a.id, &AudienceCounts::default())
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        assert!(!alerts::complete_if_delivered(db, &a.id).await.unwrap());
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE crisis_deliveries SET status = 'sent' WHERE alert_id = $1").bind(&a.id)
.execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        assert!(alerts::complete_if_delivered(db, &a.id).await.unwrap());
        assert!(!alerts::complete_if_delivered(db, &a.id).await.unwrap());
        assert_eq!(
            alerts::find(db, &a.id).await.unwrap().status().unwrap(),
            AlertStatus::Completed
        );
    }
}

#[tokio::test]
async fn a_cancel_stops_what_is_still_queued() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await;
        let a = draft(db, &m, countries(&["LB"])).await;
        assert!(step(db, &a.id, AlertStatus::Draft, AlertStatus::Sending).await);
        let mut tx = db.begin().await.unwrap();
        let recipients: Vec<_> = (0..3)
            .map(|i| audience::Recipient {
                id: format!("sub-{i}"),
                kind: "subscription".into(),
                channel: "sms".into(),
                address: format!("+9611000000{i}"),
                lang: "ar".into(),
                registration_id: None,
            })
            .collect();
        deliveries::insert_batch(&mut tx, &a.id, &recipients)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE crisis_deliveries SET status = 'sent' WHERE recipient_id = 'sub-0'")
.execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        // An Update supersedes what is queued: the earlier text goes to nobody after it, and
        // the alert goes on to complete.
        let update = follow_up(db, &a, MsgType::Update).await;
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            alerts::supersede_thread(&mut tx, &update.id).await.unwrap(),
            2
        );
        tx.commit().await.unwrap();
        assert_eq!(
            alerts::find(db, &a.id).await.unwrap().status().unwrap(),
            AlertStatus::Sending
        );
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE crisis_deliveries SET status = 'queued', last_error = NULL WHERE status = 'failed'")
.execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let cancel = follow_up(db, &a, MsgType::Cancel).await;
        let mut tx = db.begin().await.unwrap();
        assert_eq!(alerts::stop_thread(&mut tx, &cancel.id).await.unwrap(), 2);
        tx.commit().await.unwrap();
        let failed: i64 = with_pool!(db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM crisis_deliveries WHERE status = 'failed' AND last_error = 'cancelled'").fetch_one(p).await
        })
        .unwrap();
        assert_eq!(failed, 2);
        assert_eq!(
            alerts::find(db, &a.id).await.unwrap().status().unwrap(),
            AlertStatus::Cancelled
        );
    }
}

/// (country, region, city, point, ends_on)
type PlaceRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<(f64, f64)>,
    Option<String>,
);

struct Person<'a> {
    id: &'a str,
    verified: bool,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    channels: &'a str,
    /// (country, region, city, point, ends_on)
    places: Vec<PlaceRow<'a>>,
}

async fn register(db: &Db, p: &Person<'_>) {
    let t = now();
    let mut tx = db.begin().await.unwrap();
    safir_store::with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO crisis_registrations (id, user_id, kind, crisis_id, full_name, email, phone, \
             lang, channels, companions, adults, children, elderly, medical, vulnerability_note, \
             emergency_name, emergency_phone, emergency_email, verified_at, consent_at, created_at, \
             updated_at) VALUES ($1, NULL, 'trip', NULL, 'Name', $2, $3, 'ar', $4, '[]', 1, 0, $5, $5, '', \
             '', '', '', $6, $7, $7, $7)",
        )
        .bind(p.id)
        .bind(p.email)
        .bind(p.phone)
        .bind(p.channels)
        .bind(false)
        .bind(p.verified.then_some(t))
        .bind(t)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .unwrap();
    for (i, (country, region, city, point, ends)) in p.places.iter().enumerate() {
        safir_store::with_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO crisis_places (id, registration_id, country, region, city, lat, lon, starts_on, ends_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
            )
            .bind(format!("{}-{i}", p.id))
            .bind(p.id)
            .bind(*country)
            .bind(*region)
            .bind(*city)
            .bind(point.map(|p| p.0))
            .bind(point.map(|p| p.1))
            .bind(ends.clone())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn subscribe(db: &Db, id: &str, country: &str, channel: &str, address: &str, status: &str) {
    with_pool!(db.write(), p => {
        sqlx::query(
            "INSERT INTO advice_subscriptions (id, country, channel, address, lang, status, token_hash, created_at) \
             VALUES ($1, $2, $3, $4, 'en', $5, $1, $6)",
        )
        .bind(id).bind(country).bind(channel).bind(address).bind(status).bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .unwrap();
}

async fn webhook(db: &Db, id: &str, countries: &str, enabled: bool) {
    with_pool!(db.write(), p => {
        sqlx::query(
            "INSERT INTO crisis_webhooks (id, mission_id, name, url, secret, countries, enabled, created_at) \
             VALUES ($1, NULL, $1, $2, 's', $3, $4, $5)",
        )
        .bind(id).bind(format!("http://127.0.0.1:9/{id}")).bind(countries).bind(enabled).bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .unwrap();
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn counts(people: u64, email: u64, sms: u64, webhook: u64) -> AudienceCounts {
    AudienceCounts {
        people,
        email,
        sms,
        webhook,
    }
}

#[tokio::test]
async fn the_audience_is_who_the_area_reaches_now() {
    for t in TestDb::all().await {
        let db = &t.db;
        // Two days ago: yesterday is still today somewhere until noon UTC.
        let gone = Some(
            (Utc::now() - Duration::days(2))
                .format("%Y-%m-%d")
                .to_string(),
        );
        let next_week = Some(
            (Utc::now() + Duration::days(7))
                .format("%Y-%m-%d")
                .to_string(),
        );
        let beirut = (33.8938, 35.5018);
        let people = [
            // In Beirut with coordinates, two places in Lebanon: reached once.
            Person {
                id: "r1",
                verified: true,
                email: Some("r1@example.org"),
                phone: Some("+96170000001"),
                channels: "email",
                places: vec![
                    ("LB", "Beirut", "Beirut", Some(beirut), next_week.clone()),
                    ("LB", "North", "Tripoli", Some((34.4367, 35.8497)), None),
                ],
            },
            // Left Lebanon two days ago.
            Person {
                id: "r2",
                verified: true,
                email: Some("r2@example.org"),
                phone: None,
                channels: "email",
                places: vec![("LB", "Beirut", "Beirut", Some(beirut), gone)],
            },
            // Never confirmed their contact.
            Person {
                id: "r3",
                verified: false,
                email: Some("r3@example.org"),
                phone: None,
                channels: "email",
                places: vec![("LB", "Beirut", "Beirut", Some(beirut), None)],
            },
            // In Paris.
            Person {
                id: "r4",
                verified: true,
                email: Some("r4@example.org"),
                phone: None,
                channels: "email",
                places: vec![(
                    "FR",
                    "Île-de-France",
                    "Paris",
                    Some((48.8566, 2.3522)),
                    None,
                )],
            },
            // In Beirut without coordinates, by email and SMS.
            Person {
                id: "r5",
                verified: true,
                email: Some("r5@example.org"),
                phone: Some("+96170000005"),
                channels: "email,sms",
                places: vec![("LB", " beirut ", "", None, None)],
            },
        ];
        for p in &people {
            register(db, p).await;
        }
        subscribe(db, "s1", "LB", "email", "sub@example.org", "active").await;
        subscribe(db, "s2", "LB", "sms", "+96171111111", "active").await;
        subscribe(db, "s3", "LB", "email", "pending@example.org", "pending").await;
        subscribe(db, "s4", "FR", "email", "fr@example.org", "active").await;
        // Registered and subscribed: one message.
        subscribe(db, "s5", "LB", "email", "R1@example.org", "active").await;
        webhook(db, "w-all", "", true).await;
        webhook(db, "w-fr", "FR", true).await;
        webhook(db, "w-off", "", false).await;
        let at = Utc::now();

        let lb = audience::resolve(db, &countries(&["LB"]), at)
            .await
            .unwrap();
        assert_eq!(lb.counts, counts(2, 3, 2, 1), "{:?}", lb.recipients);
        assert_eq!(sorted(lb.registration_ids()), ["r1", "r5"]);
        assert_eq!(
            lb.recipients.iter().filter(|r| r.id == "r1").count(),
            1,
            "one place is enough"
        );
        let fr = audience::resolve(db, &countries(&["fr"]), at)
            .await
            .unwrap();
        assert_eq!(fr.counts, counts(1, 2, 0, 2));

        let region = Target {
            regions: vec![Region {
                country: CountryCode::parse("LB").unwrap(),
                name: "Beirut".into(),
            }],
            ..Target::default()
        };
        let by_region = audience::resolve(db, &region, at).await.unwrap();
        assert_eq!(sorted(by_region.registration_ids()), ["r1", "r5"]);

        let circle = Target {
            circles: vec![Circle::new(Point::new(33.9, 35.5).unwrap(), 10.0).unwrap()],
            ..Target::default()
        };
        let by_circle = audience::resolve(db, &circle, at).await.unwrap();
        assert_eq!(by_circle.counts, counts(1, 1, 0, 1));
        assert_eq!(by_circle.registration_ids(), ["r1"]);

        let square = |lat: f64, lon: f64, d: f64| {
            Polygon::new(vec![
                Point::new(lat - d, lon - d).unwrap(),
                Point::new(lat - d, lon + d).unwrap(),
                Point::new(lat + d, lon + d).unwrap(),
                Point::new(lat + d, lon - d).unwrap(),
                Point::new(lat - d, lon - d).unwrap(),
            ])
            .unwrap()
        };
        let polygon = Target {
            polygons: vec![square(34.43, 35.84, 0.1)],
            ..Target::default()
        };
        let by_polygon = audience::resolve(db, &polygon, at).await.unwrap();
        assert_eq!(by_polygon.registration_ids(), ["r1"], "r1's second place");
        let nowhere = Target {
            polygons: vec![square(0.0, 0.0, 1.0)],
            ..Target::default()
        };
        let empty = audience::resolve(db, &nowhere, at).await.unwrap();
        assert_eq!(
            empty.counts,
            counts(0, 0, 0, 1),
            "the catch-all webhook only"
        );

        // Nine days from now r1's Beirut stay (ending in a week) has ended everywhere on
        // Earth; Tripoli remains.
        let later = audience::resolve(db, &circle, at + Duration::days(9))
            .await
            .unwrap();
        assert_eq!(later.counts.people, 0);
    }
}

/// A place's dates are the traveller's own, in a zone not known: an alert reaches a trip
/// while it is one of its days anywhere on Earth. Before, "today" was the UTC date: a trip
/// starting on 10 July in Tokyo was missed by an alert at 07:30 there (22:30 UTC on the 9th),
/// one ending on 9 July in New York by an alert at 23:00 there (03:00 UTC on the 10th).
#[tokio::test]
async fn a_trip_is_reached_on_its_first_and_last_day_wherever_it_is() {
    for t in TestDb::all().await {
        let db = &t.db;
        for (id, starts, ends) in [
            ("tokyo", "2026-07-10", "2026-07-15"),
            ("new-york", "2026-07-01", "2026-07-09"),
            ("gone", "2026-07-01", "2026-07-08"),
            ("not-yet", "2026-07-11", "2026-07-20"),
        ] {
            let email = format!("{id}@example.org");
            let person = Person {
                id,
                verified: true,
                email: Some(&email),
                phone: None,
                channels: "email",
                places: vec![("JP", "", "", None, None)],
            };
            register(db, &person).await;
            safir_store::with_pool!(db.write(), pool => {
                sqlx::query("UPDATE crisis_places SET starts_on = $1, ends_on = $2 WHERE registration_id = $3")
                    .bind(starts)
                    .bind(ends)
                    .bind(id)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })
            .unwrap();
        }
        let reached = |at: &str| {
            let at: chrono::DateTime<Utc> = at.parse().unwrap();
            async move {
                let a = audience::resolve(db, &countries(&["JP"]), at)
                    .await
                    .unwrap();
                let mut ids = a.registration_ids();
                ids.sort();
                ids
            }
        };
        assert_eq!(reached("2026-07-09T22:30:00Z").await, ["new-york", "tokyo"]);
        assert_eq!(reached("2026-07-10T03:00:00Z").await, ["new-york", "tokyo"]);
        // 13:00 UTC: the 9th has ended everywhere, the 11th has begun in Kiribati.
        assert_eq!(reached("2026-07-10T13:00:00Z").await, ["not-yet", "tokyo"]);
        assert_eq!(
            reached("2026-07-10T10:30:00Z").await,
            ["new-york", "not-yet", "tokyo"]
        );
    }
}

#[tokio::test]
async fn thousands_of_places_are_filtered_exactly() {
    for t in TestDb::all().await {
        let db = &t.db;
        // 3,000 people on a grid around Beirut; a polygon takes a known share.
        let mut tx = db.begin().await.unwrap();
        let t0 = now();
        for chunk in (0..3000).collect::<Vec<i32>>().chunks(500) {
            let mut regs = String::from(
                "INSERT INTO crisis_registrations (id, kind, full_name, email, lang, channels, companions, \
                 adults, children, elderly, medical, vulnerability_note, emergency_name, emergency_phone, \
                 emergency_email, verified_at, consent_at, created_at, updated_at) VALUES ",
            );
            let mut places = String::from(
                "INSERT INTO crisis_places (id, registration_id, country, region, city, lat, lon) VALUES ",
            );
            for (k, i) in chunk.iter().enumerate() {
                if k > 0 {
                    regs.push(',');
                    places.push(',');
                }
                regs.push_str(&format!(
                    "('g{i}', 'trip', 'N', 'g{i}@example.org', 'en', 'email', '[]', 1, 0, $2, $2, '', '', '', '', $1, $1, $1, $1)"
                ));
                let lat = 33.0 + f64::from(i % 60) * 0.05;
                let lon = 35.0 + f64::from(i / 60) * 0.05;
                places.push_str(&format!("('gp{i}', 'g{i}', 'LB', '', '', {lat}, {lon})"));
            }
            safir_store::with_tx!(&mut tx, c => {
                            sqlx::query(sqlx::AssertSqlSafe(regs.as_str())).bind(t0).bind(false)
            .execute(c).await.map(|r| r.rows_affected())
                        })
            .unwrap();
            safir_store::with_tx!(&mut tx, c => {
                            sqlx::query(sqlx::AssertSqlSafe(places.as_str()))
            .execute(c).await.map(|r| r.rows_affected())
                        })
            .unwrap();
        }
        tx.commit().await.unwrap();
        // Latitudes 33.0..35.95 (60 rows), longitudes 35.0..37.45 (50 columns); the square
        // [33.5, 34.0] × [35.5, 36.0] holds 11 × 11 grid points (edges included or not, the
        // ray casting decides; count them the same way here).
        let square = Polygon::new(vec![
            Point::new(33.49, 35.49).unwrap(),
            Point::new(33.49, 36.01).unwrap(),
            Point::new(34.01, 36.01).unwrap(),
            Point::new(34.01, 35.49).unwrap(),
            Point::new(33.49, 35.49).unwrap(),
        ])
        .unwrap();
        let target = Target {
            polygons: vec![square],
            ..Target::default()
        };
        let a = audience::resolve(db, &target, Utc::now()).await.unwrap();
        assert_eq!(a.counts.people, 121);
        assert_eq!(a.counts.email, 121);
        // A polygon whose box holds half of the places (read in one pass on SQLite, not
        // through the index): latitudes 33.0..34.5 (31 rows) by every longitude.
        let half = Polygon::new(vec![
            Point::new(32.99, 34.99).unwrap(),
            Point::new(32.99, 37.46).unwrap(),
            Point::new(34.51, 37.46).unwrap(),
            Point::new(34.51, 34.99).unwrap(),
            Point::new(32.99, 34.99).unwrap(),
        ])
        .unwrap();
        let half = Target {
            polygons: vec![half],
            ..Target::default()
        };
        let h = audience::resolve(db, &half, Utc::now()).await.unwrap();
        assert_eq!(h.counts.people, 31 * 50);
        let whole = audience::resolve(db, &countries(&["LB"]), Utc::now())
            .await
            .unwrap();
        assert_eq!(whole.counts.people, 3000);
        // An area of 1,200 small shapes, one around each of 1,200 places (a map's islands):
        // counted, exactly, on both backends.
        let islands: Vec<Polygon> = (0..1200)
            .map(|i| {
                let lat = 33.0 + f64::from(i % 60) * 0.05;
                let lon = 35.0 + f64::from(i / 60) * 0.05;
                let corner = |a: f64, b: f64| Point::new(lat + a, lon + b).unwrap();
                Polygon::new(vec![
                    corner(-0.01, -0.01),
                    corner(-0.01, 0.01),
                    corner(0.01, 0.01),
                    corner(0.01, -0.01),
                    corner(-0.01, -0.01),
                ])
                .unwrap()
            })
            .collect();
        let islands = Target {
            polygons: islands,
            ..Target::default()
        };
        let i = audience::resolve(db, &islands, Utc::now()).await.unwrap();
        assert_eq!(i.counts.people, 1200);
    }
}

#[tokio::test]
async fn a_region_is_found_however_its_name_was_typed() {
    for t in TestDb::all().await {
        let db = &t.db;
        let place = |id: &'static str, region: &'static str, city: &'static str| Person {
            id,
            verified: true,
            email: Some(id),
            phone: None,
            channels: "email",
            places: vec![("EG", region, city, None, None)],
        };
        // Without the hamza, with ه for ة, without the accent; and a region not targeted.
        register(db, &place("r1@example.org", "الاسكندرية", "")).await;
        register(db, &place("r2@example.org", "", "الإسكندريه")).await;
        register(db, &place("r3@example.org", "Ile-de-France", "")).await;
        register(db, &place("r4@example.org", "Giza", "")).await;
        let target = Target {
            regions: vec![
                Region {
                    country: CountryCode::parse("EG").unwrap(),
                    name: "الإسكندرية".into(),
                },
                Region {
                    country: CountryCode::parse("EG").unwrap(),
                    name: "Île-de-France".into(),
                },
            ],
            ..Target::default()
        };
        let a = audience::resolve(db, &target, Utc::now()).await.unwrap();
        assert_eq!(a.counts.people, 3);
        let reached: Vec<String> = a.recipients.iter().map(|r| r.address.clone()).collect();
        assert_eq!(
            sorted(reached),
            ["r1@example.org", "r2@example.org", "r3@example.org"]
        );
    }
}

/// A follow-up of `of`, of `msg_type`, as a draft.
async fn follow_up(db: &Db, of: &alerts::Alert, msg_type: MsgType) -> alerts::Alert {
    let mission = MissionId::from_trusted(of.mission_id.clone());
    new_draft(db, &mission, countries(&["LB"]), msg_type, Some(&of.id)).await
}

#[tokio::test]
async fn a_thread_is_cancelled_once_a_cancel_of_it_went_out() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await;
        let first = draft(db, &m, countries(&["LB"])).await;
        assert!(step(db, &first.id, AlertStatus::Draft, AlertStatus::Sending).await);
        let update = follow_up(db, &first, MsgType::Update).await;
        assert!(step(db, &update.id, AlertStatus::Draft, AlertStatus::Sending).await);
        let cancel = follow_up(db, &update, MsgType::Cancel).await;
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            alerts::open_follow_up(&mut tx, &update.id, MsgType::Cancel)
                .await
                .unwrap(),
            Some(cancel.id.clone())
        );
        assert_eq!(
            alerts::open_follow_up(&mut tx, &first.id, MsgType::Cancel)
                .await
                .unwrap(),
            None
        );
        assert!(!alerts::hold_thread(&mut tx, &first.id).await.unwrap());
        tx.rollback().await.unwrap();
        // A Cancel draft (or one withdrawn) cancels nothing; sent, it ends the whole thread.
        for a in [&first, &update, &cancel] {
            assert!(!alerts::thread_cancelled(db, &a.id).await.unwrap());
        }
        assert!(step(db, &cancel.id, AlertStatus::Draft, AlertStatus::Sending).await);
        for a in [&first, &update, &cancel] {
            assert!(alerts::thread_cancelled(db, &a.id).await.unwrap());
        }
        let other = draft(db, &m, countries(&["LB"])).await;
        assert!(!alerts::thread_cancelled(db, &other.id).await.unwrap());
    }
}

/// `n` queued text messages of `alert_id`, to recipients new to it.
async fn queue(db: &Db, alert_id: &str, n: usize) {
    let batch = uuid::Uuid::now_v7().as_simple().to_string();
    let mut tx = db.begin().await.unwrap();
    let recipients: Vec<_> = (0..n)
        .map(|i| audience::Recipient {
            id: format!("{batch}-{i}"),
            kind: "subscription".into(),
            channel: "sms".into(),
            address: format!("+96110000{i:02}"),
            lang: "ar".into(),
            registration_id: None,
        })
        .collect();
    deliveries::insert_batch(&mut tx, alert_id, &recipients)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn queued(db: &Db, alert_id: &str) -> i64 {
    with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM crisis_deliveries WHERE alert_id = $1 AND status = 'queued'")
            .bind(alert_id)
            .fetch_one(p)
            .await
    })
    .unwrap()
}

/// An Update sent from the original's page supersedes an earlier Update still sending, and a
/// Cancel sent from the original's page stops its Updates too: nobody gets "Update: …" after
/// "Cancelled: …", nor the first Update's text after the second's.
#[tokio::test]
async fn an_update_or_a_cancel_stops_the_whole_thread() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await;
        let first = draft(db, &m, countries(&["LB"])).await;
        assert!(step(db, &first.id, AlertStatus::Draft, AlertStatus::Sending).await);
        queue(db, &first.id, 2).await;
        let update = follow_up(db, &first, MsgType::Update).await;
        assert!(step(db, &update.id, AlertStatus::Draft, AlertStatus::Sending).await);
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            alerts::supersede_thread(&mut tx, &update.id).await.unwrap(),
            2
        );
        tx.commit().await.unwrap();
        queue(db, &update.id, 3).await;
        assert_eq!(alerts::stop_superseded(db, &update.id).await.unwrap(), 0);
        // A second Update, from the original's page.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let second = follow_up(db, &first, MsgType::Update).await;
        assert!(step(db, &second.id, AlertStatus::Draft, AlertStatus::Sending).await);
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            alerts::supersede_thread(&mut tx, &second.id).await.unwrap(),
            3
        );
        tx.commit().await.unwrap();
        assert_eq!(queued(db, &update.id).await, 0);
        // A row of the first Update put back for a retry since is stopped by its delivery.
        queue(db, &update.id, 1).await;
        assert_eq!(alerts::stop_superseded(db, &update.id).await.unwrap(), 1);
        queue(db, &second.id, 2).await;
        assert_eq!(alerts::stop_superseded(db, &second.id).await.unwrap(), 0);
        // A Cancel from the original's page ends both Updates.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let cancel = follow_up(db, &first, MsgType::Cancel).await;
        assert!(step(db, &cancel.id, AlertStatus::Draft, AlertStatus::Sending).await);
        let mut tx = db.begin().await.unwrap();
        assert_eq!(alerts::stop_thread(&mut tx, &cancel.id).await.unwrap(), 2);
        tx.commit().await.unwrap();
        for a in [&first, &update, &second] {
            assert_eq!(
                alerts::find(db, &a.id).await.unwrap().status().unwrap(),
                AlertStatus::Cancelled,
                "{}",
                a.msg_type
            );
            assert_eq!(queued(db, &a.id).await, 0);
        }
        assert_eq!(
            alerts::find(db, &cancel.id)
                .await
                .unwrap()
                .status()
                .unwrap(),
            AlertStatus::Sending
        );
        queue(db, &second.id, 1).await;
        assert_eq!(alerts::stop_superseded(db, &second.id).await.unwrap(), 1);
    }
}

/// PostgreSQL: a follow-up opened while a Cancel of the same thread is being sent waits for it
/// and then sees the thread cancelled (each holds the thread's first alert).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_waits_for_a_cancel_being_sent() {
    let Some(url) = safir_store::testing::postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&url).await;
    let db = &t.db;
    let m = create_paris(db).await;
    let first = draft(db, &m, countries(&["LB"])).await;
    assert!(step(db, &first.id, AlertStatus::Draft, AlertStatus::Sending).await);
    let update = follow_up(db, &first, MsgType::Update).await;
    let cancel = follow_up(db, &first, MsgType::Cancel).await;

    let mut sending = db.begin().await.unwrap();
    assert!(!alerts::hold_thread(&mut sending, &cancel.id).await.unwrap());
    let moved = alerts::transition(
        &mut sending,
        &cancel.id,
        &Transition {
            from: AlertStatus::Draft,
            to: AlertStatus::Sending,
            by: None,
            audience: None,
            counted_area: None,
            seen: None,
        },
    )
    .await
    .unwrap();
    assert!(moved);
    let other = tokio::spawn({
        let (db, id) = (db.clone(), update.id.clone());
        async move {
            let mut tx = db.begin().await.unwrap();
            let cancelled = alerts::hold_thread(&mut tx, &id).await.unwrap();
            tx.rollback().await.unwrap();
            cancelled
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    sending.commit().await.unwrap();
    assert!(other.await.unwrap(), "the update saw the Cancel");
}

/// An alert sent in a crisis and the crisis's close take turns: a close under way makes the
/// sending wait and then read the crisis closed, and a close begun while an alert is being
/// sent waits for it (it then went out while the crisis was open).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_an_alert_and_closing_its_crisis_take_turns() {
    for t in TestDb::all().await {
        let db = &t.db;
        let m = create_paris(db).await;
        let declare = |title: &'static str| {
            let (db, m) = (db.clone(), m.clone());
            async move {
                let mut tx = db.begin().await.unwrap();
                let c = crises::declare(
                    &mut tx,
                    &NewCrisis {
                        mission_id: m,
                        title_ar: title.into(),
                        title_en: title.into(),
                        country: CountryCode::parse("LB").unwrap(),
                        area: countries(&["LB"]),
                        presence_open: false,
                        reminder_minutes: 90,
                        declared_by: None,
                    },
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                c.id
            }
        };
        let crisis = declare("A").await;
        let mut tx = db.begin().await.unwrap();
        let a = alerts::create_draft(
            &mut tx,
            &NewAlert {
                crisis_id: Some(crisis.clone()),
                mission_id: m.clone(),
                msg_type: MsgType::Alert,
                references_id: None,
                input: input(countries(&["LB"])),
                source: String::new(),
                created_by: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            alerts::hold_alert_crisis_open(&mut tx, &a.id)
                .await
                .unwrap(),
            Some(true)
        );
        tx.rollback().await.unwrap();
        let none = draft(db, &m, countries(&["LB"])).await;
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            alerts::hold_alert_crisis_open(&mut tx, &none.id)
                .await
                .unwrap(),
            None
        );
        assert!(!alerts::hold_crisis_open(&mut tx, "no-such").await.unwrap());
        tx.rollback().await.unwrap();

        if db.backend() != safir_store::Backend::Postgres {
            // One writer at a time: the two transactions cannot overlap at all.
            let mut tx = db.begin().await.unwrap();
            assert!(crises::close(&mut tx, &crisis).await.unwrap());
            tx.commit().await.unwrap();
            let mut tx = db.begin().await.unwrap();
            assert_eq!(
                alerts::hold_alert_crisis_open(&mut tx, &a.id)
                    .await
                    .unwrap(),
                Some(false)
            );
            continue;
        }
        // A sending holds the crisis: the close waits for it.
        let mut sending = db.begin().await.unwrap();
        assert!(
            alerts::hold_crisis_open(&mut sending, &crisis)
                .await
                .unwrap()
        );
        let close = tokio::spawn({
            let (db, id) = (db.clone(), crisis.clone());
            async move {
                let mut tx = db.begin().await.unwrap();
                let closed = crises::close(&mut tx, &id).await.unwrap();
                tx.commit().await.unwrap();
                closed
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(!close.is_finished(), "the close waits for the sending");
        sending.commit().await.unwrap();
        assert!(close.await.unwrap());

        // A close under way: the sending waits, then reads the crisis closed.
        let other = declare("B").await;
        let mut closing = db.begin().await.unwrap();
        assert!(crises::close(&mut closing, &other).await.unwrap());
        let sending = tokio::spawn({
            let (db, id) = (db.clone(), other.clone());
            async move {
                let mut tx = db.begin().await.unwrap();
                let open = alerts::hold_crisis_open(&mut tx, &id).await.unwrap();
                tx.rollback().await.unwrap();
                open
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(!sending.is_finished(), "the sending waits for the close");
        closing.commit().await.unwrap();
        assert!(!sending.await.unwrap(), "the sending saw the close");
    }
}
