//! The staff workspace: each staff member sees the missions they work with, and a mission's
//! dashboard shows its card, its staff and the panels their role allows.

use safir_domain::roles::Role;
use safir_store::with_pool;

use crate::admin_support::{admin, signed_in};
use crate::harness::{TestApp, unique_email};

#[tokio::test]
async fn an_officer_sees_only_their_missions_dashboard() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let _dubai = app.mission("DXB", "AE").await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let mut client = signed_in(&app, &officer).await;

        let list = client.get("/staff").await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert!(list.body.contains("/missions/PAR/dashboard"));
        assert!(!list.body.contains("/missions/DXB/dashboard"));

        let own = client.get("/missions/PAR/dashboard?lang=ar").await;
        assert_eq!(own.status, 200, "{}", own.body);
        assert!(own.body.contains("بعثة PAR"), "Arabic name");
        assert!(own.body.contains("Mission PAR"), "other name");
        assert!(own.body.contains("فرنسا"), "country in Arabic");
        assert!(own.body.contains("موظف قنصلي"), "role in Arabic");
        // Addresses break after their `@` and before their dots in a narrow column, never
        // inside a word.
        let broken = officer.email.replace('@', "@<wbr>").replace('.', "<wbr>.");
        assert!(own.body.contains(&broken), "{}", own.body);
        assert!(own.body.contains(r#"id="panel-staff""#));
        assert!(
            !own.body.contains(r#"id="panel-jobs""#),
            "the job queue is for ministry admins"
        );

        let en = client.get("/missions/par/dashboard?lang=en").await;
        assert_eq!(en.status, 200);
        assert!(en.body.contains("France") && en.body.contains("Consular officer"));

        assert_eq!(client.get("/missions/DXB/dashboard").await.status, 403);
        assert_eq!(client.get("/missions/NOPE/dashboard").await.status, 404);
    }
}

#[tokio::test]
async fn an_admin_sees_every_mission_and_the_job_queue() {
    for app in TestApp::all().await {
        app.mission("PAR", "FR").await;
        app.mission("NBO", "KE").await;
        let (_, mut client) = admin(&app).await;
        let list = client.get("/staff").await;
        assert!(list.body.contains("/missions/PAR/dashboard"));
        assert!(list.body.contains("/missions/NBO/dashboard"));
        let dash = client.get("/missions/NBO/dashboard?lang=en").await;
        assert_eq!(dash.status, 200);
        assert!(dash.body.contains("Kenya"));
        assert!(dash.body.contains(r#"id="panel-jobs""#));
        assert!(
            dash.body
                .contains("No one holds a role at this mission yet.")
        );
    }
}

#[tokio::test]
async fn the_public_and_strangers_are_kept_out() {
    for app in TestApp::all().await {
        app.mission("PAR", "FR").await;
        let citizen = app.public_user(&unique_email("citizen")).await;
        let mut client = signed_in(&app, &citizen).await;
        assert_eq!(client.get("/staff").await.status, 403);
        assert_eq!(client.get("/missions/PAR/dashboard").await.status, 403);

        let mut anonymous = app.client();
        let res = anonymous.get("/missions/PAR/dashboard").await;
        assert!(res.status.is_redirection());
        assert_eq!(
            res.location(),
            Some("/sign-in?next=/missions/PAR/dashboard")
        );
    }
}

#[tokio::test]
async fn opening_the_dashboard_records_the_staff_list_as_read() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let mut client = signed_in(&app, &officer).await;
        let before = app.audit_summaries("user.read").await.len();

        let res = client.get("/missions/PAR/dashboard").await;
        assert_eq!(res.status, 200, "{}", res.body);
        let reads = app.audit_summaries("user.read").await;
        assert_eq!(reads.len(), before + 1, "{reads:?}");
        let summary = reads.last().unwrap();
        assert_eq!(summary["users"], serde_json::json!([officer.id]));
        assert_eq!(summary["via"], "web");
        let (actor, target_type, target_id, mission_id): (
            Option<String>,
            String,
            Option<String>,
            Option<String>,
        ) = with_pool!(app.db.read(), p => {
            sqlx::query_as(
                "SELECT actor_id, target_type, target_id, mission_id FROM audit_log \
                 WHERE action = 'user.read' ORDER BY seq DESC LIMIT 1",
            )
            .fetch_one(p)
            .await
        })
        .unwrap();
        assert_eq!(actor.as_deref(), Some(officer.id.as_str()));
        assert_eq!(target_type, "mission_staff");
        assert_eq!(target_id.as_deref(), Some(paris.as_str()));
        assert_eq!(mission_id.as_deref(), Some(paris.as_str()));

        // A refused dashboard reads nothing.
        app.mission("DXB", "AE").await;
        assert_eq!(client.get("/missions/DXB/dashboard").await.status, 403);
        assert_eq!(app.audit_summaries("user.read").await.len(), before + 1);
    }
}
