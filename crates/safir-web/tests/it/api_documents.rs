//! Documents through the API: an applicant files a photo under their case with a token, finds
//! it in the case and downloads it; the mission's officer downloads it too, audited; bad
//! uploads name the failing field, and nobody else reaches the file. The applicant's data
//! download through the API holds the case and the document.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use safir_domain::roles::Role;
use safir_store::testing::TestDb;
use serde_json::Value;
use tower::ServiceExt;

use crate::api::{field_codes, problem, token};
use crate::api_consular::{renewal_service, service, submitted_case};
use crate::documents::{app_with, no_scanner, png};
use crate::harness::{TestApp, TestResponse, unique_email};

const BOUNDARY: &str = "----safirApiBoundary0a1b2c3d";

/// A multipart body: text `fields`, then `file` (name and bytes) when given.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts `body` as `multipart/form-data` with a bearer token.
async fn upload(app: &TestApp, path: &str, secret: &str, body: Vec<u8>) -> TestResponse {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "safir.test")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.client().send(req).await
}

/// A GET with a bearer token: the status, headers and bytes.
async fn download(
    app: &TestApp,
    path: &str,
    secret: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::builder()
        .uri(path)
        .header(header::HOST, "safir.test")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

#[tokio::test]
async fn an_applicant_files_a_photo_and_the_officer_reads_it_through_the_api() {
    for test_db in TestDb::all().await {
        // Uploads go to a directory of the test's own, removed when it ends.
        let (app, _area) = app_with(test_db, no_scanner).await;
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let passport = service(&app, &paris, &renewal_service(true)).await;
        let applicant = app.public_user(&unique_email("applicant")).await;
        let stranger = app.public_user(&unique_email("stranger")).await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let elsewhere = app
            .staff(
                &unique_email("dubai"),
                &[(Role::ConsularOfficer, Some(&dubai))],
            )
            .await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let read_only = token(&app, &applicant, &["cases:read"]).await;
        let theirs = token(&app, &stranger, &["cases:read", "cases:write"]).await;
        let desk = token(&app, &officer, &["consular:read"]).await;
        let other_desk = token(&app, &elsewhere, &["consular:read"]).await;
        let id = submitted_case(&app, &mine, &passport).await;
        let documents = format!("/api/v1/cases/{id}/documents");
        let photo = png(700, 900);

        // Refused uploads name the field, and nothing is filed.
        let r = upload(
            &app,
            &documents,
            &mine,
            multipart(&[("kind", "decision")], Some(("me.png", &photo))),
        )
        .await;
        let body = problem(&r, 422, "validation");
        assert_eq!(
            field_codes(&body),
            [("kind".to_owned(), "document_kind_unknown".to_owned())]
        );
        let r = upload(
            &app,
            &documents,
            &mine,
            multipart(
                &[("kind", "photo"), ("kind", "other"), ("note", "x")],
                Some(("me.png", &photo)),
            ),
        )
        .await;
        let body = problem(&r, 422, "validation");
        assert_eq!(
            field_codes(&body),
            [
                ("kind".to_owned(), "sent_twice".to_owned()),
                ("note".to_owned(), "unknown_field".to_owned())
            ]
        );
        let r = upload(
            &app,
            &documents,
            &mine,
            multipart(&[("kind", "photo")], None),
        )
        .await;
        let body = problem(&r, 422, "validation");
        assert_eq!(
            field_codes(&body),
            [("file".to_owned(), "required".to_owned())]
        );
        let r = upload(
            &app,
            &documents,
            &mine,
            multipart(&[("kind", "photo")], Some(("me.png", b"not an image"))),
        )
        .await;
        let body = problem(&r, 422, "validation");
        assert_eq!(field_codes(&body)[0].0, "file", "{body}");
        let mut c = app.client();
        let r = c
            .api_raw(
                "POST",
                &documents,
                Some(&mine),
                Some("application/json"),
                r#"{"kind": "photo"}"#,
            )
            .await;
        problem(&r, 415, "unsupported_media_type");
        // Someone else's case, or a token without `cases:write`.
        let r = upload(
            &app,
            &documents,
            &theirs,
            multipart(&[("kind", "photo")], Some(("me.png", &photo))),
        )
        .await;
        problem(&r, 404, "not_found");
        let r = upload(
            &app,
            &documents,
            &read_only,
            multipart(&[("kind", "photo")], Some(("me.png", &photo))),
        )
        .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let case = c
            .api("GET", &format!("/api/v1/cases/{id}"), &mine, None)
            .await
            .json();
        assert_eq!(case["documents"], Value::Array(vec![]));

        // Filed.
        let r = upload(
            &app,
            &documents,
            &mine,
            multipart(&[("kind", "photo")], Some(("صورتي.png", &photo))),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let doc = r.json();
        assert_eq!(doc["kind"], "photo");
        assert_eq!(doc["media_type"], "image/png");
        assert_eq!(doc["width"], 700);
        assert_eq!(doc["file_name"], "صورتي.png");
        assert_eq!(doc["scan_status"], "not_scanned");
        let doc_id = doc["id"].as_str().unwrap().to_owned();
        let url = doc["url"].as_str().unwrap().to_owned();
        assert_eq!(url, format!("{documents}/{doc_id}"));
        let case = c
            .api("GET", &format!("/api/v1/cases/{id}"), &mine, None)
            .await
            .json();
        assert_eq!(case["documents"][0]["id"], doc_id.as_str());

        // The applicant downloads it (re-encoded: a PNG still, with its pixels).
        let (status, headers, bytes) = download(&app, &url, &read_only).await;
        assert_eq!(status, 200);
        assert_eq!(headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (700, 900));
        // Nobody else reaches it under their own case path or this one.
        let (status, _, _) = download(&app, &url, &theirs).await;
        assert_eq!(status, 404);
        let other = submitted_case(&app, &theirs, &passport).await;
        let (status, _, _) = download(
            &app,
            &format!("/api/v1/cases/{other}/documents/{doc_id}"),
            &theirs,
        )
        .await;
        assert_eq!(status, 404);
        assert!(app.audit_summaries("document.read").await.is_empty());

        // The officer finds it in the case and downloads it; the read is audited.
        let seen = c
            .api(
                "GET",
                &format!("/api/v1/missions/PAR/cases/{id}"),
                &desk,
                None,
            )
            .await;
        assert_eq!(seen.status, 200, "{}", seen.body);
        let officer_url = seen.json()["documents"][0]["url"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            officer_url,
            format!("/api/v1/missions/PAR/cases/{id}/documents/{doc_id}")
        );
        let (status, headers, got) = download(&app, &officer_url, &desk).await;
        assert_eq!(status, 200);
        assert_eq!(headers[header::CONTENT_TYPE], "image/png");
        assert_eq!(got, bytes);
        let reads = app.audit_summaries("document.read").await;
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0]["via"], "api");
        assert_eq!(reads[0]["case_id"], id.as_str());
        // Another mission's officer is refused; a document of another case is not found.
        let (status, _, _) = download(&app, &officer_url, &other_desk).await;
        assert_eq!(status, 403);
        let (status, _, _) = download(
            &app,
            &format!("/api/v1/missions/PAR/cases/{other}/documents/{doc_id}"),
            &desk,
        )
        .await;
        assert_eq!(status, 404);
        assert_eq!(app.audit_summaries("document.read").await.len(), 1);

        // Once the case is withdrawn, nothing more is filed under it.
        let r = c
            .api("POST", &format!("/api/v1/cases/{id}/withdraw"), &mine, None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = upload(
            &app,
            &documents,
            &mine,
            multipart(&[("kind", "photo")], Some(("me.png", &photo))),
        )
        .await;
        problem(&r, 409, "case_documents_closed");

        // Everything about the applicant, through the API as from the account page: the
        // case with its history, the document; nothing of anyone else's.
        // A token to read the account alone does not carry the applications.
        let profile_only = token(&app, &applicant, &["read"]).await;
        let r = c.api("GET", "/api/v1/me/data", &profile_only, None).await;
        assert_eq!(r.status, 403, "{}", r.body);
        let reader = token(&app, &applicant, &["read", "cases:read"]).await;
        let data = c.api("GET", "/api/v1/me/data", &reader, None).await;
        assert_eq!(data.status, 200, "{}", data.body);
        assert_eq!(data.headers[header::CACHE_CONTROL], "no-store");
        let data = data.json();
        assert_eq!(data["profile"]["email"], applicant.email.as_str());
        assert_eq!(data["consular_cases"][0]["id"], id.as_str());
        assert_eq!(data["consular_cases"][0]["state"], "withdrawn");
        assert_eq!(data["documents"][0]["id"], doc_id.as_str());
        assert!(!data.to_string().contains(&other), "another's case");
        // The token's scopes decide: `cases:*` alone does not reach the account's data.
        let r = c.api("GET", "/api/v1/me/data", &mine, None).await;
        assert_eq!(r.status, 403, "{}", r.body);
    }
}

/// The applicant's own list, documents not filed under an application, as the "My documents"
/// page keeps it: upload, list (with those filed under their cases), download; nobody else's.
#[tokio::test]
async fn an_applicant_keeps_documents_of_their_own_through_the_api() {
    for test_db in TestDb::all().await {
        let (app, _area) = app_with(test_db, no_scanner).await;
        let paris = app.mission("PAR", "FR").await;
        let passport = service(&app, &paris, &renewal_service(true)).await;
        let applicant = app.public_user(&unique_email("applicant")).await;
        let stranger = app.public_user(&unique_email("stranger")).await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let read_only = token(&app, &applicant, &["cases:read"]).await;
        let theirs = token(&app, &stranger, &["cases:read", "cases:write"]).await;
        let own = "/api/v1/me/documents";
        let photo = png(700, 900);

        // Refusals name the part, as under a case; a case cannot be named here.
        let r = upload(
            &app,
            own,
            &mine,
            multipart(
                &[("kind", "photo"), ("case", "x")],
                Some(("me.png", &photo)),
            ),
        )
        .await;
        assert_eq!(
            field_codes(&problem(&r, 422, "validation")),
            [("case".to_owned(), "unknown_field".to_owned())]
        );
        let r = upload(
            &app,
            own,
            &read_only,
            multipart(&[("kind", "photo")], Some(("me.png", &photo))),
        )
        .await;
        problem(&r, 403, "forbidden");

        let r = upload(
            &app,
            own,
            &mine,
            multipart(&[("kind", "photo")], Some(("me.png", &photo))),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let doc: Value = r.json();
        assert_eq!(doc["case_id"], Value::Null, "{doc}");
        assert_eq!(doc["media_type"], "image/png");
        let url = doc["url"].as_str().unwrap().to_owned();
        assert_eq!(url, format!("{own}/{}", doc["id"].as_str().unwrap()));

        // One filed under an application is listed too, with its case.
        let id = submitted_case(&app, &mine, &passport).await;
        let r = upload(
            &app,
            &format!("/api/v1/cases/{id}/documents"),
            &mine,
            multipart(&[("kind", "passport_scan")], Some(("scan.png", &photo))),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let mut c = app.client();
        let list = c.api("GET", own, &read_only, None).await.json();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{list}");
        assert_eq!(items[0]["case_id"], id.as_str(), "newest first: {list}");
        assert_eq!(items[1]["id"], doc["id"], "{list}");

        let (status, headers, bytes) = download(&app, &url, &read_only).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "image/png");
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
        // Nobody else's, and nothing of theirs in the list.
        let (status, _, _) = download(&app, &url, &theirs).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = download(&app, &format!("{own}/not-an-id"), &mine).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let none = c.api("GET", own, &theirs, None).await.json();
        assert_eq!(none["items"].as_array().unwrap().len(), 0, "{none}");

        // Deleting: not someone else's, not one an application holds, not with a read-only
        // token; the owner's unfiled one goes, and deleting it again answers the same.
        let filed = format!("{own}/{}", items[0]["id"].as_str().unwrap());
        let r = c.api("DELETE", &url, &theirs, None).await;
        problem(&r, 404, "not_found");
        let r = c.api("DELETE", &url, &read_only, None).await;
        problem(&r, 403, "forbidden");
        let r = c.api("DELETE", &filed, &mine, None).await;
        problem(&r, 409, "document_filed");
        for _ in 0..2 {
            let r = c.api("DELETE", &url, &mine, None).await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        }
        let (status, _, _) = download(&app, &url, &mine).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let list = c.api("GET", own, &read_only, None).await.json();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{list}");
        assert_eq!(items[0]["case_id"], id.as_str(), "{list}");
    }
}

/// The account's quota holds through the API as on the pages: the upload past it is refused,
/// the file part named.
#[tokio::test]
async fn the_upload_quota_holds_through_the_api() {
    use safir_store::consular::documents::{self, NewUpload, ScanConfig, UploadQuota, Uploads};
    for test_db in TestDb::all().await {
        let (app, area) = app_with(test_db, no_scanner).await;
        let applicant = app.public_user(&unique_email("quota")).await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let uploads = Uploads::new(area.path().join("uploads"));
        for n in 0..UploadQuota::DEFAULT.documents {
            documents::store_upload(
                &app.db,
                &uploads,
                NewUpload {
                    owner_id: safir_domain::ids::UserId::from_trusted(applicant.id.clone()),
                    mission_id: None,
                    case_id: None,
                    kind: safir_domain::consular::documents::DocumentKind::Other,
                    original_name: format!("{n}.pdf"),
                    bytes: format!("%PDF-1.7\n% held {n}\n%%EOF\n").into_bytes(),
                },
                &ScanConfig::none(),
            )
            .await
            .unwrap();
        }
        let r = upload(
            &app,
            "/api/v1/me/documents",
            &mine,
            multipart(&[("kind", "photo")], Some(("me.png", &png(700, 900)))),
        )
        .await;
        assert_eq!(
            field_codes(&problem(&r, 422, "validation")),
            [("file".to_owned(), "document_quota_documents".to_owned())]
        );
    }
}
