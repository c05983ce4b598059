//! Demo consular data: each mission's service catalogue, and cases in every state (a few
//! belong to the demo citizen and the demo visitor, so their "My applications" page shows
//! real history).

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::Duration;
use safir_domain::accounts::Email;
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, CaseState, Priority};
use safir_domain::consular::documents::DocumentKind;
use safir_domain::consular::service::{Currency, Fee};
use safir_domain::ids::UserId;
use safir_store::consular::cases::{self, NewDraft, Transition};
use safir_store::consular::documents::{self, NewUpload, ScanConfig, Uploads};
use safir_store::consular::services::{self, ServiceInput};
use safir_store::{Db, accounts, missions, now};

/// Fee currency per demo mission.
const MISSION_CURRENCY: &[(&str, &str, &str)] = &[
    ("PAR", "EUR", "75"),
    ("DXB", "AED", "300"),
    ("NBO", "KES", "9500"),
];

fn service_inputs(currency: Currency, passport_fee: &str) -> anyhow::Result<Vec<ServiceInput>> {
    let fee = |amount: &str| Fee::parse(amount, currency).map_err(|e| anyhow::anyhow!("{e}"));
    Ok(vec![
        ServiceInput {
            code: "passport_renewal".into(),
            kind: CaseKind::PassportRenewal,
            name_ar: "تجديد جواز السفر".into(),
            name_en: "Passport renewal".into(),
            instructions_ar: "املأ الاستمارة باسمك كما هو في جوازك الحالي، وأرفق صورة شخصية حديثة بخلفية بيضاء. يمكنك استلام الجواز الجديد من البعثة أو بالبريد السريع.".into(),
            instructions_en: "Fill in the form with your name as in your current passport and attach a recent photo on a white background. Collect the new passport at the mission or have it sent by courier.".into(),
            documents: "صورة شخصية حديثة | Recent photo\nصورة صفحة البيانات في الجواز الحالي | Copy of the current passport's data page".into(),
            fee: fee(passport_fee)?,
            processing_days: 10,
            visa_types: vec![],
            enabled: true,
        },
        ServiceInput {
            code: "visa".into(),
            kind: CaseKind::Visa,
            name_ar: "طلب تأشيرة".into(),
            name_en: "Visa application".into(),
            instructions_ar: "للزوار الأجانب: اختر نوع التأشيرة وأدخل تواريخ سفرك وبيانات جوازك. تصلك التأشيرة الإلكترونية بالبريد الإلكتروني بعد الموافقة.".into(),
            instructions_en: "For foreign visitors: choose the type of visa and give your travel dates and passport details. The e-visa reaches you by email once approved.".into(),
            documents: "صورة شخصية | Photo\nصورة الجواز | Passport copy\nحجز الفندق أو دعوة | Hotel booking or invitation".into(),
            fee: fee(passport_fee)?,
            processing_days: 5,
            visa_types: vec!["tourist", "business", "study", "transit"],
            enabled: true,
        },
        ServiceInput {
            code: "emergency".into(),
            kind: CaseKind::Emergency,
            name_ar: "مساعدة طارئة".into(),
            name_en: "Emergency assistance".into(),
            instructions_ar: "إذا كنت في خطر مباشر فاتصل بالشرطة المحلية أولًا. أخبرنا بما حدث وأين أنت وكيف نتصل بك؛ فريق المناوبة يعمل على مدار الساعة.".into(),
            instructions_en: "If you are in immediate danger, call the local police first. Tell us what happened, where you are and how to reach you; the duty team works around the clock.".into(),
            documents: String::new(),
            fee: Fee::from_minor(0, currency),
            processing_days: 1,
            visa_types: vec![],
            enabled: true,
        },
        ServiceInput {
            code: "emergency_travel_document".into(),
            kind: CaseKind::EmergencyTravelDocument,
            name_ar: "وثيقة سفر اضطرارية".into(),
            name_en: "Emergency travel document".into(),
            instructions_ar: "لمن فقد جوازه أو سُرق منه ويحتاج إلى السفر قريبًا. أرفق محضر الشرطة إن وُجد.".into(),
            instructions_en: "If your passport was lost or stolen and you must travel soon. Attach the police report if you have one.".into(),
            documents: "محضر الشرطة | Police report\nصورة شخصية | Photo".into(),
            fee: fee("50")?,
            processing_days: 2,
            visa_types: vec![],
            enabled: true,
        },
    ])
}

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The officer moves that lead from a submitted case to `target`.
fn path_to(target: CaseState, kind: CaseKind) -> Vec<(CaseAction, Actor)> {
    use CaseAction as A;
    let review = vec![(A::StartReview, Actor::Officer)];
    match target {
        CaseState::Draft => vec![],
        CaseState::Submitted => vec![(A::Submit, Actor::Applicant)],
        CaseState::InReview => [vec![(A::Submit, Actor::Applicant)], review].concat(),
        CaseState::NeedsInfo => [
            vec![(A::Submit, Actor::Applicant)],
            review,
            vec![(A::RequestInfo, Actor::Officer)],
        ]
        .concat(),
        CaseState::Approved => [
            vec![(A::Submit, Actor::Applicant)],
            review,
            vec![(A::Approve, Actor::Officer)],
        ]
        .concat(),
        CaseState::Rejected => [
            vec![(A::Submit, Actor::Applicant)],
            review,
            vec![(A::Reject, Actor::Officer)],
        ]
        .concat(),
        CaseState::Withdrawn => vec![
            (A::Submit, Actor::Applicant),
            (A::Withdraw, Actor::Applicant),
        ],
        CaseState::ReadyForCollection => [
            vec![(A::Submit, Actor::Applicant)],
            review,
            vec![
                (A::Approve, Actor::Officer),
                (A::MarkReadyForCollection, Actor::Officer),
            ],
        ]
        .concat(),
        CaseState::Closed => {
            let mut p = path_to(
                if kind.has_collection() {
                    CaseState::ReadyForCollection
                } else {
                    CaseState::Approved
                },
                kind,
            );
            p.push((A::Close, Actor::Officer));
            p
        }
    }
}

