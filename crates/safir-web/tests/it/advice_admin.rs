//! The ministry publishes travel advice through the admin pages: the form keeps what was
//! typed when a field is rejected, a publication is audited, and an edit based on a version
//! someone else has replaced is refused without losing the text.

use safir_domain::roles::Role;
use safir_store::consular::advice::LEVEL_CHANGED_JOB;
use safir_store::with_pool;

use crate::admin_support::{admin, last_summary, signed_in};
use crate::harness::{TestApp, unique_email};

fn fields<'a>(level: &'a str, summary_en: &'a str, base: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("base_version", base),
        ("level", level),
        ("summary_ar", "أعد النظر في السفر إلى لبنان."),
        ("safety_and_security_ar", "تجنّب المناطق الحدودية."),
        ("entry_requirements_ar", ""),
        ("health_ar", ""),
        ("local_laws_ar", ""),
        ("change_summary_ar", "رفع المستوى."),
        ("summary_en", summary_en),
        ("safety_and_security_en", "Avoid the border areas."),
        ("entry_requirements_en", "A visa is issued on arrival."),
        ("health_en", ""),
        ("local_laws_en", ""),
        ("change_summary_en", "Level raised."),
    ]
}

async fn level_jobs(app: &TestApp) -> i64 {
    with_pool!(app.db.read(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1").bind(LEVEL_CHANGED_JOB).fetch_one(p).await
    })
    .unwrap()
}

