//! `safir demo`: a seeded demo ministry on the embedded database, then the server.
//! Seeding runs once: a second run finds the marker and changes nothing.

use anyhow::Context;
use clap::Args;
use safir_domain::accounts::{DisplayName, Email, Password};
use safir_domain::mission::{MissionCode, MissionKind, TimeZoneName};
use safir_domain::roles::{Role, Scope};
use safir_domain::{CountryCode, Lang};
use safir_store::accounts::{self, password, totp};
use safir_store::missions::{self, MissionInput};
use safir_store::{Db, settings};

use crate::admin_cmd::{insert_account, one_time_password};
use crate::config::Config;
use crate::serve::{open_db, serve_db};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed only; do not start the server.
    #[arg(long)]
    pub seed_only: bool,
}

struct DemoMission {
    code: &'static str,
    kind: MissionKind,
    name_ar: &'static str,
    name_en: &'static str,
    country: &'static str,
    city_ar: &'static str,
    city_en: &'static str,
    tz: &'static str,
    langs: &'static [Lang],
    /// The switchboard, given to whoever asks for emergency help (made up; the Paris one is in
    /// the range France keeps for fiction).
    phone: &'static str,
}

const MISSIONS: &[DemoMission] = &[
    DemoMission {
        code: "HQ",
        kind: MissionKind::Headquarters,
        name_ar: "وزارة الخارجية — المقر الرئيسي",
        name_en: "Ministry of Foreign Affairs — Headquarters",
        country: "AE",
        city_ar: "أبوظبي",
        city_en: "Abu Dhabi",
        tz: "Asia/Dubai",
        langs: &[Lang::Ar, Lang::En],
        phone: "+971 2 000 0000",
    },
    DemoMission {
        code: "PAR",
        kind: MissionKind::Embassy,
        name_ar: "السفارة في باريس",
        name_en: "Embassy in Paris",
        country: "FR",
        city_ar: "باريس",
        city_en: "Paris",
        tz: "Europe/Paris",
        langs: &[Lang::Ar, Lang::Fr, Lang::En],
        phone: "+33 1 99 00 12 34",
    },
    DemoMission {
        code: "DXB",
        kind: MissionKind::Consulate,
        name_ar: "القنصلية العامة في دبي",
        name_en: "Consulate General in Dubai",
        country: "AE",
        city_ar: "دبي",
        city_en: "Dubai",
        tz: "Asia/Dubai",
        langs: &[Lang::Ar, Lang::En],
        phone: "+971 4 000 0000",
    },
    DemoMission {
        code: "NBO",
        kind: MissionKind::Embassy,
        name_ar: "السفارة في نيروبي",
        name_en: "Embassy in Nairobi",
        country: "KE",
        city_ar: "نيروبي",
        city_en: "Nairobi",
        tz: "Africa/Nairobi",
        langs: &[Lang::Ar, Lang::En],
        phone: "+254 20 000 0000",
    },
];

/// (email, name, role, mission code; None = ministry-wide). People's names, as staff and
/// applicants have: most in Arabic script, the locally engaged staff's and the visitor's in
/// Latin; what each one does is their role, printed beside them.
const ACCOUNTS: &[(&str, &str, Option<Role>, Option<&str>)] = &[
    (
        "admin@demo.safir.example",
        "هدى الشامي",
        Some(Role::Admin),
        None,
    ),
    // Headquarters' director of consular affairs: a head of mission's role for the whole
    // ministry (the travel advice is theirs), with no say over missions or accounts.
    (
        "consular.director@demo.safir.example",
        "عمر الخطيب",
        Some(Role::HeadOfMission),
        None,
    ),
    (
        "ambassador.paris@demo.safir.example",
        "سلمى العلي",
        Some(Role::HeadOfMission),
        Some("PAR"),
    ),
    (
        "consul.paris@demo.safir.example",
        "يوسف منصور",
        Some(Role::ConsularOfficer),
        Some("PAR"),
    ),
    (
        "press.dubai@demo.safir.example",
        "Nadia Rahman",
        Some(Role::PressOfficer),
        Some("DXB"),
    ),
    (
        "analyst.nairobi@demo.safir.example",
        "Amina Wanjiru",
        Some(Role::Analyst),
        Some("NBO"),
    ),
    (
        "consul.dubai@demo.safir.example",
        "خالد الراشد",
        Some(Role::ConsularOfficer),
        Some("DXB"),
    ),
    (
        "duty.nairobi@demo.safir.example",
        "حسن عبد الله",
        Some(Role::ConsularOfficer),
        Some("NBO"),
    ),
    ("citizen@demo.safir.example", "نور الهاشمي", None, None),
    ("visitor@demo.safir.example", "Claire Martin", None, None),
];

