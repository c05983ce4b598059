//! An applicant's draft and its documents through HTTP: a draft that only receives documents
//! is kept as one being typed into (by an accepted upload, not a refused one), a lost draft
//! takes its documents back however it was lost, a refused upload (even a body over the
//! upload limit) comes back on the page it was sent from, a second "Discard" finds the draft
//! gone, and a submission or withdrawal retried through the API is answered as done.

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use safir_domain::consular::case::CaseKind;
use safir_store::consular::cases;
use safir_store::consular::documents;
use safir_store::testing::TestDb;
use safir_store::{now, with_pool};

use crate::api::{field_codes, problem, token};
use crate::api_consular::{renewal_service, submitted_case};
use crate::consular_applicant::service;
use crate::consular_visa::new_application;
use crate::documents::{app_with, no_scanner};
use crate::harness::{Client, ORIGIN, TestApp, TestResponse, unique_email, value_after};

const BOUNDARY: &str = "----safirDraftBoundary5tG8rQ2w";
const MIB: usize = 1024 * 1024;

/// A PDF of `size` bytes.
fn pdf(size: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.7\n% draft\n".to_vec();
    b.resize(size - 7, b'%');
    b.extend_from_slice(b"\n%%EOF\n");
    b
}

/// A multipart body as a browser sends it: `fields` in order, then the file.
fn multipart(fields: &[(&str, &str)], file: (&str, &[u8])) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/pdf\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend(file.1);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The body as the server reads it off a connection: in pieces, each one waited for, as
/// hyper hands a request's body over a frame at a time (a block over the limit, or pieces
/// all there at once, are refused before the fields at their start are read).
fn streamed(body: Vec<u8>) -> Body {
    let pieces: std::collections::VecDeque<Bytes> =
        body.chunks(64 * 1024).map(Bytes::copy_from_slice).collect();
    Body::from_stream(futures_util::stream::unfold(pieces, |mut rest| async {
        tokio::task::yield_now().await;
        let piece = rest.pop_front()?;
        Some((Ok::<_, std::io::Error>(piece), rest))
    }))
}

/// Posts a multipart `body` from the signed-in `client`'s page.
async fn post_multipart(client: &mut Client<'_>, path: &str, body: Vec<u8>) -> TestResponse {
    let cookies: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "safir.test")
        .header(header::COOKIE, cookies.join("; "))
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT_LANGUAGE, "en")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(streamed(body))
        .unwrap();
    client.send(req).await
}

async fn expires_at(app: &TestApp, case_id: &str) -> chrono::DateTime<chrono::Utc> {
    cases::find(&app.db, case_id)
        .await
        .unwrap()
        .expires_at
        .unwrap()
}

/// A draft that only receives documents stays, its expiry moved on as a save moves it: it
/// used to expire, be purged with its documents sent back to the applicant's list, and the
/// application could then be sent without them. And when a draft is lost all the same
/// (expired, or discarded in another window), the new one takes its documents back.
#[tokio::test]
async fn a_document_keeps_its_draft_and_a_lost_draft_takes_its_documents_back() {
    for test_db in TestDb::all().await {
        let (app, _area) = app_with(test_db, no_scanner).await;
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let omar = app.public_user(&unique_email("omar")).await;
        let (mut c, edit, case_id) = new_application(&app, &omar, &service_id).await;
        let page = c.get(&edit).await;
        let csrf = page.csrf_token().unwrap();
        let sent_service = value_after(&page.body, r#"name="service_id" value=""#).to_owned();
        // Close to its end, as after weeks of only adding documents.
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET expires_at = $2 WHERE id = $1")
                .bind(&case_id).bind(now() + chrono::Duration::hours(1)).execute(p).await.map(drop)
        })
        .unwrap();

        let body = multipart(
            &[
                ("csrf_token", &csrf),
                ("case", &case_id),
                ("kind", "supporting"),
            ],
            ("letter.pdf", &pdf(4096)),
        );
        let res = post_multipart(&mut c, "/account/documents", body).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), Some(edit.as_str()));
        let ttl = app.state.config.consular.draft_ttl;
        assert!(
            expires_at(&app, &case_id).await > now() + ttl - chrono::Duration::minutes(5),
            "the upload kept the draft"
        );
        let purged = cases::purge_expired_drafts(&app.db, now() + chrono::Duration::hours(2))
            .await
            .unwrap();
        assert_eq!(purged, 0);

        // Lost all the same (purged at its later expiry): the new draft holds what was typed
        // and takes the old draft's documents back.
        cases::purge_expired_drafts(&app.db, now() + ttl + chrono::Duration::days(1))
            .await
            .unwrap();
        assert!(cases::find(&app.db, &case_id).await.is_err());
        let fields = [
            ("intent", "submit"),
            ("service_id", sent_service.as_str()),
            ("surname", "Haddad"),
        ];
        let res = c.submit(&edit, &edit, &fields).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
        assert!(res.body.contains("check it, then send it"), "{}", res.body);
        assert!(
            !res.body.contains("upload them again below"),
            "{}",
            res.body
        );
        let res = c.submit(&edit, &format!("{edit}?lang=ar"), &fields).await;
        assert!(res.body.contains("راجعه ثم أرسله"), "{}", res.body);
        let mine = documents::list_for_owner(&app.db, &omar.id).await.unwrap();
        assert_eq!(mine.len(), 1);
        let new_draft = mine[0].case_id.clone().expect("filed under the new draft");
        assert_ne!(new_draft, case_id);
        assert_eq!(
            cases::find(&app.db, &new_draft).await.unwrap().state,
            "draft"
        );

        // A draft discarded in another window hands its documents back in the same way: the
        // page sent from the first window gets them on its new draft, and says only that the
        // draft was lost (the same form sent again finds that draft, documents and all).
        let (mut c2, edit2, case2) = new_application(&app, &omar, &service_id).await;
        let page = c2.get(&edit2).await;
        let csrf = page.csrf_token().unwrap();
        let body = multipart(
            &[
                ("csrf_token", &csrf),
                ("case", &case2),
                ("kind", "supporting"),
            ],
            ("scan.pdf", &pdf(2048)),
        );
        let res = post_multipart(&mut c2, "/account/documents", body).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let discard = format!("/account/cases/{case2}/discard");
        let res = c2.post_form_with_token(&discard, &csrf, &[]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let scan = documents::list_for_owner(&app.db, &omar.id)
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.original_name == "scan.pdf")
            .expect("the scan");
        assert_eq!(scan.case_id, None, "back in My documents");
        let mut drafts = Vec::new();
        for _ in 0..2 {
            let res = c2.submit(&edit, &edit2, &fields).await;
            assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
            assert!(res.body.contains("check it, then send it"), "{}", res.body);
            assert!(res.body.contains("scan.pdf"), "{}", res.body);
            let now_scan = documents::find(&app.db, scan.id.as_str()).await.unwrap();
            let on = now_scan.case_id.expect("filed under the new draft");
            assert!(on != case2 && on != new_draft, "{on}");
            assert_eq!(cases::find(&app.db, &on).await.unwrap().state, "draft");
            drafts.push(on);
        }
        assert_eq!(
            drafts[0], drafts[1],
            "the second sending finds the first's draft"
        );
    }
}