struct DemoCase {
    mission: &'static str,
    kind: CaseKind,
    applicant: &'static str,
    state: CaseState,
    form: &'static [(&'static str, &'static str)],
    /// Days since submission and days between moves, so the queue's waiting times, the
    /// processing-time board and a case past its due date show something; `None` keeps the
    /// history as it happens (the emergencies, fresh, escalate as real ones do).
    history: Option<(i64, i64)>,
}

const RENEWAL: &[(&str, &str)] = &[
    ("surname", "الهاشمي"),
    ("given_names", "نور"),
    ("birth_date", "1988-03-14"),
    ("birth_place", "أبوظبي"),
    ("passport_number", "N1234567"),
    ("passport_expiry", "2027-02-01"),
    ("phone", "+33 6 12 34 56 78"),
    ("collection", "mission"),
];

const VISA: &[(&str, &str)] = &[
    ("surname", "Martin"),
    ("given_names", "Claire"),
    ("birth_date", "1990-07-02"),
    ("nationality", "FR"),
    ("passport_number", "19AB12345"),
    ("visa_type", "tourist"),
    // The passport's expiry and the trip's dates are set when the demo is seeded (`demo_form`).
    ("itinerary", "Abu Dhabi five days, then Dubai five days"),
    ("host_name", "Hotel Corniche"),
];

const EMERGENCY: &[(&str, &str)] = &[
    ("category", "lost_passport"),
    (
        "description",
        "سُرقت حقيبتي وفيها جوازي في وسط المدينة، وموعد رحلتي بعد ثلاثة أيام.",
    ),
    ("location", "Nairobi CBD, Kenyatta Avenue"),
    ("latitude", "-1.2841"),
    ("longitude", "36.8233"),
    ("phone", "+254 711 000 111"),
    ("given_names", "نور"),
    ("surname", "الهاشمي"),
];

