//! The staff workspace: each staff member sees the missions they work with, and a mission's
//! dashboard shows its card, its staff and the panels their role allows.

use safir_domain::roles::Role;

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
