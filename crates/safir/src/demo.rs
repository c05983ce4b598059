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
    },
];

/// (email, name, role, mission code; None = ministry-wide)
const ACCOUNTS: &[(&str, &str, Option<Role>, Option<&str>)] = &[
    (
        "admin@demo.safir.example",
        "مديرة النظام",
        Some(Role::Admin),
        None,
    ),
    (
        "ambassador.paris@demo.safir.example",
        "Head of Mission, Paris",
        Some(Role::HeadOfMission),
        Some("PAR"),
    ),
    (
        "consul.paris@demo.safir.example",
        "القنصل في باريس",
        Some(Role::ConsularOfficer),
        Some("PAR"),
    ),
    (
        "press.dubai@demo.safir.example",
        "Press Officer, Dubai",
        Some(Role::PressOfficer),
        Some("DXB"),
    ),
    (
        "analyst.nairobi@demo.safir.example",
        "محلل، نيروبي",
        Some(Role::Analyst),
        Some("NBO"),
    ),
    (
        "consul.dubai@demo.safir.example",
        "Consular Officer, Dubai",
        Some(Role::ConsularOfficer),
        Some("DXB"),
    ),
    (
        "duty.nairobi@demo.safir.example",
        "ضابط المناوبة، نيروبي",
        Some(Role::ConsularOfficer),
        Some("NBO"),
    ),
    ("citizen@demo.safir.example", "مواطنة تجريبية", None, None),
    ("visitor@demo.safir.example", "Demo Visitor", None, None),
];

const SEEDED_MARKER: &str = "demo_seeded_v1";

pub async fn run(config: &Config, args: DemoArgs) -> anyhow::Result<()> {
    let db = open_db(config, true).await?;
    seed(&db).await?;
    if args.seed_only {
        db.close().await;
        return Ok(());
    }
    serve_db(config, db, config.jobs.workers_in_process).await
}

/// Seeds once; returns whether anything was written.
pub async fn seed(db: &Db) -> anyhow::Result<bool> {
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
            phone: None,
            address: None,
        };
        missions::create(&mut tx, &input)
            .await
            .context("creating demo missions")?;
    }
    tx.commit().await?;

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
            Lang::Ar,
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
    crate::demo_consular::seed(db)
        .await
        .context("seeding consular services and cases")?;
    settings::set(db, SEEDED_MARKER, "done").await?;
    Ok(true)
}