const CASES: &[DemoCase] = &[
    DemoCase {
        mission: "PAR",
        kind: CaseKind::PassportRenewal,
        applicant: "citizen@demo.safir.example",
        state: CaseState::Draft,
        form: RENEWAL,
        history: None,
    },
    DemoCase {
        mission: "PAR",
        kind: CaseKind::PassportRenewal,
        applicant: "citizen@demo.safir.example",
        state: CaseState::NeedsInfo,
        form: RENEWAL,
        history: Some((9, 2)),
    },
    DemoCase {
        mission: "PAR",
        kind: CaseKind::PassportRenewal,
        applicant: "citizen@demo.safir.example",
        state: CaseState::ReadyForCollection,
        form: RENEWAL,
        history: Some((16, 3)),
    },
    DemoCase {
        mission: "PAR",
        kind: CaseKind::PassportRenewal,
        applicant: "citizen@demo.safir.example",
        state: CaseState::Submitted,
        form: RENEWAL,
        history: Some((12, 0)),
    },
    DemoCase {
        mission: "PAR",
        kind: CaseKind::PassportRenewal,
        applicant: "citizen@demo.safir.example",
        state: CaseState::InReview,
        form: RENEWAL,
        history: Some((6, 1)),
    },
    DemoCase {
        mission: "PAR",
        kind: CaseKind::PassportRenewal,
        applicant: "citizen@demo.safir.example",
        state: CaseState::Closed,
        form: RENEWAL,
        history: Some((40, 5)),
    },
    DemoCase {
        mission: "PAR",
        kind: CaseKind::PassportRenewal,
        applicant: "citizen@demo.safir.example",
        state: CaseState::Withdrawn,
        form: RENEWAL,
        history: Some((5, 1)),
    },
    DemoCase {
        mission: "DXB",
        kind: CaseKind::Visa,
        applicant: "visitor@demo.safir.example",
        state: CaseState::Submitted,
        form: VISA,
        history: Some((2, 0)),
    },
    DemoCase {
        mission: "DXB",
        kind: CaseKind::Visa,
        applicant: "visitor@demo.safir.example",
        state: CaseState::Approved,
        form: VISA,
        history: Some((8, 2)),
    },
    DemoCase {
        mission: "DXB",
        kind: CaseKind::Visa,
        applicant: "visitor@demo.safir.example",
        state: CaseState::Rejected,
        form: VISA,
        history: Some((7, 2)),
    },
    DemoCase {
        mission: "NBO",
        kind: CaseKind::Emergency,
        applicant: "citizen@demo.safir.example",
        state: CaseState::Submitted,
        form: EMERGENCY,
        history: None,
    },
    DemoCase {
        mission: "NBO",
        kind: CaseKind::Emergency,
        applicant: "citizen@demo.safir.example",
        state: CaseState::InReview,
        form: EMERGENCY,
        history: None,
    },
];

/// The demo officer who works each mission's cases, named in their history.
fn demo_officer(mission: &str) -> &'static str {
    match mission {
        "PAR" => "consul.paris@demo.safir.example",
        "DXB" => "consul.dubai@demo.safir.example",
        _ => "duty.nairobi@demo.safir.example",
    }
}

