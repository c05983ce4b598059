//! Documents through HTTP: a user uploads into their own list (multipart, form token first,
//! a body above the site-wide limit), sees each file's virus-check state, gets a refused
//! file back with the form kept, and downloads; officers download what their mission may
//! read, audited; everyone else gets 404.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, RgbImage};
use safir_domain::ids::MissionId;
use safir_domain::roles::Role;
use safir_store::consular::documents::{self, ScanConfig, Uploads};
use safir_store::testing::TestDb;
use safir_store::with_pool;
use safir_web::state::WebConfig;

use crate::harness::{Client, ORIGIN, TestApp, TestResponse, unique_email};

/// An upload area removed when the test ends.
pub struct Area(PathBuf);

impl Area {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Area {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn app_with(test_db: TestDb, scan: impl FnOnce(&Path) -> ScanConfig) -> (TestApp, Area) {
    let dir = std::env::temp_dir().join(format!(
        "safir-web-uploads-{}",
        uuid::Uuid::now_v7().as_simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config = WebConfig {
        uploads: Uploads::new(dir.join("uploads")),
        scan: scan(&dir),
        ..WebConfig::default()
    };
    let app = TestApp::with_config(test_db, config).await;
    (app, Area(dir))
}

pub fn no_scanner(_: &Path) -> ScanConfig {
    ScanConfig::none()
}

/// A scanner script answering with `code`.
fn scanner(code: i32) -> impl FnOnce(&Path) -> ScanConfig {
    move |dir| {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("scan.sh");
        std::fs::write(
            &path,
            format!("#!/bin/sh\ntest -f \"$1\" || exit 9\nexit {code}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        ScanConfig::from_command(&path.display().to_string(), ScanConfig::DEFAULT_TIMEOUT)
    }
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 7]));
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A PDF of about `size` bytes: its header, padding, and the end-of-file marker.
fn pdf(size: usize, tag: &str) -> Vec<u8> {
    let end = b"\n%%EOF\n";
    let mut b = format!("%PDF-1.7\n% {tag}\n").into_bytes();
    b.resize(size.saturating_sub(end.len()).max(b.len()), b'%');
    b.extend_from_slice(end);
    b
}

/// Posts a multipart form as a browser does: the form token first, then `kind`, then the file.
async fn upload(
    client: &mut Client<'_>,
    path: &str,
    token: &str,
    kind: &str,
    file: (&str, &[u8]),
) -> TestResponse {
    upload_with(client, path, token, &[("kind", kind)], file).await
}

/// The same with any text fields after the form token.
async fn upload_with(
    client: &mut Client<'_>,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    file: (&str, &[u8]),
) -> TestResponse {
    let boundary = "----safirTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in [("csrf_token", token)].iter().chain(fields.iter()) {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n", file.0)
            .as_bytes(),
    );
    body.extend(file.1);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
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
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    client.send(req).await
}

/// The download links on the user's list, newest first.
fn links(page: &TestResponse) -> Vec<String> {
    page.body
        .match_indices("href=\"/documents/")
        .map(|(at, _)| {
            let rest = &page.body[at + 6..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_user_uploads_lists_and_downloads_their_document() {
    for test_db in TestDb::all().await {
        let (app, _area) = app_with(test_db, no_scanner).await;
        let user = app.public_user(&unique_email("docs")).await;
        let mut client = app.client();
        client.sign_in(&user).await;
        let page = client.get("/account/documents").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("not checked for viruses on this server"),
            "{}",
            page.body
        );
        let token = page.csrf_token().unwrap();

        // Larger than the site-wide body limit: upload routes raise it.
        let bytes = pdf(safir_web::layers::DEFAULT_BODY_LIMIT + 512 * 1024, "letter");
        let res = upload(
            &mut client,
            "/account/documents",
            &token,
            "supporting",
            ("رسالة.jpg", &bytes),
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), Some("/account/documents?done=uploaded"));

        let page = client.get("/account/documents?done=uploaded").await;
        assert!(page.body.contains("Your document was uploaded."));
        assert!(page.body.contains("<bdi>رسالة.jpg</bdi>"), "{}", page.body);
        // Its type and size in the reader's words (the bytes are a PDF whatever its name).
        assert!(page.body.contains("PDF document"), "{}", page.body);
        assert!(page.body.contains(" MB<"), "{}", page.body);
        assert!(page.body.contains("Not checked for viruses"));
        let arabic = client.get("/account/documents?lang=ar").await;
        assert!(arabic.body.contains("مستند PDF"), "{}", arabic.body);
        assert!(arabic.body.contains(" ميغابايت<"), "{}", arabic.body);
        client.get("/account/documents?lang=en").await;
        let link = links(&page).pop().expect("a download link");

        let res = client.get(&link).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            res.headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"document.pdf\"; filename*=UTF-8''%D8%B1%D8%B3%D8%A7%D9%84%D8%A9.pdf"
        );
        assert_eq!(res.body.len(), bytes.len());
        assert!(
            app.audit_actions().await.is_empty(),
            "the owner's own reads are not audited"
        );

        // Without the form token first, the upload is refused before it is read.
        let res = upload(
            &mut client,
            "/account/documents",
            "forged",
            "supporting",
            ("x.pdf", &bytes),
        )
        .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert_eq!(links(&client.get("/account/documents").await).len(), 1);
    }
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn a_user_deletes_a_document_no_application_holds() {
    for test_db in TestDb::all().await {
        let (app, area) = app_with(test_db, no_scanner).await;
        let user = app.public_user(&unique_email("tidy")).await;
        let mut client = app.client();
        client.sign_in(&user).await;
        let token = client.get("/account/documents").await.csrf_token().unwrap();
        let bytes = pdf(2048, "no longer needed");
        let res = upload(
            &mut client,
            "/account/documents",
            &token,
            "supporting",
            ("old.pdf", &bytes),
        )
        .await;
        assert_eq!(res.location(), Some("/account/documents?done=uploaded"));
        let page = client.get("/account/documents").await;
        let link = links(&page).pop().expect("listed");
        let delete = format!("/account/documents/{}/delete", &link["/documents/".len()..]);
        assert!(
            page.body.contains(&format!(r#"action="{delete}""#)),
            "{}",
            page.body
        );
        assert_eq!(files_under(&area.0).len(), 1);

        // Someone else cannot delete it.
        let other = app.public_user(&unique_email("someone")).await;
        let mut theirs = app.client();
        theirs.sign_in(&other).await;
        let their_token = theirs.get("/account/documents").await.csrf_token().unwrap();
        let res = theirs
            .post_form_with_token(&delete, &their_token, &[])
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
        assert_eq!(client.get(&link).await.status, StatusCode::OK);

        // Its owner can, and a second click leads to the same page.
        for _ in 0..2 {
            let res = client.post_form_with_token(&delete, &token, &[]).await;
            assert_eq!(res.location(), Some("/account/documents?done=deleted"));
        }
        let page = client.get("/account/documents?done=deleted").await;
        assert!(
            page.body.contains("The document was deleted."),
            "{}",
            page.body
        );
        assert!(links(&page).is_empty());
        assert_eq!(client.get(&link).await.status, StatusCode::NOT_FOUND);
        assert!(
            files_under(&area.0).is_empty(),
            "{:?}",
            files_under(&area.0)
        );
    }
}

#[tokio::test]
async fn a_refused_file_comes_back_with_the_form_kept() {
    let (app, area) = app_with(TestDb::sqlite().await, no_scanner).await;
    let user = app.public_user(&unique_email("refused")).await;
    let mut client = app.client();
    client.sign_in(&user).await;
    let token = client.get("/account/documents").await.csrf_token().unwrap();

    let res = upload(
        &mut client,
        "/account/documents",
        &token,
        "photo",
        ("me.png", &png(400, 520)),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains(r#"<option value="photo" selected>"#),
        "{}",
        res.body
    );
    assert!(res.body.contains(r#"<p class="field-error" id="field-file-error">The photo is too small: it must be at least 600 × 600 pixels.</p>"#), "{}", res.body);
    assert!(res.body.contains(r#"aria-describedby="field-file-error""#));

    let res = upload(
        &mut client,
        "/account/documents?lang=ar",
        &token,
        "passport_scan",
        ("scan.pdf", b"<html><script>x</script>"),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body
            .contains(r#"<option value="passport_scan" selected>"#)
    );
    assert!(
        res.body.contains("هذا النوع من الملفات غير مقبول هنا"),
        "{}",
        res.body
    );

    let res = upload(&mut client, "/account/documents", &token, "", ("", b"")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains(r#"id="field-kind-error""#)
            && res.body.contains(r#"id="field-file-error""#)
    );

    let big = pdf(11 * 1024 * 1024, "big");
    let res = upload(
        &mut client,
        "/account/documents",
        &token,
        "supporting",
        ("big.pdf", &big),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("The file is larger than 10 MB."),
        "{}",
        res.body
    );
    assert!(res.body.contains(r#"<option value="supporting" selected>"#));

    // Decisions come from the mission: not offered, and refused when sent anyway.
    assert!(!res.body.contains(r#"<option value="decision""#));
    let res = upload(
        &mut client,
        "/account/documents",
        &token,
        "decision",
        ("decision.pdf", &pdf(2048, "decision")),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains(r#"id="field-kind-error""#),
        "{}",
        res.body
    );

    assert!(links(&client.get("/account/documents").await).is_empty());
    assert!(
        !area.0.join("uploads").join("sha256").exists(),
        "refused files were kept"
    );
}

#[tokio::test]
async fn the_list_says_what_the_scanner_said() {
    let cases = [
        (0, StatusCode::SEE_OTHER, "Checked: no virus found"),
        (
            2,
            StatusCode::SEE_OTHER,
            "The virus check failed; an officer will review the file",
        ),
        (
            1,
            StatusCode::UNPROCESSABLE_ENTITY,
            "The virus check found a threat in this file. It was not kept.",
        ),
    ];
    for (code, status, text) in cases {
        let (app, _area) = app_with(TestDb::sqlite().await, scanner(code)).await;
        let user = app.public_user(&unique_email("scan")).await;
        let mut client = app.client();
        client.sign_in(&user).await;
        let page = client.get("/account/documents").await;
        assert!(!page.body.contains("not checked for viruses on this server"));
        let token = page.csrf_token().unwrap();
        let res = upload(
            &mut client,
            "/account/documents",
            &token,
            "other",
            ("a.pdf", &pdf(100, "a")),
        )
        .await;
        assert_eq!(res.status, status, "scanner exit {code}: {}", res.body);
        let page = client.get("/account/documents").await;
        let shown = if status == StatusCode::SEE_OTHER {
            &page.body
        } else {
            &res.body
        };
        assert!(shown.contains(text), "scanner exit {code}: {shown}");
        assert_eq!(
            links(&page).len(),
            usize::from(status == StatusCode::SEE_OTHER)
        );
    }
}

async fn document_reads(app: &TestApp) -> Vec<(String, Option<String>)> {
    with_pool!(app.db.read(), p => {
        sqlx::query_as("SELECT target_id, mission_id FROM audit_log WHERE action = 'document.read' ORDER BY seq").fetch_all(p).await
    })
    .unwrap()
}

#[tokio::test]
async fn downloads_are_for_the_owner_and_their_missions_officers() {
    for test_db in TestDb::all().await {
        let (app, _area) = app_with(test_db, no_scanner).await;
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let owner = app.public_user(&unique_email("owner")).await;
        let mut client = app.client();
        client.sign_in(&owner).await;
        let token = client.get("/account/documents").await.csrf_token().unwrap();
        let res = upload(
            &mut client,
            "/account/documents",
            &token,
            "passport_scan",
            ("passport.png", &png(800, 600)),
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let link = links(&client.get("/account/documents").await)
            .pop()
            .unwrap();
        let id = link.trim_start_matches("/documents/").to_owned();

        // Before it belongs to a mission, it is its owner's alone: no staff may read it, not
        // even ministry-wide.
        let officer = app
            .staff(
                &unique_email("par"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let mut as_officer = app.client();
        as_officer.sign_in(&officer).await;
        assert_eq!(as_officer.get(&link).await.status, StatusCode::NOT_FOUND);
        let admin = app
            .staff(&unique_email("admin"), &[(Role::Admin, None)])
            .await;
        let mut as_admin = app.client();
        as_admin.sign_in(&admin).await;
        assert_eq!(as_admin.get(&link).await.status, StatusCode::NOT_FOUND);
        assert!(document_reads(&app).await.is_empty());

        let mut tx = app.db.begin().await.unwrap();
        documents::attach_to_case(
            &mut tx,
            &id,
            "case-7",
            &MissionId::from_trusted(paris.clone()),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let res = as_officer.get(&link).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.headers[header::CONTENT_TYPE], "image/png");
        assert!(
            res.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("inline; filename=\"passport.png\"")
        );
        assert_eq!(
            document_reads(&app).await,
            [(id.clone(), Some(paris.clone()))]
        );

        assert_eq!(as_admin.get(&link).await.status, StatusCode::OK);
        assert_eq!(document_reads(&app).await.len(), 2);

        let elsewhere = app
            .staff(
                &unique_email("dxb"),
                &[(Role::ConsularOfficer, Some(&dubai))],
            )
            .await;
        let press = app
            .staff(
                &unique_email("press"),
                &[(Role::PressOfficer, Some(&paris))],
            )
            .await;
        let stranger = app.public_user(&unique_email("stranger")).await;
        for account in [elsewhere, press, stranger] {
            let mut c = app.client();
            c.sign_in(&account).await;
            let res = c.get(&link).await;
            assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", account.email);
            // The same answer as for a document that does not exist.
            assert_eq!(
                c.get("/documents/0123456789abcdef0123456789abcdef")
                    .await
                    .status,
                StatusCode::NOT_FOUND
            );
        }
        assert_eq!(
            document_reads(&app).await.len(),
            2,
            "refusals are not reads"
        );

        let res = app.client().get(&link).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(
            res.location()
                .unwrap()
                .starts_with("/sign-in?next=/documents/"),
            "{:?}",
            res.location()
        );

        assert_eq!(client.get(&link).await.status, StatusCode::OK);
        assert_eq!(document_reads(&app).await.len(), 2);
    }
}

#[tokio::test]
async fn an_applicant_files_a_photo_under_their_case_and_its_officer_opens_it() {
    use safir_domain::consular::case::CaseKind;
    use safir_domain::roles::Role;
    for test_db in TestDb::all().await {
        let (app, _area) = app_with(test_db, no_scanner).await;
        let mission = app.mission("PAR", "FR").await;
        let service_id =
            crate::consular_applicant::service(&app, &mission, CaseKind::PassportRenewal).await;
        let amal = app.public_user(&unique_email("amal")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&amal).await;
        let page = c.get(&format!("/consular/services/{service_id}")).await;
        let token = page.csrf_token().unwrap();
        let edit = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &token,
                &[],
            )
            .await
            .location()
            .unwrap()
            .to_owned();
        let case_id = edit
            .trim_start_matches("/account/cases/")
            .trim_end_matches("/edit")
            .to_owned();
        let form = c.get(&edit).await;
        assert!(
            form.body.contains(r#"name="case" value=""#),
            "the draft offers the documents box"
        );
        let token = form.csrf_token().unwrap();
        // A photo too small is refused, and the page keeps the case it was for.
        let small = upload_with(
            &mut c,
            "/account/documents",
            &token,
            &[("case", &case_id), ("kind", "photo")],
            ("me.png", &png(300, 300)),
        )
        .await;
        assert_eq!(small.status, 422);
        assert!(
            small
                .body
                .contains(&format!(r#"name="case" value="{case_id}""#))
        );
        let ok = upload_with(
            &mut c,
            "/account/documents",
            &token,
            &[("case", &case_id), ("kind", "photo")],
            ("me.png", &png(700, 900)),
        )
        .await;
        assert_eq!(ok.location(), Some(edit.as_str()), "{}", ok.body);
        let again = c.get(&edit).await;
        let href = again
            .body
            .split("href=\"/documents/")
            .nth(1)
            .map(|r| format!("/documents/{}", &r[..r.find('"').unwrap()]))
            .expect("listed under the case");
        // Filed with the application, it cannot be deleted from My documents.
        let mine = c.get("/account/documents").await;
        assert!(!mine.body.contains("/delete\""), "{}", mine.body);
        let res = c
            .post_form_with_token(
                &format!("/account/documents/{}/delete", &href["/documents/".len()..]),
                &token,
                &[],
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND);
        assert_eq!(c.get(&href).await.status, StatusCode::OK);

        // Someone else cannot file under this case.
        let other = app.public_user(&unique_email("other")).await;
        let mut o = app.client();
        o.sign_in(&other).await;
        let t = o.get("/account/documents").await.csrf_token().unwrap();
        let r = upload_with(
            &mut o,
            "/account/documents",
            &t,
            &[("case", &case_id), ("kind", "photo")],
            ("x.png", &png(700, 900)),
        )
        .await;
        assert_eq!(r.status, 404);

        // While the case is a draft, its documents are the applicant's alone.
        let officer = app
            .staff(
                &unique_email("consul"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let mut off = app.client();
        off.sign_in(&officer).await;
        assert_eq!(off.get(&href).await.status, 404);
        assert!(document_reads(&app).await.is_empty());

        // Submitted, the mission's officer sees it on the case page and opens it (audited).
        let mut tx = app.db.begin().await.unwrap();
        safir_store::consular::cases::transition(
            &mut tx,
            &case_id,
            &safir_store::consular::cases::Transition {
                action: safir_domain::consular::case::CaseAction::Submit,
                actor: safir_domain::consular::case::Actor::Applicant,
                actor_id: None,
                reason: None,
                mission_code: "PAR",
                due_in: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let case_page = off.get(&format!("/missions/PAR/cases/{case_id}")).await;
        assert!(case_page.body.contains(&href), "{}", case_page.body);
        // The photo is shown on the page, scaled from 700 × 900 to 120 pixels wide.
        assert!(
            case_page.body.contains(&format!(
                r#"<img class="document-preview" src="{href}" width="120" height="154" alt="The photo filed with the application""#
            )),
            "{}",
            case_page.body
        );
        // What was filed is read before the decision: the documents come before the actions.
        let at = |id: &str| case_page.body.find(&format!(r#"id="{id}""#)).unwrap();
        assert!(
            at("documents-heading") < at("case-actions-title"),
            "the documents come after the decision"
        );
        assert_eq!(off.get(&href).await.status, 200);
        let doc_id = href.trim_start_matches("/documents/");
        assert!(
            document_reads(&app)
                .await
                .iter()
                .any(|(target, m)| target == doc_id && m.as_deref() == Some(mission.as_str())),
            "the officer's read is audited under the mission"
        );

        // Once submitted, an upload refused from the case's page comes back on that page,
        // its error beside the upload box and the kind still chosen.
        let show = format!("/account/cases/{case_id}");
        let token = c.get(&show).await.csrf_token().unwrap();
        let small = upload_with(
            &mut c,
            "/account/documents",
            &token,
            &[("case", &case_id), ("kind", "photo")],
            ("me.png", &png(300, 300)),
        )
        .await;
        assert_eq!(small.status, 422, "{}", small.body);
        assert!(
            small.body.contains(r#"id="field-file-error""#),
            "{}",
            small.body
        );
        assert!(
            small.body.contains(r#"value="photo" selected"#),
            "{}",
            small.body
        );
        assert!(
            small
                .body
                .contains(&format!(r#"action="/account/cases/{case_id}/messages""#)),
            "the case's own page: {}",
            small.body
        );
    }
}

/// A document whose bytes were found infected since (sent again by someone else, or scanned
/// again) was still served to its owner and to officers; it is "not found" now, on the pages
/// and through the API.
#[tokio::test]
async fn a_document_found_infected_is_not_served() {
    for test_db in TestDb::all().await {
        let (app, _area) = app_with(test_db, no_scanner).await;
        let user = app.public_user(&unique_email("infected")).await;
        let mut client = app.client();
        client.sign_in(&user).await;
        let token = client.get("/account/documents").await.csrf_token().unwrap();
        let res = upload(
            &mut client,
            "/account/documents",
            &token,
            "supporting",
            ("x.pdf", &pdf(200, "x")),
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let doc = documents::list_for_owner(&app.db, &user.id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        let link = format!("/documents/{}", doc.id);
        let api = format!("/api/v1/me/documents/{}", doc.id);
        assert_eq!(client.get(&link).await.status, StatusCode::OK);
        assert_eq!(client.get(&api).await.status, StatusCode::OK);
        let page = client.get("/account/documents").await;
        assert!(
            page.body.contains(&format!(r#"<a href="{link}">"#)),
            "{}",
            page.body
        );

        let marked = documents::mark_infected(&app.db, &doc.sha256)
            .await
            .unwrap();
        assert_eq!(marked, std::slice::from_ref(&doc.id));
        assert_eq!(client.get(&link).await.status, StatusCode::NOT_FOUND);
        assert_eq!(client.get(&api).await.status, StatusCode::NOT_FOUND);
        let listed = format!(r#"<a href="{link}">"#);
        let page = client.get("/account/documents").await;
        assert!(page.body.contains("Infected: not opened"), "{}", page.body);
        // Listed without a link to an answer that is always "not found".
        assert!(!page.body.contains(&listed), "{}", page.body);
    }
}

/// One account could upload without bound (distinct files, each within its kind's limit)
/// and fill the disk. Past its quota the upload is refused beside the file field, the kind
/// chosen kept, and nothing is stored.
#[tokio::test]
async fn uploads_past_the_accounts_quota_are_refused_with_the_form_kept() {
    for test_db in TestDb::all().await {
        let (app, area) = app_with(test_db, no_scanner).await;
        let user = app.public_user(&unique_email("quota")).await;
        let uploads = Uploads::new(area.0.join("uploads"));
        let owner = safir_domain::ids::UserId::from_trusted(user.id.clone());
        let quota = documents::UploadQuota::DEFAULT;
        for n in 0..quota.documents {
            documents::store_upload(
                &app.db,
                &uploads,
                documents::NewUpload {
                    owner_id: owner.clone(),
                    mission_id: None,
                    case_id: None,
                    kind: safir_domain::consular::documents::DocumentKind::Other,
                    original_name: format!("{n}.pdf"),
                    bytes: pdf(100, &format!("held {n}")),
                },
                &ScanConfig::none(),
            )
            .await
            .unwrap();
        }
        let mut client = app.client();
        client.sign_in(&user).await;
        let token = client.get("/account/documents").await.csrf_token().unwrap();
        let res = upload(
            &mut client,
            "/account/documents",
            &token,
            "invitation",
            ("one-more.pdf", &pdf(200, "one more")),
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert!(
            res.body.contains(&format!(
                r#"<p class="field-error" id="field-file-error">Your account already holds {} documents, the most it may hold."#,
                quota.documents
            )),
            "{}",
            res.body
        );
        assert!(res.body.contains(r#"<option value="invitation" selected>"#));
        let res = upload(
            &mut client,
            "/account/documents?lang=ar",
            &token,
            "invitation",
            ("one-more.pdf", &pdf(200, "one more")),
        )
        .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("الحد الأقصى المسموح به"), "{}", res.body);
        assert_eq!(
            documents::list_for_owner(&app.db, &user.id)
                .await
                .unwrap()
                .len(),
            quota.documents as usize
        );
        assert_eq!(
            files_under(&area.0.join("uploads")).len(),
            quota.documents as usize
        );
    }
}
