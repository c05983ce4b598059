//! The demo crisis: floods in Nairobi. Travellers and residents registered in Kenya, a crisis
//! declared by the Nairobi embassy with its presence form open, an alert sent to everyone
//! inside the flooded area (through the real fan-out: delivery rows, check-ins and the
//! delivery jobs the demo server then runs), and the first answers — safe, need help (each
//! opening an emergency case), not in the area — so the welfare board shows something real.

use anyhow::Context;
use chrono::{Duration, Utc};
use safir_domain::Lang;
use safir_domain::accounts::Email;
use safir_domain::consular::case::{Actor, CaseAction};
use safir_domain::crisis::alert::{AlertForm, AlertStatus};
use safir_domain::crisis::checkin::CheckinStatus;
use safir_domain::crisis::geo::Target;
use safir_domain::crisis::registration::{self, Channel, PlaceInput, RegistrationInput};
use safir_domain::ids::UserId;
use safir_store::consular::cases;
use safir_store::crisis::alerts::{self, NewAlert, Transition};
use safir_store::crisis::crises::{self, NewCrisis};
use safir_store::crisis::registrations::{self, NewRegistration, Verify, purge_time};
use safir_store::crisis::{audience, checkins, subscriptions};
use safir_store::{Db, accounts, missions, now};
use safir_web::state::{AppState, WebConfig};

/// The flooded area: Nairobi and its eastern suburbs (lat, lon), closed.
const AREA: &str = "-1.45,36.65 -1.45,37.05 -1.15,37.05 -1.15,36.65 -1.45,36.65";

/// A person registered in Kenya: name, email, phone, language, place (city, lat, lon),
/// children, elderly, medical needs, and how they answer (None: not yet).
struct Person {
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    lang: &'static str,
    city: &'static str,
    at: (f64, f64),
    children: u8,
    elderly: bool,
    medical: bool,
    answer: Option<(CheckinStatus, &'static str)>,
}

const fn p(
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    lang: &'static str,
    city: &'static str,
    at: (f64, f64),
) -> Person {
    Person {
        name,
        email,
        phone,
        lang,
        city,
        at,
        children: 0,
        elderly: false,
        medical: false,
        answer: None,
    }
}

fn people() -> Vec<Person> {
    use CheckinStatus::{NeedHelp, NotInArea, Safe};
    let safe = Some((Safe, ""));
    vec![
        Person {
            children: 2,
            answer: Some((Safe, "نحن في الطابق الثالث، الماء لم يصل إلينا")),
            ..p(
                "ليلى حداد",
                "layla.haddad@example.org",
                "+254711000101",
                "ar",
                "Nairobi",
                (-1.286, 36.817),
            )
        },
        Person {
            elderly: true,
            medical: true,
            answer: Some((
                NeedHelp,
                "والدي يحتاج إلى غسيل الكلى ولا نستطيع الوصول إلى المستشفى",
            )),
            ..p(
                "سالم العامري",
                "salem.alameri@example.org",
                "+254711000102",
                "ar",
                "Nairobi",
                (-1.300, 36.780),
            )
        },
        Person {
            answer: Some((Safe, "Staying at the hotel, all fine")),
            ..p(
                "Omar Khalil",
                "omar.khalil@example.org",
                "+254711000103",
                "en",
                "Nairobi",
                (-1.265, 36.805),
            )
        },
        Person {
            children: 1,
            answer: Some((
                NeedHelp,
                "Our street is under water, we need to leave with the baby",
            )),
            ..p(
                "Mariam Yousef",
                "mariam.yousef@example.org",
                "+254711000104",
                "en",
                "Embakasi",
                (-1.320, 36.900),
            )
        },
        Person {
            answer: Some((NotInArea, "وصلت إلى مومباسا أمس")),
            ..p(
                "خالد منصور",
                "khaled.mansour@example.org",
                "+254711000105",
                "ar",
                "Nairobi",
                (-1.280, 36.830),
            )
        },
        Person {
            answer: safe,
            ..p(
                "Huda Saeed",
                "huda.saeed@example.org",
                "+254711000106",
                "en",
                "Westlands",
                (-1.268, 36.811),
            )
        },
        Person {
            answer: safe,
            ..p(
                "يوسف الشامسي",
                "yousef.shamsi@example.org",
                "+254711000107",
                "ar",
                "Kilimani",
                (-1.292, 36.785),
            )
        },
        Person {
            elderly: true,
            ..p(
                "عائشة الكعبي",
                "aisha.kaabi@example.org",
                "+254711000108",
                "ar",
                "Karen",
                (-1.320, 36.710),
            )
        },
        Person {
            children: 3,
            ..p(
                "Fatima Nasser",
                "fatima.nasser@example.org",
                "+254711000109",
                "en",
                "Runda",
                (-1.220, 36.820),
            )
        },
        Person {
            ..p(
                "حمد المزروعي",
                "hamad.mazrouei@example.org",
                "+254711000110",
                "ar",
                "Kasarani",
                (-1.220, 36.900),
            )
        },
        Person {
            medical: true,
            answer: Some((Safe, "Moved to my sister's place in Gigiri")),
            ..p(
                "Noura Ali",
                "noura.ali@example.org",
                "+254711000111",
                "en",
                "Lavington",
                (-1.280, 36.770),
            )
        },
        Person {
            answer: safe,
            ..p(
                "راشد البلوشي",
                "rashed.balushi@example.org",
                "+254711000112",
                "ar",
                "Parklands",
                (-1.260, 36.820),
            )
        },
        Person {
            ..p(
                "Sara Ibrahim",
                "sara.ibrahim@example.org",
                "+254711000113",
                "en",
                "Ruaka",
                (-1.205, 36.780),
            )
        },
        Person {
            answer: Some((NotInArea, "")),
            ..p(
                "ماجد الحوسني",
                "majed.hosani@example.org",
                "+254711000114",
                "ar",
                "Nairobi",
                (-1.295, 36.860),
            )
        },
        // Outside the flooded area: registered in Kenya, not reached by this alert.
        p(
            "Ahmed Rashid",
            "ahmed.rashid@example.org",
            "+254711000115",
            "en",
            "Mombasa",
            (-4.043, 39.668),
        ),
        p(
            "مريم الظاهري",
            "mariam.dhaheri@example.org",
            "+254711000116",
            "ar",
            "Kisumu",
            (-0.091, 34.768),
        ),
    ]
}

/// Checks and stores a demo registration (on `user_id`'s account when given); its id.
async fn register(
    db: &Db,
    input: &RegistrationInput,
    user_id: Option<String>,
    today: chrono::NaiveDate,
) -> anyhow::Result<String> {
    let form = registration::check(input, today, true).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let new = NewRegistration {
        user_id,
        crisis_id: None,
        purge_after: purge_time(form.last_day(), Duration::days(30)),
        form,
        verify: Verify::Now,
        request_key: None,
    };
    let mut tx = db.begin().await?;
    let places = new.form.places.clone();
    let r = registrations::create(&mut tx, &new, &places).await?;
    tx.commit().await?;
    Ok(r.id)
}

/// The Kenyan county of a demo person's town or Nairobi neighbourhood.
fn county(city: &str) -> &'static str {
    match city {
        "Mombasa" => "Mombasa",
        "Kisumu" => "Kisumu",
        "Ruaka" => "Kiambu",
        _ => "Nairobi",
    }
}