/// Seeds the catalogues and cases; `emergency_ack` is how long an emergency may wait for
/// acknowledgement, after which the waiting one escalates like any other.
pub async fn seed(db: &Db, uploads: &Uploads, emergency_ack: Duration) -> anyhow::Result<()> {
    for (code, currency, fee) in MISSION_CURRENCY {
        let Some(mission) = missions::find_by_code(db, code).await? else {
            continue;
        };
        if !services::list_for_mission(db, &mission.id)
            .await?
            .is_empty()
        {
            continue;
        }
        let currency = Currency::parse(currency).map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tx = db.begin().await?;
        for s in service_inputs(currency, fee)? {
            services::create(&mut tx, &mission.id, &s)
                .await
                .context("demo services")?;
        }
        tx.commit().await?;
    }
    // Read (or create) the signing key before any transaction: on SQLite the one writer
    // connection is held by the transaction.
    let key = safir_store::consular::evisas::signing_key(db).await?;
    // Passport renewals past their draft that carry the applicant's photo, uploaded once
    // the cases are written (an upload writes outside their transactions).
    let mut photos = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        let mission = missions::find_by_code(db, c.mission)
            .await?
            .context("demo mission")?;
        let service = services::find_by_kind(db, &mission.id, c.kind)
            .await?
            .context("demo service")?;
        let email = Email::parse(c.applicant).map_err(|e| anyhow::anyhow!("{e}"))?;
        let Some(applicant) = accounts::find_user_by_email(db, &email).await? else {
            continue;
        };
        let officer = Email::parse(demo_officer(c.mission)).map_err(|e| anyhow::anyhow!("{e}"))?;
        let officer_id = accounts::find_user_by_email(db, &officer)
            .await?
            .map(|u| u.id);
        let f = demo_form(c, now().date_naive());
        let priority = if c.kind == CaseKind::Emergency {
            Priority::High
        } else {
            Priority::Normal
        };
        let mut tx = db.begin().await?;
        let case = cases::create_draft(
            &mut tx,
            &NewDraft {
                mission_id: &mission.id,
                service_id: &service.id,
                kind: c.kind,
                applicant_id: &applicant.id,
                form: &f,
                applicant_name: &safir_domain::consular::forms::display_name(&f),
                lang: if c.kind == CaseKind::Visa { "en" } else { "ar" },
                priority,
                idempotency_key: Some(&format!("demo-case-{i}")),
                idempotency_fingerprint: None,
                expires_at: now() + Duration::days(30),
            },
        )
        .await?;
        if case.state == CaseState::Draft.as_str() {
            for (action, actor) in path_to(c.state, c.kind) {
                let reason = match action {
                    CaseAction::Reject => Some("purpose_not_justified"),
                    CaseAction::Approve => Some("approved"),
                    CaseAction::RequestInfo => {
                        Some("الصورة المرفقة غير واضحة؛ يرجى إرسال صورة بخلفية بيضاء.")
                    }
                    _ => None,
                };
                let due_in = match (action, c.kind) {
                    (CaseAction::Submit, CaseKind::Emergency) => Some(emergency_ack),
                    (CaseAction::Submit, _) | (CaseAction::StartReview, CaseKind::Emergency) => {
                        Some(Duration::days(i64::from(service.processing_days)))
                    }
                    _ => None,
                };
                let actor_id = match actor {
                    Actor::Applicant => Some(applicant.id.as_str()),
                    _ => officer_id.as_deref(),
                };
                let (moved, _) = cases::transition(
                    &mut tx,
                    &case.id,
                    &Transition {
                        action,
                        actor,
                        actor_id,
                        reason,
                        mission_code: &mission.code,
                        due_in,
                    },
                )
                .await
                .map_err(|e| anyhow::anyhow!("demo case {i}: {e}"))?;
                if action == CaseAction::Submit && c.kind == CaseKind::Emergency {
                    // Left unacknowledged, it escalates as a real one does.
                    safir_web::consular::workflow::schedule_escalation(&mut tx, &moved, 1)
                        .await
                        .map_err(|e| anyhow::anyhow!("demo case {i}: {e:?}"))?;
                }
                if action == CaseAction::Approve && c.kind == CaseKind::Visa {
                    issue_demo_evisa(&key, &mut tx, &case, &mission.id, &applicant.id).await?;
                }
                if action == CaseAction::RequestInfo
                    && let Some(text) = reason
                {
                    cases::add_message(&mut tx, &case.id, None, true, false, text).await?;
                }
            }
            if let Some((since, step)) = c.history {
                cases::spread_history(
                    &mut tx,
                    &case.id,
                    Duration::days(since),
                    Duration::days(step),
                )
                .await?;
            }
        }
        tx.commit().await?;
        if c.kind == CaseKind::PassportRenewal && c.state != CaseState::Draft {
            photos.push((applicant.id.clone(), mission.mission_id(), case.id.clone()));
        }
    }
    let photo = demo_photo()?;
    for (owner_id, mission_id, case_id) in photos {
        documents::store_upload(
            db,
            uploads,
            NewUpload {
                owner_id: UserId::from_trusted(owner_id),
                mission_id: Some(mission_id),
                case_id: Some(case_id),
                kind: DocumentKind::Photo,
                original_name: "photo.png".into(),
                bytes: photo.clone(),
            },
            &ScanConfig::none(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("the demo photo: {e}"))?;
    }
    Ok(())
}

/// A passport photo for the demo (35 × 45 mm at 600 × 771 pixels): a head and shoulders in
/// grey on the plain light background the service asks for, as PNG.
fn demo_photo() -> anyhow::Result<Vec<u8>> {
    let (w, h) = (600u32, 771u32);
    let img = image::GrayImage::from_fn(w, h, |x, y| {
        let (x, y) = (f64::from(x), f64::from(y));
        let head = ((x - 300.0) / 150.0).powi(2) + ((y - 300.0) / 190.0).powi(2) <= 1.0;
        let shoulders =
            y >= 560.0 && ((x - 300.0) / 280.0).powi(2) + ((y - 771.0) / 230.0).powi(2) <= 1.0;
        image::Luma([if head || shoulders { 120 } else { 242 }])
    });
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .context("encoding the demo photo")?;
    Ok(png)
}

