//! Open cases past their deadline, counted per service: closed and on-time cases do not
//! count, and a service without any case still shows with zero.

use std::collections::BTreeMap;

use chrono::Duration;
use safir_domain::accounts::AccountKind;
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, Priority};
use safir_store::consular::cases::{self, NewDraft, Transition};
use safir_store::consular::services::{self, ServiceInput};
use safir_store::testing::TestDb;
use safir_store::{Db, missions, now};

use crate::consular_cases::passport_service;
use crate::directory::user;
use crate::missions::paris;

pub async fn submitted_case(
    db: &Db,
    mission: &str,
    service: &str,
    applicant: &str,
    due_in: Duration,
) -> String {
    let form = BTreeMap::new();
    let mut tx = db.begin().await.unwrap();
    let case = cases::create_draft(
        &mut tx,
        &NewDraft {
            mission_id: mission,
            service_id: service,
            kind: CaseKind::PassportRenewal,
            applicant_id: applicant,
            form: &form,
            applicant_name: "أمل",
            lang: "ar",
            priority: Priority::Normal,
            idempotency_key: None,
            idempotency_fingerprint: None,
            expires_at: now() + Duration::days(30),
        },
    )
    .await
    .unwrap();
    cases::transition(
        &mut tx,
        &case.id,
        &Transition {
            action: CaseAction::Submit,
            actor: Actor::Applicant,
            actor_id: None,
            reason: None,
            mission_code: "PAR",
            due_in: Some(due_in),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    case.id
}

#[tokio::test]
async fn overdue_cases_are_counted_per_service() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut tx = db.begin().await.unwrap();
        let mission = missions::create(&mut tx, &paris()).await.unwrap();
        let passport = services::create(&mut tx, mission.as_str(), &passport_service())
            .await
            .unwrap();
        let quiet = ServiceInput {
            code: "etd".into(),
            kind: CaseKind::EmergencyTravelDocument,
            ..passport_service()
        };
        services::create(&mut tx, mission.as_str(), &quiet)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let applicant = user(db, "late@example.org", "أمل", AccountKind::Public).await;
        let (m, s) = (mission.as_str(), passport.as_str());

        submitted_case(db, m, s, &applicant, Duration::days(-2)).await;
        submitted_case(db, m, s, &applicant, Duration::days(-1)).await;
        submitted_case(db, m, s, &applicant, Duration::days(5)).await;
        let withdrawn = submitted_case(db, m, s, &applicant, Duration::days(-3)).await;
        let mut tx = db.begin().await.unwrap();
        cases::transition(
            &mut tx,
            &withdrawn,
            &Transition {
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
        tx.commit().await.unwrap();

        let rows = cases::overdue_by_service(db, m, now()).await.unwrap();
        let counts: Vec<(&str, i64)> = rows.iter().map(|r| (r.code.as_str(), r.overdue)).collect();
        assert_eq!(counts, [("etd", 0), ("passport_renewal", 2)]);
        let later = cases::overdue_by_service(db, m, now() + Duration::days(6))
            .await
            .unwrap();
        assert_eq!(later[1].overdue, 3, "the on-time case is late in six days");
    }
}