/// The language an account's mail and pages are in until its holder chooses: Arabic, but
/// English for the people whose names are in Latin script (the locally engaged staff, the
/// foreign visitor).
fn preferred_lang(name: &str) -> Lang {
    if name.chars().any(|c| c.is_ascii_alphabetic()) {
        Lang::En
    } else {
        Lang::Ar
    }
}

const SEEDED_MARKER: &str = "demo_seeded_v1";

pub async fn run(config: &Config, args: DemoArgs) -> anyhow::Result<()> {
    let db = open_db(config, true).await?;
    let emergency_ack = chrono::Duration::minutes(i64::from(config.consular.emergency_ack_minutes));
    let uploads = safir_store::consular::documents::Uploads::new(config.uploads_dir());
    seed(&db, &uploads, emergency_ack).await?;
    if args.seed_only {
        db.close().await;
        return Ok(());
    }
    // The demo's text messages go to a file outbox, whatever gateway is configured: its
    // travellers' numbers are made up and may be someone's.
    let mut config = config.clone();
    config.crisis.sms_gateway = "file".into();
    serve_db(&config, db, config.jobs.workers_in_process).await
}

/// Whether a part of the demo data was seeded whole.
async fn part_done(db: &Db, part: &str) -> anyhow::Result<bool> {
    let key = format!("{SEEDED_MARKER}.{part}");
    Ok(settings::get_or_create(db, &key, || "pending".to_owned()).await? == "done")
}

async fn mark_done(db: &Db, part: &str) -> anyhow::Result<()> {
    Ok(settings::set(db, &format!("{SEEDED_MARKER}.{part}"), "done").await?)
}

