//! The audit trail and dead jobs as an administrator sees them: filters, paging, CSV
//! export, the chain check, and retrying a dead job.

use safir_domain::audit::AuditAction;
use safir_domain::roles::Role;
use safir_store::audit::{self, NewAuditRecord};
use safir_store::jobs::{self, NewJob};
use safir_store::with_pool;

use crate::admin_support::admin;
use crate::harness::{Client, TestApp};

async fn note(app: &TestApp, action: &'static str, target: &str) {
    audit::record(
        &app.db,
        &NewAuditRecord {
            actor_id: None,
            actor_label: "cli".into(),
            action: AuditAction::new(action),
            target_type: "test",
            target_id: Some(target.to_owned()),
            mission_id: None,
            client_ip: None,
            summary: serde_json::json!({ "note": "a \"quoted\", multi\nline note" }),
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_trail_is_filtered_paged_exported_and_verified() {
    for app in TestApp::all().await {
        for i in 0..60 {
            note(&app, "test.note", &format!("t{i}")).await;
        }
        note(&app, "test.other", "special").await;
        let (me, mut client) = admin(&app).await;

        let first = client.get("/admin/audit?lang=en").await;
        assert_eq!(first.status, 200);
        assert!(first.body.contains("test.other"));
        // Reading the trail is on record, with what was asked and how much was shown.
        let reads = app.audit_summaries("audit.read").await;
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0]["records"], 50, "{}", reads[0]);
        let older = first
            .body
            .split("href=\"")
            .find(|s| s.contains("before="))
            .and_then(|s| s.split('"').next())
            .expect("an older link")
            .replace("&amp;", "&");
        let second = client.get(&older).await;
        assert_eq!(second.status, 200);
        assert!(second.body.contains("<code>test t0</code>"));
        assert!(!second.body.contains("test.other"));

        // An action is named in the page's language beside its code; one with no label (these
        // test actions) by its code alone.
        note(&app, "user.create", "labelled").await;
        let labelled = client.get("/admin/audit?target=labelled&lang=ar").await;
        assert!(
            labelled
                .body
                .contains(r#"<td>إنشاء حساب<br><code dir="ltr">user.create</code></td>"#),
            "{}",
            labelled.body
        );
        let labelled = client.get("/admin/audit?target=labelled&lang=en").await;
        assert!(labelled.body.contains("<td>Account created<br><code"));
        // An actor's address typed with capitals finds the records (addresses are recorded
        // in lower case), on the page and through the API's filter alike.
        let shouted = crate::harness::enc(&me.email.to_uppercase());
        let mine = client
            .get(&format!(
                "/admin/audit?actor={shouted}&action=audit.read&lang=en"
            ))
            .await;
        assert!(
            mine.body.contains("<td>Audit trail read<br>"),
            "{}",
            mine.body
        );
        assert!(!mine.body.contains("test.other"));
        assert!(
            first
                .body
                .contains(r#"<td><code dir="ltr">test.other</code></td>"#)
        );
        // The action filter offers every action by its label, and keeps a code it does not know.
        assert!(
            labelled
                .body
                .contains(r#"<option value="user.create">Account created (user.create)</option>"#)
        );
        let unknown = client.get("/admin/audit?action=test.other&lang=en").await;
        assert!(
            unknown
                .body
                .contains(r#"<option value="test.other" selected>test.other</option>"#)
        );

        let filtered = client.get("/admin/audit?action=test.other").await;
        assert!(
            filtered.body.contains("special") && !filtered.body.contains("<code>test t1</code>")
        );
        let bad = client.get("/admin/audit?from=yesterday&lang=en").await;
        assert_eq!(bad.status, 200);
        assert!(bad.body.contains("Enter a date as YYYY-MM-DD."));
        let dated = client
            .get("/admin/audit?from=2000-01-01&to=2000-12-31")
            .await;
        assert!(!dated.body.contains("test.other"));

        let csv = client.get("/admin/audit/export.csv?action=test.note").await;
        assert_eq!(csv.status, 200);
        assert!(
            csv.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        // A byte-order mark, so that a spreadsheet reads the Arabic right; then the header.
        let body = csv
            .body
            .strip_prefix('\u{feff}')
            .expect("a byte-order mark first");
        let mut lines = body.split("\r\n");
        assert_eq!(
            lines.next(),
            Some(
                "seq,at,actor_id,actor,action,target_type,target_id,mission_id,client_ip,summary,prev_hash,hash"
            )
        );
        assert_eq!(csv.body.matches(",test.note,").count(), 60);
        assert!(!csv.body.contains("test.other"));
        assert!(
            csv.body
                .contains(r#""{""note"":""a \""quoted\"", multi\nline note""}""#)
        );
        assert!(
            app.audit_actions()
                .await
                .contains(&"audit.export".to_owned())
        );
        // A part of a longer export says where it began.
        let part = client
            .get("/admin/audit/export.csv?action=test.note&before=30")
            .await;
        assert_eq!(part.status, 200);
        let exports = app.audit_summaries("audit.export").await;
        let last = exports.last().unwrap();
        assert_eq!(last["starts_before"], 30, "{last}");
        assert_eq!(last["filters"], "action=test.note");

        let check = client
            .submit("/admin/audit", "/admin/audit/verify", &[])
            .await;
        assert_eq!(check.status, 200);
        assert!(check.body.contains("The chain is intact") || check.body.contains("السلسلة سليمة"));

        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE audit_log SET summary = '{}' WHERE seq = 5").execute(p).await.map(|_| ())
        })
        .unwrap();
        let check = client
            .submit("/admin/audit?lang=en", "/admin/audit/verify?lang=en", &[])
            .await;
        assert!(
            check.body.contains("The chain is broken at record 5"),
            "{}",
            check.body
        );
    }
}

#[tokio::test]
async fn a_dead_job_is_shown_safely_and_retried_once() {
    for app in TestApp::all().await {
        let mut tx = app.db.begin().await.unwrap();
        let id = jobs::enqueue(
            &mut tx,
            &NewJob::new(
                "email.send",
                serde_json::json!({
                    "to": "<script>alert(1)</script>",
                    "text": "https://safir.test/password/reset?token=S3CRET",
                }),
            ),
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE jobs SET state = 'dead', attempts = 8, last_error = '<img src=x onerror=alert(1)>' WHERE id = $1")
                .bind(id.as_str())
                .execute(p)
                .await
                .map(|_| ())
        })
        .unwrap();
        let (_, mut client) = admin(&app).await;
        let page = client.get("/admin/jobs").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("email.send"));
        assert!(!page.body.contains("<script>alert") && !page.body.contains("<img src=x"));
        assert!(page.body.contains("&#60;img src=x"));
        assert!(!page.body.contains("S3CRET"), "reset links stay hidden");
        assert!(
            app.audit_actions().await.contains(&"job.read".to_owned()),
            "the view of whom failed messages were for is recorded"
        );

        let retry = format!("/admin/jobs/{}/retry", id.as_str());
        let res = client.submit("/admin/jobs", &retry, &[]).await;
        assert_eq!(res.location(), Some("/admin/jobs?retried=1"));
        // The notice holds with the language switch's parameter added.
        for page in ["/admin/jobs?retried=1", "/admin/jobs?retried=1&lang=en"] {
            let shown = client.get(page).await;
            assert!(
                shown.body.contains("The job is back in the queue."),
                "{page}"
            );
        }
        assert_eq!(
            jobs::find(&app.db, id.as_str()).await.unwrap().state,
            "queued"
        );
        assert_eq!(jobs::stats(&app.db).await.unwrap().dead, 0);
        let again = client.submit("/admin/jobs", &retry, &[]).await;
        assert_eq!(again.location(), Some("/admin/jobs?retried=1"));
        let actions = app.audit_actions().await;
        assert_eq!(actions.iter().filter(|a| *a == "job.retry").count(), 1);
        assert_eq!(
            client
                .submit("/admin/jobs", "/admin/jobs/nope/retry", &[])
                .await
                .status,
            404
        );
    }
}

/// A dead job, as the queue leaves one after its last failed attempt.
async fn dead_job(app: &TestApp) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let id = jobs::enqueue(
        &mut tx,
        &NewJob::new("email.send", serde_json::json!({ "to": "a@example.org" })),
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    with_pool!(app.db.write(), p => {
        sqlx::query("UPDATE jobs SET state = 'dead', attempts = 8, last_error = 'refused' WHERE id = $1")
            .bind(id.as_str())
            .execute(p)
            .await
            .map(|_| ())
    })
    .unwrap();
    id.as_str().to_owned()
}

#[tokio::test]
async fn a_retry_clicked_twice_answers_as_the_first() {
    for app in TestApp::all().await {
        let (_, mut client) = admin(&app).await;
        // Two clicks at once: both are told the job is back in the queue, one is recorded.
        let id = dead_job(&app).await;
        let retry = format!("/admin/jobs/{id}/retry");
        let token = client.get("/admin/jobs").await.csrf_token().unwrap();
        let mut twins: Vec<Client> = (0..2)
            .map(|_| Client {
                app: client.app,
                cookies: client.cookies.clone(),
                lang: client.lang,
            })
            .collect();
        let clicks = twins
            .iter_mut()
            .map(|t| t.post_form_with_token(&retry, &token, &[]));
        for res in futures_util::future::join_all(clicks).await {
            assert_eq!(
                res.location(),
                Some("/admin/jobs?retried=1"),
                "{} {}",
                res.status,
                res.body
            );
        }
        let retries = |actions: Vec<String>| actions.iter().filter(|a| *a == "job.retry").count();
        assert_eq!(retries(app.audit_actions().await), 1);

        // The second click may come after the worker took the job, or finished it.
        for state in ["running", "done"] {
            with_pool!(app.db.write(), p => {
                sqlx::query("UPDATE jobs SET state = $2 WHERE id = $1")
                    .bind(&id)
                    .bind(state)
                    .execute(p)
                    .await
                    .map(|_| ())
            })
            .unwrap();
            let again = client.submit("/admin/jobs", &retry, &[]).await;
            assert_eq!(again.location(), Some("/admin/jobs?retried=1"), "{state}");
            assert_eq!(jobs::find(&app.db, &id).await.unwrap().state, state);
        }
        assert_eq!(retries(app.audit_actions().await), 1);
        let shown = client.get("/admin/jobs?retried=1").await;
        assert!(shown.body.contains("The job is back in the queue."));
        assert_eq!(
            client
                .submit("/admin/jobs", "/admin/jobs/nope/retry", &[])
                .await
                .status,
            404
        );
    }
}

#[tokio::test]
async fn a_users_page_leads_to_what_they_did_as_well_as_what_was_done_to_them() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let (me, mut client) = admin(&app).await;
        let officer = app
            .staff(
                &crate::harness::unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let officer_page = format!("/admin/users/{}", officer.id);
        let res = client
            .submit(
                &officer_page,
                &format!("/admin/users/{}/grants", officer.id),
                &[("role", "analyst"), ("scope", paris.as_str())],
            )
            .await;
        assert!(res.status.is_redirection(), "{} {}", res.status, res.body);

        let my_page = client.get(&format!("/admin/users/{}?lang=en", me.id)).await;
        let by_me = format!("/admin/audit?actor={}", me.id);
        assert!(
            my_page
                .body
                .contains(&format!(r#"<a href="{by_me}">Actions by this user</a>"#)),
            "{}",
            my_page.body
        );
        assert!(
            my_page
                .body
                .contains(&format!(r#"<a href="/admin/audit?target={}">"#, me.id))
        );
        let granted = format!("<code>user {}</code>", officer.id);
        let mine = client.get(&by_me).await;
        assert_eq!(mine.status, 200);
        assert!(mine.body.contains(&granted), "{}", mine.body);
        let done_to_me = client.get(&format!("/admin/audit?target={}", me.id)).await;
        assert!(!done_to_me.body.contains(&granted));
        // The officer's own page leads to the grant as something done to them.
        let theirs = client
            .get(&format!("/admin/audit?target={}", officer.id))
            .await;
        assert!(theirs.body.contains(&granted));
        let ar = client.get(&format!("/admin/users/{}?lang=ar", me.id)).await;
        assert!(ar.body.contains("ما فعله هذا المستخدم"));
    }
}

/// A page holding exactly a page's worth of records has no "older" link to an empty page;
/// one record more has, and the older page holds it.
#[tokio::test]
async fn older_records_are_offered_only_when_there_are_some() {
    for app in TestApp::all().await {
        for i in 0..50 {
            note(&app, "test.note", &format!("t{i}")).await;
        }
        let (_, mut client) = admin(&app).await;
        let full = client.get("/admin/audit?action=test.note&lang=en").await;
        assert_eq!(full.status, 200);
        assert_eq!(full.body.matches("<code>test t").count(), 50);
        assert!(!full.body.contains("before="), "{}", full.body);

        note(&app, "test.note", "t50").await;
        let first = client.get("/admin/audit?action=test.note&lang=en").await;
        assert_eq!(first.body.matches("<code>test t").count(), 50);
        let older = first
            .body
            .split("href=\"")
            .find(|s| s.contains("before="))
            .and_then(|s| s.split('"').next())
            .expect("an older link")
            .replace("&#38;", "&");
        let second = client.get(&older).await;
        assert_eq!(second.body.matches("<code>test t").count(), 1, "{older}");
        assert!(second.body.contains("<code>test t0</code>"));
        assert!(!second.body.contains("rel=\"next\""), "{}", second.body);
        let reads = app.audit_summaries("audit.read").await;
        assert_eq!(
            reads.last().unwrap()["records"],
            1,
            "records shown: {reads:?}"
        );
    }
}

/// The date filters are days in UTC, and say so; a range that ends before it starts is
/// refused beside its end, with both dates as typed, as the API refuses it.
#[tokio::test]
async fn a_reversed_date_range_is_refused_with_what_was_typed() {
    for app in TestApp::all().await {
        let (_, mut client) = admin(&app).await;
        let page = client.get("/admin/audit?lang=en").await;
        assert!(page.body.contains("From (date, UTC)"), "{}", page.body);
        assert!(page.body.contains("To (date, UTC, inclusive)"));
        let page = client.get("/admin/audit?lang=ar").await;
        assert!(page.body.contains("من (تاريخ، بالتوقيت العالمي UTC)"));

        let reversed = "/admin/audit?from=2030-05-02&to=2030-05-01";
        let r = client.get(&format!("{reversed}&lang=en")).await;
        assert_eq!(r.status, 200);
        assert!(
            r.body
                .contains("The end date must not be before the start date."),
            "{}",
            r.body
        );
        assert!(r.body.contains(r#"value="2030-05-02""#), "from kept");
        assert!(r.body.contains(r#"value="2030-05-01""#), "to kept");
        let r = client.get(&format!("{reversed}&lang=ar")).await;
        assert!(r.body.contains("يجب ألا يسبق تاريخُ النهاية تاريخَ البداية."));
        let csv = client
            .get("/admin/audit/export.csv?from=2030-05-02&to=2030-05-01")
            .await;
        assert_eq!(csv.status, 422, "the export refuses it too");

        let one_day = client
            .get("/admin/audit?from=2030-05-01&to=2030-05-01&lang=en")
            .await;
        assert!(!one_day.body.contains("must not be before"));
    }
}

/// The check shows the chain's head (its newest record and hash) and why to note it: deleting
/// the newest records leaves a chain that is still whole (see the store's tests), and only a
/// head noted earlier shows it.
#[tokio::test]
async fn the_check_shows_the_chain_head_to_compare_with_later() {
    for app in TestApp::all().await {
        for i in 0..5 {
            note(&app, "test.note", &format!("t{i}")).await;
        }
        let (_, mut client) = admin(&app).await;
        let verify = async |client: &mut Client<'_>, lang: &str| {
            client
                .submit(
                    &format!("/admin/audit?lang={lang}"),
                    &format!("/admin/audit/verify?lang={lang}"),
                    &[],
                )
                .await
        };
        let head = |body: &str| -> (i64, String) {
            let seq = crate::harness::value_after(body, "The newest record is number ")
                .split(';')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let hash = body
                .split(r#"<code dir="ltr">"#)
                .nth(1)
                .and_then(|s| s.split('<').next())
                .unwrap()
                .to_owned();
            (seq, hash)
        };
        let stored = async |seq: i64| -> String {
            with_pool!(app.db.read(), p => {
                sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1").bind(seq).fetch_one(p).await
            })
            .unwrap()
        };
        let check = verify(&mut client, "en").await;
        assert_eq!(check.status, 200);
        assert!(check.body.contains("The chain is intact"), "{}", check.body);
        assert!(
            check
                .body
                .contains("Deleting the newest records is not detected by the chain itself"),
            "{}",
            check.body
        );
        let (noted, noted_hash) = head(&check.body);
        assert!(noted >= 5, "{noted}");
        assert_eq!(noted_hash, stored(noted).await);
        let ar = verify(&mut client, "ar").await;
        assert!(ar.body.contains("أحدث سجل هو رقم"), "{}", ar.body);

        // Checked again later, the head has moved on with the records added since (the
        // page reads themselves): what an administrator compares with the head noted.
        let check = verify(&mut client, "en").await;
        let (now, now_hash) = head(&check.body);
        assert!(now > noted, "{now} {noted}");
        assert_eq!(now_hash, stored(now).await);
    }
}

/// After an outage longer than the retries, the dead jobs are many: the page shows them a
/// page at a time, by kind, and puts all those of a kind back in the queue at once.
#[tokio::test]
async fn dead_jobs_are_paged_filtered_by_kind_and_retried_together() {
    for app in TestApp::all().await {
        let batch: Vec<NewJob> = (0..55)
            .map(|i| {
                NewJob::new(
                    "email.send",
                    serde_json::json!({ "to": format!("m{i}@example.org") }),
                )
            })
            .chain((0..2).map(|i| {
                NewJob::new(
                    "sms.send",
                    serde_json::json!({ "to": format!("+3360000000{i}") }),
                )
            }))
            .collect();
        let mut tx = app.db.begin().await.unwrap();
        jobs::enqueue_batch(&mut tx, &batch).await.unwrap();
        tx.commit().await.unwrap();
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE jobs SET state = 'dead', attempts = 16, last_error = 'relay down'")
                .execute(p)
                .await
                .map(|_| ())
        })
        .unwrap();
        let (_, mut client) = admin(&app).await;
        let first = client.get("/admin/jobs").await;
        assert_eq!(first.status, 200);
        let shown = |body: &str| body.matches("class=\"card dead-job\"").count();
        assert_eq!(shown(&first.body), 50);
        assert!(first.body.contains("id=\"dead-kinds\""));
        let older = first
            .body
            .split("href=\"")
            .filter_map(|s| s.split('"').next())
            .find(|h| h.contains("before="))
            .expect("a link to older failed jobs")
            .replace("&amp;", "&");
        let second = client.get(&older).await;
        assert_eq!(second.status, 200);
        assert_eq!(shown(&second.body), 7);
        assert!(!second.body.contains("id=\"older-dead\""));
        // A cursor edited by hand shows the first page.
        assert_eq!(shown(&client.get("/admin/jobs?before=x.y").await.body), 50);

        let sms = client.get("/admin/jobs?kind=sms.send").await;
        assert_eq!(shown(&sms.body), 2);
        assert!(sms.body.contains("Retry all 2 failed jobs of this kind"));
        let res = client
            .submit(
                "/admin/jobs?kind=sms.send",
                "/admin/jobs/retry-kind",
                &[("kind", "sms.send")],
            )
            .await;
        assert_eq!(
            res.location(),
            Some("/admin/jobs?kind=sms.send&retried_all=2")
        );
        let after = client.get("/admin/jobs?kind=sms.send&retried_all=2").await;
        assert!(
            after.body.contains("2 jobs are back in the queue."),
            "{}",
            after.body
        );
        let s = jobs::stats(&app.db).await.unwrap();
        assert_eq!((s.dead, s.queued), (55, 2));
        // Sent again: none left, nothing recorded.
        let again = client
            .submit(
                "/admin/jobs",
                "/admin/jobs/retry-kind",
                &[("kind", "sms.send")],
            )
            .await;
        assert_eq!(
            again.location(),
            Some("/admin/jobs?kind=sms.send&retried_all=0")
        );
        let retries = app
            .audit_actions()
            .await
            .into_iter()
            .filter(|a| a == "job.retry")
            .count();
        assert_eq!(retries, 1);
    }
}