/// Seeds the crisis once (the caller's marker guards re-runs).
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let mission = missions::find_by_code(db, "NBO")
        .await?
        .context("the Nairobi demo mission is missing")?;
    let officer = account_id(db, "duty.nairobi@demo.safir.example").await?;
    let today = Utc::now().date_naive();

    let mut registered = std::collections::HashMap::new();
    for person in people() {
        let input = RegistrationInput {
            kind: "trip".into(),
            full_name: person.name.into(),
            email: person.email.into(),
            phone: person.phone.into(),
            channels: vec!["email".into(), "sms".into()],
            lang: person.lang.into(),
            places: vec![PlaceInput {
                country: "KE".into(),
                region: county(person.city).into(),
                city: person.city.into(),
                lat: person.at.0.to_string(),
                lon: person.at.1.to_string(),
                starts_on: (today - Duration::days(10)).to_string(),
                ends_on: (today + Duration::days(20)).to_string(),
            }],
            children: person.children.to_string(),
            elderly: person.elderly,
            medical: person.medical,
            medical_note: if person.medical {
                "Needs regular treatment".into()
            } else {
                String::new()
            },
            emergency_name: "Family at home".into(),
            emergency_phone: "+971501234567".into(),
            consent: true,
            ..RegistrationInput::default()
        };
        let id = register(db, &input, None, today)
            .await
            .with_context(|| format!("demo registration of {}", person.name))?;
        registered.insert(person.email, id);
    }
    // The demo citizen's own trip, on their account: "My registrations abroad" shows it,
    // to change or delete.
    let citizen = account_id(db, "citizen@demo.safir.example").await?;
    let input = RegistrationInput {
        kind: "trip".into(),
        full_name: "نور الهاشمي".into(),
        email: "citizen@demo.safir.example".into(),
        phone: "+33612345678".into(),
        channels: vec!["email".into()],
        lang: "ar".into(),
        places: vec![PlaceInput {
            country: "FR".into(),
            region: "Île-de-France".into(),
            city: "Paris".into(),
            lat: "48.8566".into(),
            lon: "2.3522".into(),
            starts_on: (today + Duration::days(5)).to_string(),
            ends_on: (today + Duration::days(19)).to_string(),
        }],
        children: "0".into(),
        emergency_name: "Family at home".into(),
        emergency_phone: "+971501234567".into(),
        consent: true,
        ..RegistrationInput::default()
    };
    register(db, &input, Some(citizen.to_string()), today)
        .await
        .context("the demo citizen's registration")?;
    // Two travel-advice subscribers for Kenya, confirmed.
    for (address, lang) in [
        ("kenya.news@example.org", Lang::En),
        ("akhbar.kenya@example.org", Lang::Ar),
    ] {
        let mut tx = db.begin().await?;
        let subscribed = subscriptions::subscribe(
            &mut tx,
            safir_domain::CountryCode::parse("KE")?,
            Channel::Email,
            address,
            lang.code(),
        )
        .await?;
        tx.commit().await?;
        if let Some(token) = subscribed.confirm_token {
            subscriptions::confirm(db, &token).await?;
        }
    }

    let area = Target::from_cap_polygon(AREA).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = db.begin().await?;
    let crisis = crises::declare(
        &mut tx,
        &NewCrisis {
            mission_id: mission.mission_id(),
            title_ar: "فيضانات في نيروبي".into(),
            title_en: "Floods in Nairobi".into(),
            country: safir_domain::CountryCode::parse("KE")?,
            area: area.clone(),
            presence_open: true,
            reminder_minutes: 120,
            declared_by: Some(officer.clone()),
        },
    )
    .await?;
    let input =
        AlertForm {
            headline_ar: "فيضانات في نيروبي: ابتعدوا عن الأنهار والطرق المغمورة".into(),
            headline_en: "Floods in Nairobi: keep away from rivers and flooded roads".into(),
            description_ar:
                "أمطار غزيرة تسببت في فيضانات في نيروبي وضواحيها الشرقية، والطرق الرئيسية مغلقة."
                    .into(),
            description_en:
                "Heavy rain has flooded Nairobi and its eastern suburbs; main roads are closed."
                    .into(),
            instruction_ar: "ابقوا في مكان مرتفع وآمن وأخبرونا بحالكم عبر الرابط.".into(),
            instruction_en:
                "Stay somewhere high and safe, and tell us how you are through the link.".into(),
            category: "Met".into(),
            event: "Flood".into(),
            response_type: "Shelter".into(),
            urgency: "Immediate".into(),
            severity: "Severe".into(),
            certainty: "Observed".into(),
            expires: (Utc::now() + Duration::days(3))
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            polygons: AREA.into(),
            area_desc: "Nairobi and eastern suburbs".into(),
            ..AlertForm::default()
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("demo alert: {e:?}"))?;
    let alert = alerts::create_draft(
        &mut tx,
        &NewAlert {
            crisis_id: Some(crisis.id.clone()),
            mission_id: mission.mission_id(),
            msg_type: safir_domain::crisis::cap::MsgType::Alert,
            references_id: None,
            input,
            source: String::new(),
            created_by: Some(officer.clone()),
        },
    )
    .await?;
    tx.commit().await?;

    // Sent as an officer would: the audience counted, then straight out (it is far below the
    // approval threshold), then the real fan-out.
    let counted = audience::resolve(db, &area, now()).await?;
    let mut tx = db.begin().await?;
    alerts::transition(
        &mut tx,
        &alert.id,
        &Transition {
            from: AlertStatus::Draft,
            to: AlertStatus::Sending,
            by: None,
            audience: Some(&counted.counts),
            counted_area: None,
            seen: None,
        },
    )
    .await?;
    tx.commit().await?;
    safir_web::crisis::alerts::fan_out(db, &alert.id).await?;

    // The first answers, through the same steps as the check-in page.
    let state = AppState::new(db.clone(), WebConfig::default()).await?;
    let mut first_call = None;
    for person in people() {
        let Some((status, note)) = person.answer else {
            continue;
        };
        let Some(registration) = registered.get(person.email) else {
            continue;
        };
        let Some(checkin) = checkins::for_delivery(db, &alert.id, registration).await? else {
            continue;
        };
        let point = (status != CheckinStatus::NotInArea).then_some(person.at);
        let answered = checkins::answer(db, &checkin.id, status, note, point).await?;
        if status == CheckinStatus::NeedHelp {
            let ctx = checkins::context(db, &answered.checkin).await?;
            let case =
                safir_web::crisis::checkin::open_emergency_case(&state, &answered.checkin, &ctx)
                    .await
                    .map_err(|e| anyhow::anyhow!("demo emergency case: {e:?}"))?;
            first_call = first_call.or(case);
        }
    }

    // The duty officer has acknowledged the first call for help and written to the person, who
    // has no account: their check-in page and the case's show the conversation.
    if let Some(case_id) = first_call {
        let mut tx = db.begin().await?;
        cases::transition(
            &mut tx,
            &case_id,
            &cases::Transition {
                action: CaseAction::StartReview,
                actor: Actor::Officer,
                actor_id: Some(officer.as_str()),
                reason: None,
                mission_code: &mission.code,
                due_in: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo emergency case: {e}"))?;
        cases::add_message(
            &mut tx,
            &case_id,
            Some(officer.as_str()),
            true,
            false,
            "وصلنا طلبك ونعرف موقعك. سيتصل بك موظف قنصلي خلال ساعة لترتيب نقل والدك إلى \
             المستشفى؛ ابقوا في مكانكم ما دام آمنًا.",
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The id of a demo account (staff or citizen).
async fn account_id(db: &Db, email: &str) -> anyhow::Result<UserId> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let user = accounts::find_user_by_email(db, &email)
        .await?
        .context("demo staff account missing")?;
    Ok(UserId::from_trusted(user.id))
}