/// A demo case's form as seeded on `today`.
fn demo_form(c: &DemoCase, today: chrono::NaiveDate) -> BTreeMap<String, String> {
    let mut f = form(c.form);
    if c.kind == CaseKind::Visa {
        let (arrival, departure) = demo_trip(today);
        f.insert("arrival_date".into(), arrival.to_string());
        f.insert("departure_date".into(), departure.to_string());
        let expiry = today + Duration::days(5 * 365);
        f.insert("passport_expiry".into(), expiry.to_string());
    }
    f
}

/// The demo visitor's trip: a month after the day the demo is seeded, ten days long. Fixed
/// dates would pass: the visa applications could no longer be approved or sent again, and
/// the e-visa would check as expired.
fn demo_trip(today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let arrival = today + Duration::days(30);
    (arrival, arrival + Duration::days(10))
}

/// The e-visa of the demo's approved visa, signed with the server's key like any other: valid
/// from the trip's arrival to its departure, as an approval makes it.
async fn issue_demo_evisa(
    key: &safir_domain::consular::evisa::EvisaSigningKey,
    tx: &mut safir_store::Tx,
    case: &cases::Case,
    mission_id: &str,
    holder_id: &str,
) -> anyhow::Result<()> {
    use safir_domain::CountryCode;
    use safir_domain::consular::evisa::{
        Entries, EvisaHolder, EvisaTerms, HolderName, PassportNo, VisaTypeCode,
    };
    use safir_domain::ids::{MissionId, UserId};
    use safir_store::consular::evisas::{self, IssueEvisa};
    let bad = |e: safir_domain::ValidationError| anyhow::anyhow!("{e}");
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").context("demo date");
    let (arrival, departure) = demo_trip(now().date_naive());
    evisas::issue(
        tx,
        IssueEvisa {
            case_id: Some(case.id.clone()),
            mission_id: MissionId::from_trusted(mission_id.to_owned()),
            holder_id: UserId::from_trusted(holder_id.to_owned()),
            holder: EvisaHolder {
                name: HolderName::parse("MARTIN CLAIRE").map_err(bad)?,
                passport_number: PassportNo::parse("19AB12345").map_err(bad)?,
                nationality: CountryCode::parse("FR").map_err(bad)?,
                birth_date: day("1990-07-02")?,
            },
            terms: EvisaTerms::new(
                VisaTypeCode::parse("TOURIST").map_err(bad)?,
                Entries::Single,
                arrival,
                departure,
                11,
            )
            .map_err(bad)?,
            issued_by: None,
        },
        key,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_is_reachable_by_the_demo_paths() {
        for kind in CaseKind::ALL {
            for target in CaseState::ALL {
                if target == CaseState::ReadyForCollection && !kind.has_collection() {
                    continue;
                }
                let mut s = CaseState::Draft;
                for (a, who) in path_to(target, kind) {
                    s = s.apply(kind, a, who).unwrap();
                }
                assert_eq!(s, target, "{kind:?}");
            }
        }
    }

    #[test]
    fn each_required_document_is_a_line_with_both_languages() {
        let currency = Currency::parse("EUR").unwrap();
        for service in service_inputs(currency, "75").unwrap() {
            for line in service.documents.lines() {
                let (ar, en) = line.split_once(" | ").expect(line);
                assert!(
                    !ar.contains(['\\', '|']) && !en.contains(['\\', '|']),
                    "{}: {line}",
                    service.code
                );
                assert!(ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)));
                assert!(en.is_ascii());
            }
        }
    }

    #[test]
    fn the_demo_forms_are_valid_whatever_day_the_demo_is_seeded() {
        let today = now().date_naive();
        for days in (0..1500).step_by(7) {
            let day = today + Duration::days(days);
            for c in CASES {
                let checked = safir_domain::consular::forms::check(
                    c.kind,
                    &demo_form(c, day),
                    day,
                    &["tourist", "business"],
                );
                assert!(checked.is_ok(), "{day} {:?}: {:?}", c.kind, checked.err());
            }
        }
    }

    #[test]
    fn the_demo_has_cases_in_every_state() {
        for st in CaseState::ALL {
            assert!(CASES.iter().any(|c| c.state == st), "{st:?}");
        }
    }
}