/// Seeds once; returns whether anything was written.
pub async fn seed(
    db: &Db,
    uploads: &safir_store::consular::documents::Uploads,
    emergency_ack: chrono::Duration,
) -> anyhow::Result<bool> {
    // A database that holds accounts or missions and no demo (an instance in use, which
    // `safir demo` reaches when its data directory or database URL is the instance's) is not
    // seeded: the demo's crisis alert would go to the people registered there, its
    // administrator account and cases beside theirs.
    if settings::get(db, SEEDED_MARKER).await?.is_none()
        && settings::holds_accounts_or_missions(db).await?
    {
        anyhow::bail!(
            "this database already holds accounts or missions, and not the demo's: `safir demo` \
             seeds only a new database (its crisis alert would reach the people registered \
             here). Give it a data directory of its own, e.g. `safir --data-dir ./safir-demo demo`."
        );
    }
    let already = settings::get_or_create(db, SEEDED_MARKER, || "pending".to_owned()).await?;
    if already == "done" {
        println!(
            "The demo data is already in place (the passwords were printed when it was first seeded)."
        );
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    for m in MISSIONS {
        if missions::find_by_code(db, m.code).await?.is_some() {
            continue;
        }
        let input = MissionInput {
            code: MissionCode::parse(m.code).map_err(|e| anyhow::anyhow!("{e}"))?,
            kind: m.kind,
            name_ar: m.name_ar.into(),
            name_en: m.name_en.into(),
            country: CountryCode::parse(m.country).map_err(|e| anyhow::anyhow!("{e}"))?,
            city_ar: m.city_ar.into(),
            city_en: m.city_en.into(),
            languages: m.langs.to_vec(),
            time_zone: TimeZoneName::parse(m.tz).map_err(|e| anyhow::anyhow!("{e}"))?,
            email: Some(format!("{}@demo.safir.example", m.code.to_lowercase())),
            phone: Some(m.phone.into()),
            address: None,
        };
        missions::create(&mut tx, &input)
            .await
            .context("creating demo missions")?;
    }
    tx.commit().await?;
    seed_travel_advice(db).await?;

    println!(
        "Demo accounts (shown once; staff sign in with the password, then a code from the TOTP secret):"
    );
    for (email, name, role, mission) in ACCOUNTS {
        let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
        if accounts::find_user_by_email(db, &email).await?.is_some() {
            continue;
        }
        let name = DisplayName::parse(name).map_err(|e| anyhow::anyhow!("{e}"))?;
        let pw = one_time_password();
        let hash = password::hash(&Password::parse(&pw).map_err(|e| anyhow::anyhow!("{e}"))?).await;
        let scope = match mission {
            None => Scope::Ministry,
            Some(code) => Scope::Mission(
                missions::find_by_code(db, code)
                    .await?
                    .context("demo mission missing")?
                    .mission_id(),
            ),
        };
        let mut tx = db.begin().await?;
        let id = insert_account(
            &mut tx,
            &email,
            &name,
            &hash,
            preferred_lang(name.as_str()),
            role.map(|r| (r, &scope)),
        )
        .await?;
        tx.commit().await?;
        let role_label = role.map(|r| r.as_str()).unwrap_or("citizen");
        let where_ = mission.unwrap_or(if role.is_some() { "ministry-wide" } else { "-" });
        if role.is_some() {
            let secret = totp::generate_secret();
            accounts::set_pending_totp(db, &id, &secret).await?;
            let mut tx = db.begin().await?;
            accounts::enable_totp(&mut tx, &id, &[]).await?;
            tx.commit().await?;
            println!(
                "  {role_label:<17} {where_:<13} {email:<40} password: {pw}  TOTP secret: {secret}"
            );
        } else {
            println!("  {role_label:<17} {where_:<13} {email:<40} password: {pw}");
        }
    }
    // Each part once: a first run cut short (an error, Ctrl-C) is run again from the part it
    // did not finish, rather than adding a second crisis, alert and set of uploads.
    if !part_done(db, "consular").await? {
        crate::demo_consular::seed(db, uploads, emergency_ack)
            .await
            .context("seeding consular services and cases")?;
        mark_done(db, "consular").await?;
    }
    if !part_done(db, "appointments").await? {
        seed_appointments(db).await?;
        mark_done(db, "appointments").await?;
    }
    if !part_done(db, "crisis").await? {
        crate::demo_crisis::seed(db)
            .await
            .context("seeding the demo crisis")?;
        mark_done(db, "crisis").await?;
    }
    settings::set(db, SEEDED_MARKER, "done").await?;
    Ok(true)
}

/// Arabic, then English.
type Texts = [&'static str; 2];

/// Travel advice for five countries, Sudan in two versions (its level raised from 3 to 4).
/// Each tuple: country, level, summary, safety and security, the note on the change.
const ADVICE: [(&str, u8, Texts, Texts, Texts); 6] = [
    (
        "FR",
        1,
        [
            "اتخذ الاحتياطات المعتادة في فرنسا.",
            "Exercise normal precautions in France.",
        ],
        [
            "احذر النشّالين في الأماكن المزدحمة.",
            "Beware of pickpockets in crowded places.",
        ],
        ["النشر الأول.", "First publication."],
    ),
    (
        "AE",
        1,
        [
            "اتخذ الاحتياطات المعتادة في الإمارات.",
            "Exercise normal precautions in the United Arab Emirates.",
        ],
        [
            "تجنّب التعرض للحرارة في الصيف.",
            "Avoid exposure to the summer heat.",
        ],
        ["النشر الأول.", "First publication."],
    ),
    (
        "KE",
        2,
        [
            "توخَّ مزيدًا من الحذر في كينيا بسبب الجريمة.",
            "Exercise increased caution in Kenya due to crime.",
        ],
        [
            "لا تتنقل ليلًا خارج المدن.",
            "Do not travel by road outside cities at night.",
        ],
        ["النشر الأول.", "First publication."],
    ),
    (
        "LB",
        3,
        [
            "أعد النظر في السفر إلى لبنان.",
            "Reconsider travel to Lebanon.",
        ],
        [
            "تجنّب المناطق الحدودية الجنوبية.",
            "Avoid the southern border areas.",
        ],
        ["النشر الأول.", "First publication."],
    ),
    (
        "SD",
        3,
        [
            "أعد النظر في السفر إلى السودان.",
            "Reconsider travel to Sudan.",
        ],
        [
            "اشتباكات متفرقة في عدة ولايات.",
            "Sporadic clashes in several states.",
        ],
        ["النشر الأول.", "First publication."],
    ),
    (
        "SD",
        4,
        [
            "لا تسافر إلى السودان. غادر إن استطعت ذلك بأمان.",
            "Do not travel to Sudan. Leave if you can do so safely.",
        ],
        [
            "نزاع مسلح في الخرطوم ومناطق أخرى؛ المطار مغلق.",
            "Armed conflict in Khartoum and elsewhere; the airport is closed.",
        ],
        [
            "رفع المستوى إلى 4 بسبب النزاع المسلح.",
            "Raised to level 4 because of the armed conflict.",
        ],
    ),
];

async fn seed_travel_advice(db: &Db) -> anyhow::Result<()> {
    use safir_domain::consular::advice::{RawAdvice, RawAdviceText, TravelAdvice};
    use safir_store::consular::advice;

    let mut seeded = std::collections::HashSet::new();
    for (code, level, summary, safety, change) in ADVICE {
        let country = CountryCode::parse(code).map_err(|e| anyhow::anyhow!("{e}"))?;
        // Leaves advice published by hand alone; a country's versions go in one run.
        if !seeded.contains(code) && advice::find_current(db, &country).await?.is_some() {
            continue;
        }
        seeded.insert(code);
        let text = |i: usize| RawAdviceText {
            summary: summary[i].to_owned(),
            sections: [
                safety[i].to_owned(),
                String::new(),
                String::new(),
                String::new(),
            ],
        };
        let raw = RawAdvice {
            level: level.to_string(),
            ar: text(0),
            en: text(1),
            change_ar: change[0].to_owned(),
            change_en: change[1].to_owned(),
        };
        let input = TravelAdvice::parse(country, &raw)
            .map_err(|e| anyhow::anyhow!("demo advice for {code}: {e:?}"))?;
        let mut tx = db.begin().await?;
        advice::publish(&mut tx, &input, None, None)
            .await
            .context("publishing demo travel advice")?;
        tx.commit().await?;
    }
    Ok(())
}

/// Weekday mornings at every mission (20-minute slots, two people each), a public holiday
/// in two weeks, and two bookings for the demo citizen, on different days.
async fn seed_appointments(db: &Db) -> anyhow::Result<()> {
    use chrono::{Datelike, Duration, Utc};
    use safir_domain::consular::appointments::{
        Closure, OpeningRule, ServiceCode, generate_slots, parse_time, parse_zone, weekday_from_iso,
    };
    use safir_store::consular::appointments::{self as appts, schedule};

    let bad = |e: safir_domain::ValidationError| anyhow::anyhow!("{e}");
    let today = Utc::now().date_naive();
    let holiday = today + Duration::days(14);
    let citizen = Email::parse("citizen@demo.safir.example").map_err(bad)?;
    let citizen = accounts::find_user_by_email(db, &citizen).await?;
    let service = ServiceCode::parse("passport_renewal").map_err(bad)?;
    for m in MISSIONS {
        let mission = missions::find_by_code(db, m.code)
            .await?
            .context("demo mission missing")?;
        if !schedule::list_rules(db, &mission.id).await?.is_empty() {
            continue;
        }
        let mut tx = db.begin().await?;
        for day in 1..=5 {
            let rule = OpeningRule::new(
                weekday_from_iso(day),
                parse_time("09:00").map_err(bad)?,
                parse_time("12:00").map_err(bad)?,
                20,
                2,
                today,
                None,
                None,
            )
            .map_err(|(_, e)| bad(e))?;
            schedule::add_rule(&mut tx, &mission.id, &rule).await?;
        }
        let closure = Closure::new(holiday, holiday, "عطلة رسمية", "Public holiday")
            .map_err(|(_, e)| bad(e))?;
        schedule::add_closure(&mut tx, &mission.id, &closure).await?;
        tx.commit().await?;
        // The demo citizen holds the first slot of the next working week at PAR, and, a
        // traveller who cannot be in two cities on one morning, the first from the Thursday
        // of the week after at DXB.
        let after_monday = match m.code {
            "PAR" => 0,
            "DXB" => 10,
            _ => continue,
        };
        let Some(user) = &citizen else {
            continue;
        };
        let zone = parse_zone(&mission.time_zone).map_err(bad)?;
        let sched = schedule::load(db, &mission.id, today).await?;
        let monday = today + Duration::days(i64::from(8 - today.weekday().number_from_monday()));
        let first_day = monday + Duration::days(after_monday);
        let slots = generate_slots(
            zone,
            &sched.rules,
            &sched.closures,
            first_day,
            first_day + Duration::days(6),
        );
        // At Paris, the appointment is to collect the passport that is ready.
        let collection = safir_store::consular::cases::list_for_applicant(db, &user.id)
            .await?
            .into_iter()
            .find(|c| c.mission_id == mission.id && c.state == "ready_for_collection")
            .map(|c| c.id)
            .filter(|_| m.code == "PAR");
        if let Some(slot) = slots.first() {
            let mut tx = db.begin().await?;
            appts::book(
                &mut tx,
                &appts::NewBooking {
                    mission_id: &mission.id,
                    user_id: &user.id,
                    service: &service,
                    case_id: collection.as_deref(),
                    slot,
                    lang: "ar",
                },
            )
            .await?;
            tx.commit().await?;
        }
    }
    Ok(())
}
