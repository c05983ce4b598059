//! Travel advice for the public: the list of countries (searchable, in the reader's
//! language) and a country's page with its sections and history.

use safir_domain::CountryCode;
use safir_domain::consular::advice::{RawAdvice, RawAdviceText, TravelAdvice};
use safir_store::consular::advice;

use crate::harness::TestApp;

/// Publishes a version directly in storage, as the ministry would have.
pub async fn publish(app: &TestApp, country: &str, level: u8, summary_ar: &str, summary_en: &str) {
    let text = |summary: &str, safety: &str| RawAdviceText {
        summary: summary.to_owned(),
        sections: [
            safety.to_owned(),
            String::new(),
            String::new(),
            String::new(),
        ],
    };
    let raw = RawAdvice {
        level: level.to_string(),
        ar: text(summary_ar, "تجنّب التجمعات.\nاحمل جواز سفرك."),
        en: text(summary_en, "Avoid gatherings.\nCarry your passport."),
        change_ar: format!("المستوى {level}"),
        change_en: format!("Now level {level}"),
    };
    let input = TravelAdvice::parse(CountryCode::parse(country).unwrap(), &raw).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    advice::publish(&mut tx, &input, None, None).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_list_shows_each_country_in_the_readers_language_and_filters_by_name() {
    for app in TestApp::all().await {
        let mut c = app.client();
        let empty = c.get("/travel-advice?lang=en").await;
        assert_eq!(empty.status, 200);
        assert!(
            empty
                .body
                .contains("No travel advice has been published yet.")
        );

        publish(
            &app,
            "FR",
            1,
            "احتياطات عادية في فرنسا.",
            "Normal precautions in France.",
        )
        .await;
        publish(
            &app,
            "SD",
            4,
            "لا تسافر إلى السودان.",
            "Do not travel to Sudan.",
        )
        .await;
        publish(
            &app,
            "LB",
            3,
            "أعد النظر في السفر إلى لبنان.",
            "Reconsider travel to Lebanon.",
        )
        .await;

        let en = c.get("/travel-advice?lang=en").await;
        assert_eq!(en.status, 200);
        assert!(en.body.contains(r#"<html lang="en" dir="ltr">"#));
        for text in [
            "France",
            "Sudan",
            "Lebanon",
            "Level 4: Do not travel",
            "Level 3: Reconsider travel",
            "Level 1: Exercise normal precautions",
            "Do not travel to Sudan.",
            "3 countries",
            r#"href="/travel-advice/SD""#,
            r#"type="application/atom+xml" href="/travel-advice/feed.atom?lang=en""#,
        ] {
            assert!(en.body.contains(text), "{text}: {}", en.body);
        }
        // Sorted by the name the reader sees: France, Lebanon, Sudan.
        let at = |s: &str| en.body.find(s).unwrap();
        assert!(at(">France<") < at(">Lebanon<") && at(">Lebanon<") < at(">Sudan<"));

        let ar = c.get("/travel-advice?lang=ar").await;
        assert!(ar.body.contains(r#"<html lang="ar" dir="rtl">"#));
        for text in [
            "فرنسا",
            "السودان",
            "المستوى 4: لا تسافر",
            "لا تسافر إلى السودان.",
            "3 دول",
        ] {
            assert!(ar.body.contains(text), "{text}");
        }

        // The search matches a name in either language, whatever the page language.
        let found = c
            .get("/travel-advice?lang=en&q=%D9%84%D8%A8%D9%86%D8%A7%D9%86")
            .await;
        assert!(found.body.contains("Lebanon") && !found.body.contains(">France<"));
        assert!(found.body.contains("One country"));
        let found = c.get("/travel-advice?lang=ar&q=sud").await;
        assert!(found.body.contains("السودان") && !found.body.contains("فرنسا"));
        // Folded as names are elsewhere: case, marks (لُبْنان), the letter variants.
        for q in ["SUD", "%D9%84%D9%8F%D8%A8%D9%92%D9%86%D8%A7%D9%86"] {
            let found = c.get(&format!("/travel-advice?lang=en&q={q}")).await;
            assert!(found.body.contains("One country"), "{q}: {}", found.body);
        }
        let by_level = c.get("/travel-advice?lang=en&level=3").await;
        assert!(by_level.body.contains("Lebanon") && !by_level.body.contains(">Sudan<"));
        let none = c.get("/travel-advice?lang=en&q=atlantis").await;
        assert!(none.body.contains("No country matches this search."));
        assert!(none.body.contains(r#"value="atlantis""#));
        // Nonsense parameters are ignored, not errors.
        let odd = c.get("/travel-advice?level=9&q=%FF").await;
        assert_eq!(odd.status, 200);
    }
}

#[tokio::test]
async fn a_country_page_shows_level_summary_sections_history_and_its_feed() {
    let app = TestApp::sqlite().await;
    publish(&app, "LB", 2, "توخَّ الحذر.", "Exercise caution.").await;
    publish(
        &app,
        "LB",
        3,
        "أعد النظر في السفر.",
        "Reconsider <b>all</b> travel.",
    )
    .await;
    let mut c = app.client();

    let en = c.get("/travel-advice/lb?lang=en").await;
    assert_eq!(en.status, 200, "{}", en.body);
    for text in [
        "<title>Lebanon — Travel advice",
        "Level 3: Reconsider travel",
        "Reconsider &#60;b&#62;all&#60;/b&#62; travel.",
        "<h2>Safety and security</h2>",
        "<p>Avoid gatherings.</p>",
        "<p>Carry your passport.</p>",
        "Now level 3",
        "Version 2",
        "Version 1",
        "Level 2: Exercise increased caution",
        r#"href="/travel-advice/LB/feed.atom?lang=en""#,
    ] {
        assert!(en.body.contains(text), "{text}: {}", en.body);
    }
    // Sections with nothing to say are left out.
    assert!(!en.body.contains("Entry requirements"));
    assert!(!en.body.contains("<b>all</b>"));

    let ar = c.get("/travel-advice/LB?lang=ar").await;
    // The date keeps its order among Arabic words.
    assert!(ar.body.contains("<time dir=\"ltr\""), "{}", ar.body);
    for text in [
        "لبنان",
        "المستوى 3: أعد النظر في السفر",
        "<h2>السلامة والأمن</h2>",
        "<p>تجنّب التجمعات.</p>",
        "المستوى 3",
        "الإصدار 2",
    ] {
        assert!(ar.body.contains(text), "{text}");
    }

    for missing in [
        "/travel-advice/FR",
        "/travel-advice/XX",
        "/travel-advice/france",
    ] {
        assert_eq!(c.get(missing).await.status, 404, "{missing}");
    }
}