/// An upload refused by its checks leaves its draft's expiry as it was: only an accepted
/// document keeps the draft as saving its form does.
#[tokio::test]
async fn a_refused_upload_does_not_keep_its_draft() {
    for test_db in TestDb::all().await {
        let (app, _area) = app_with(test_db, no_scanner).await;
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let omar = app.public_user(&unique_email("omar")).await;
        let (mut c, edit, case_id) = new_application(&app, &omar, &service_id).await;
        let page = c.get(&edit).await;
        let csrf = page.csrf_token().unwrap();
        let soon = now() + chrono::Duration::hours(1);
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET expires_at = $2 WHERE id = $1")
                .bind(&case_id).bind(soon).execute(p).await.map(drop)
        })
        .unwrap();
        let before = expires_at(&app, &case_id).await;

        let body = multipart(
            &[
                ("csrf_token", &csrf),
                ("case", &case_id),
                ("kind", "supporting"),
            ],
            ("letter.pdf", b"not a document at all"),
        );
        let res = post_multipart(&mut c, "/account/documents", body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert_eq!(
            expires_at(&app, &case_id).await,
            before,
            "not kept by a refusal"
        );
        assert!(
            documents::list_for_owner(&app.db, &omar.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

/// A second click on "Discard" finds the draft gone: that is what was asked, so it leads to
/// the list as the first did (it showed "not found"). Someone else's draft looks the same and
/// is left alone.
#[tokio::test]
async fn discard_clicked_twice_leads_to_the_list_both_times() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let omar = app.public_user(&unique_email("omar")).await;
        let (mut c, edit, case_id) = new_application(&app, &omar, &service_id).await;
        let token = c.get(&edit).await.csrf_token().unwrap();
        let discard = format!("/account/cases/{case_id}/discard");
        for _ in 0..2 {
            let res = c.post_form_with_token(&discard, &token, &[]).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
            assert_eq!(res.location(), Some("/account/cases?notice=discarded"));
        }
        assert!(cases::find(&app.db, &case_id).await.is_err());

        let sara = app.public_user(&unique_email("sara")).await;
        let (_, _, hers) = new_application(&app, &sara, &service_id).await;
        let res = c
            .post_form_with_token(&format!("/account/cases/{hers}/discard"), &token, &[])
            .await;
        assert_eq!(res.location(), Some("/account/cases?notice=discarded"));
        assert!(cases::find(&app.db, &hers).await.is_ok(), "hers is kept");
    }
}

/// A body over the upload limit (32 MiB) comes back as a file too large does: the page it
/// was sent from, the kind kept, the error on the file (it was the bare "Too much data"
/// page). From a draft's page, and from a refused file of any size, that page is the draft's,
/// with its form and documents box (it was "My documents", with no way back).
#[tokio::test]
async fn an_upload_over_the_body_limit_comes_back_on_its_page() {
    let (app, _area) = app_with(TestDb::sqlite().await, no_scanner).await;
    // The limit the application runs with: the body below goes over it.
    assert_eq!(app.state.config.upload_body_limit, 32 * MIB);
    let mission = app.mission("PAR", "FR").await;
    let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
    let omar = app.public_user(&unique_email("omar")).await;
    let (mut c, edit, case_id) = new_application(&app, &omar, &service_id).await;
    let csrf = c.get(&edit).await.csrf_token().unwrap();
    let huge = pdf(33 * MIB);
    let large = pdf(12 * MIB);

    // From "My documents".
    let body = multipart(
        &[("csrf_token", &csrf), ("kind", "supporting")],
        ("huge.pdf", &huge),
    );
    let res = post_multipart(&mut c, "/account/documents", body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body.contains("The file is larger than 10 MB."),
        "{}",
        res.body
    );
    assert!(res.body.contains(r#"<option value="supporting" selected>"#));
    assert!(res.body.contains(r#"aria-describedby="field-file-error""#));

    // From the draft's page, over the limit and over the kind's size alike.
    for (name, bytes) in [("huge.pdf", &huge), ("large.pdf", &large)] {
        let body = multipart(
            &[
                ("csrf_token", &csrf),
                ("case", &case_id),
                ("kind", "supporting"),
            ],
            (name, bytes),
        );
        let res = post_multipart(&mut c, "/account/documents", body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            res.body.contains("The file is larger than 10 MB."),
            "{name}: {}",
            res.body
        );
        assert!(
            res.body
                .contains(&format!(r#"action="/account/cases/{case_id}/edit""#)),
            "{name}: the draft's own page: {}",
            res.body
        );
        assert!(res.body.contains(r#"<option value="supporting" selected>"#));
    }
    assert!(
        documents::list_for_owner(&app.db, &omar.id)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The API: a body over the upload limit is refused naming the file, as a file too large.
#[tokio::test]
async fn an_api_upload_over_the_body_limit_names_the_file() {
    let (app, _area) = app_with(TestDb::sqlite().await, no_scanner).await;
    let mission = app.mission("PAR", "FR").await;
    let service_id = crate::api_consular::service(&app, &mission, &renewal_service(true)).await;
    let layla = app.public_user(&unique_email("layla")).await;
    let secret = token(&app, &layla, &["cases:read", "cases:write"]).await;
    let case_id = submitted_case(&app, &secret, &service_id).await;
    let body = multipart(&[("kind", "supporting")], ("huge.pdf", &pdf(33 * MIB)));
    let req = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/cases/{case_id}/documents"))
        .header(header::HOST, "safir.test")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(streamed(body))
        .unwrap();
    let res = app.client().send(req).await;
    let refused = problem(&res, 422, "validation");
    assert_eq!(
        field_codes(&refused),
        [("file".to_owned(), "document_too_large".to_owned())]
    );
}

/// A submission or a withdrawal sent again after its answer was lost is answered as the
/// first was (it was `409 case_transition_illegal`); someone else's move is still refused.
#[tokio::test]
async fn a_submission_or_withdrawal_retried_through_the_api_is_answered_as_done() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = crate::api_consular::service(&app, &mission, &renewal_service(true)).await;
        let layla = app.public_user(&unique_email("layla")).await;
        let secret = token(&app, &layla, &["cases:read", "cases:write"]).await;
        let case_id = submitted_case(&app, &secret, &service_id).await;
        let mut c = app.client();
        let path = format!("/api/v1/cases/{case_id}");
        let again = c
            .api("POST", &format!("{path}/submit"), &secret, None)
            .await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["state"], "submitted");
        assert!(again.json()["reference"].as_str().is_some());

        let first = c
            .api("POST", &format!("{path}/withdraw"), &secret, None)
            .await;
        assert_eq!(first.status, 200, "{}", first.body);
        let again = c
            .api("POST", &format!("{path}/withdraw"), &secret, None)
            .await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json(), first.json());
        // Submitting a withdrawn case is still no move of the kind.
        let res = c
            .api("POST", &format!("{path}/submit"), &secret, None)
            .await;
        problem(&res, 409, "case_transition_illegal");

        // A case an officer moved since: refused as before.
        let other = submitted_case(&app, &secret, &service_id).await;
        let mut tx = app.db.begin().await.unwrap();
        cases::transition(
            &mut tx,
            &other,
            &cases::Transition {
                action: safir_domain::consular::case::CaseAction::StartReview,
                actor: safir_domain::consular::case::Actor::Officer,
                actor_id: None,
                reason: None,
                mission_code: "PAR",
                due_in: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let res = c
            .api(
                "POST",
                &format!("/api/v1/cases/{other}/submit"),
                &secret,
                None,
            )
            .await;
        problem(&res, 409, "case_transition_illegal");
    }
}