#[tokio::test]
async fn an_admin_publishes_advice_and_a_level_change_is_announced() {
    for app in TestApp::all().await {
        let (_, mut c) = admin(&app).await;
        let home = c.get("/admin?lang=en").await;
        assert!(home.body.contains(r#"href="/admin/travel-advice""#));

        let list = c.get("/admin/travel-advice?lang=en").await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("No country has advice yet."));
        // The country picker leads to the form.
        let picked = c.get("/admin/travel-advice?country=lb").await;
        assert_eq!(picked.location(), Some("/admin/travel-advice/LB"));
        let form = c.get("/admin/travel-advice/LB?lang=en").await;
        assert_eq!(form.status, 200);
        assert!(form.body.contains("this will be its first version"));
        assert!(form.body.contains(r#"name="base_version" value="0""#));

        let res = c
            .submit(
                "/admin/travel-advice/LB",
                "/admin/travel-advice/LB",
                &fields("2", "Exercise increased caution.", "0"),
            )
            .await;
        // A first version gives the country a level: its subscribers are told.
        assert_eq!(
            res.location(),
            Some("/admin/travel-advice?published=LB&level_changed=1"),
            "{}",
            res.body
        );
        assert_eq!(level_jobs(&app).await, 1);
        let summary = last_summary(&app, "travel_advice.publish").await;
        assert_eq!(summary["country"], "LB");
        assert_eq!(summary["version"], 1);
        assert_eq!(summary["level"]["from"], serde_json::Value::Null);
        assert_eq!(summary["level"]["to"], 2);

        // The form now holds the version in force, with empty change notes.
        let form = c.get("/admin/travel-advice/LB?lang=en").await;
        assert!(form.body.contains("Version in force: 1"));
        assert!(form.body.contains(r#"name="base_version" value="1""#));
        assert!(form.body.contains("Exercise increased caution.</textarea>"));
        assert!(!form.body.contains("Level raised."));

        let res = c
            .submit(
                "/admin/travel-advice/LB",
                "/admin/travel-advice/LB",
                &fields("3", "Reconsider travel.", "1"),
            )
            .await;
        assert_eq!(
            res.location(),
            Some("/admin/travel-advice?published=LB&level_changed=1")
        );
        assert_eq!(level_jobs(&app).await, 2);
        let summary = last_summary(&app, "travel_advice.publish").await;
        assert_eq!(
            (summary["version"].clone(), summary["level"]["from"].clone()),
            (2.into(), 2.into())
        );
        let list = c
            .get("/admin/travel-advice?published=LB&level_changed=1&lang=en")
            .await;
        assert!(list.body.contains("The advice for Lebanon was published."));
        assert!(
            list.body
                .contains("subscribers of this country will be told")
        );
        assert!(list.body.contains("Level 3: Reconsider travel"));

        let public = app.client().get("/travel-advice/LB?lang=en").await;
        assert!(public.body.contains("Reconsider travel."));
        assert!(public.body.contains("<p>A visa is issued on arrival.</p>"));
    }
}

#[tokio::test]
async fn a_rejected_form_keeps_what_was_typed_and_explains_each_field() {
    let app = TestApp::sqlite().await;
    let (_, mut c) = admin(&app).await;
    let long = "x".repeat(1001);
    let mut bad = fields("7", &long, "0");
    bad.retain(|(k, _)| *k != "change_summary_ar");
    bad.push(("change_summary_ar", "   "));

    let en = c
        .submit(
            "/admin/travel-advice/LB?lang=en",
            "/admin/travel-advice/LB",
            &bad,
        )
        .await;
    assert_eq!(en.status, 422, "{}", en.body);
    for text in [
        "Please correct the 3 fields marked below.",
        "Choose a level from 1 to 4.",
        "Enter at most 1000 characters.",
        "This field is required.",
        // What was typed is still there, in both languages.
        "أعد النظر في السفر إلى لبنان.</textarea>",
        "Avoid the border areas.</textarea>",
        &format!("{long}</textarea>"),
    ] {
        assert!(en.body.contains(text), "{text}: {}", en.body);
    }
    assert!(
        en.body
            .contains(r#"id="field-summary_en" name="summary_en""#)
    );
    assert!(en.body.contains(r#"aria-invalid="true""#));

    // The account prefers English; `?lang=` is the reader's explicit choice.
    let ar = c
        .submit(
            "/admin/travel-advice/LB?lang=ar",
            "/admin/travel-advice/LB?lang=ar",
            &bad,
        )
        .await;
    assert_eq!(ar.status, 422);
    assert!(ar.body.contains("اختر مستوى من 1 إلى 4."), "{}", ar.body);
    assert!(ar.body.contains("Avoid the border areas.</textarea>"));
    assert!(
        app.audit_actions()
            .await
            .iter()
            .all(|a| a != "travel_advice.publish")
    );
}

#[tokio::test]
async fn the_longest_advice_the_form_takes_is_published_whole() {
    use safir_domain::consular::advice::{CHANGE_MAX, SECTION_MAX, SUMMARY_MAX};
    let app = TestApp::sqlite().await;
    let (_, mut c) = admin(&app).await;
    // Every field at its longest, in characters a browser sends as twelve bytes each
    // (four of UTF-8, each percent-encoded): the largest body a valid form makes.
    let (summary, section, change) = (
        "🌍".repeat(SUMMARY_MAX),
        "🌍".repeat(SECTION_MAX),
        "🌍".repeat(CHANGE_MAX),
    );
    let filled: Vec<(String, &str)> = ["ar", "en"]
        .iter()
        .flat_map(|lang| {
            [
                ("summary", &summary),
                ("safety_and_security", &section),
                ("entry_requirements", &section),
                ("health", &section),
                ("local_laws", &section),
                ("change_summary", &change),
            ]
            .map(|(name, value)| (format!("{name}_{lang}"), value.as_str()))
        })
        .collect();
    let mut long = vec![("base_version", "0"), ("level", "2")];
    long.extend(filled.iter().map(|(name, value)| (name.as_str(), *value)));
    let res = c
        .submit("/admin/travel-advice/LB", "/admin/travel-advice/LB", &long)
        .await;
    assert_eq!(
        res.location(),
        Some("/admin/travel-advice?published=LB&level_changed=1"),
        "{}",
        res.status
    );
    let public = app.client().get("/travel-advice/LB?lang=ar").await;
    assert!(public.body.contains(&section), "{}", public.status);
}

#[tokio::test]
async fn an_edit_of_a_replaced_version_is_refused_and_keeps_the_text() {
    let app = TestApp::sqlite().await;
    let (_, mut c) = admin(&app).await;
    let ok = c
        .submit(
            "/admin/travel-advice/LB",
            "/admin/travel-advice/LB",
            &fields("2", "First text.", "0"),
        )
        .await;
    assert!(ok.status.is_redirection());
    // A colleague's form was opened before that publication (base version 0).
    let stale = c
        .submit(
            "/admin/travel-advice/LB?lang=en",
            "/admin/travel-advice/LB",
            &fields("4", "My stale text.", "0"),
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("Someone published a newer version"));
    assert!(stale.body.contains("My stale text.</textarea>"));
    assert!(stale.body.contains(r#"name="base_version" value="1""#));
    let public = app.client().get("/travel-advice/LB?lang=en").await;
    assert!(public.body.contains("First text.") && !public.body.contains("My stale text."));
}

#[tokio::test]
async fn the_same_publication_sent_twice_is_published_once() {
    for app in TestApp::all().await {
        let (_, mut c) = admin(&app).await;
        let form = fields("3", "Reconsider travel.", "0");
        for _ in 0..2 {
            let res = c
                .submit("/admin/travel-advice/LB", "/admin/travel-advice/LB", &form)
                .await;
            assert!(
                res.location()
                    .is_some_and(|l| l.starts_with("/admin/travel-advice?published=LB")),
                "{}",
                res.body
            );
        }
        let versions: i64 = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM travel_advice_versions WHERE country = 'LB'").fetch_one(p).await
        })
        .unwrap();
        assert_eq!(versions, 1);
        // From the same base with other words, it is a colleague's (or a stale) edit: refused.
        let other = c
            .submit(
                "/admin/travel-advice/LB",
                "/admin/travel-advice/LB",
                &fields("3", "Other words.", "0"),
            )
            .await;
        assert_eq!(other.status, 409);
    }
}

#[tokio::test]
async fn a_head_of_mission_cannot_edit_the_ministrys_advice() {
    let app = TestApp::sqlite().await;
    let paris = app.mission("PAR", "FR").await;
    let head = app
        .staff(
            &unique_email("head"),
            &[(Role::HeadOfMission, Some(&paris))],
        )
        .await;
    let mut c = signed_in(&app, &head).await;
    assert_eq!(c.get("/admin/travel-advice").await.status, 403);
    assert_eq!(c.get("/admin/travel-advice/FR").await.status, 403);
}
