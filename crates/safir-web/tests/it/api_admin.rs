//! The administration API: the audit trail page by page, and the job queue's dead letters.

use std::collections::HashSet;

use safir_domain::audit::AuditAction;
use safir_domain::roles::Role;
use safir_store::audit::{self, NewAuditRecord};
use safir_store::jobs::{self, NewJob};
use serde_json::json;

use crate::api::{field_codes, problem, token};
use crate::harness::{TestApp, unique_email};

async fn record(app: &TestApp, action: &'static str, n: usize) {
    for i in 0..n {
        audit::record(
            &app.db,
            &NewAuditRecord {
                actor_id: None,
                actor_label: "cli".into(),
                action: AuditAction::new(action),
                target_type: "test",
                target_id: Some(format!("t{i}")),
                mission_id: None,
                client_ip: None,
                summary: json!({"i": i}),
            },
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn the_audit_trail_is_paged_with_a_next_link() {
    for app in TestApp::all().await {
        let admin = app
            .staff(&unique_email("admin"), &[(Role::Admin, None)])
            .await;
        let secret = token(&app, &admin, &["read"]).await;
        record(&app, "test.alpha", 5).await;
        record(&app, "test.beta", 2).await;
        let mut c = app.client();

        let mut url = "/api/v1/admin/audit?action=test.alpha&limit=2".to_owned();
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let res = c.api("GET", &url, &secret, None).await;
            assert_eq!(res.status, 200, "{}", res.body);
            let page = res.json();
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            for item in items {
                assert_eq!(item["action"], "test.alpha");
                assert!(item["summary"]["i"].is_number(), "{item}");
                seen.push(item["seq"].as_i64().unwrap());
            }
            pages += 1;
            match page["next"].as_str() {
                Some(next) => {
                    assert!(next.contains("action=test.alpha") && next.contains("limit=2"));
                    url = next.to_owned();
                }
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen.len(), 5);
        assert!(
            seen.windows(2).all(|w| w[0] > w[1]),
            "newest first: {seen:?}"
        );
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);

        let res = c
            .api("GET", "/api/v1/admin/audit?limit=3", &secret, None)
            .await;
        let page = res.json();
        // Newest first: the three reads of the pages above are on record, before them the
        // records written by the test.
        let actions: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["audit.read"; 3], "{page}");
        assert_eq!(page["items"][0]["summary"]["records"], 1);
        let filters = page["items"][0]["summary"]["filters"].as_str().unwrap();
        assert!(
            filters.starts_with("action=test.alpha&limit=2&before_seq="),
            "{filters}"
        );
        assert!(page["next"].is_string());

        let res = c
            .api(
                "GET",
                "/api/v1/admin/audit?limit=500&before_seq=x&mission=ZZZ&sort=asc",
                &secret,
                None,
            )
            .await;
        let body = problem(&res, 422, "validation");
        assert_eq!(
            field_codes(&body),
            vec![
                ("limit".into(), "out_of_range".into()),
                ("before_seq".into(), "invalid_number".into()),
                ("sort".into(), "unknown_field".into()),
            ]
        );
        assert_eq!(
            body["errors"][0]["message"],
            "Enter a number from 1 to 200."
        );
        // `lang` picks the language of the messages, as on every page.
        let res = c
            .api("GET", "/api/v1/admin/audit?limit=0&lang=ar", &secret, None)
            .await;
        let body = problem(&res, 422, "validation");
        assert_eq!(body["errors"][0]["message"], "أدخل عددًا من 1 إلى 200.");
        let res = c
            .api("GET", "/api/v1/admin/audit?mission=ZZZ", &secret, None)
            .await;
        let body = problem(&res, 422, "validation");
        assert_eq!(
            field_codes(&body),
            vec![("mission".into(), "unknown_mission".into())]
        );
    }
}

#[tokio::test]
async fn the_audit_trail_is_for_ministry_auditors_only() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let local_admin = app
            .staff(&unique_email("local"), &[(Role::Admin, Some(&paris))])
            .await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&paris))],
            )
            .await;
        let mut c = app.client();
        for account in [&local_admin, &head] {
            let secret = token(&app, account, &["read", "write"]).await;
            for (method, path) in [
                ("GET", "/api/v1/admin/audit"),
                ("GET", "/api/v1/admin/jobs"),
                ("POST", "/api/v1/admin/jobs/x/retry"),
            ] {
                let res = c.api(method, path, &secret, None).await;
                problem(&res, 403, "forbidden");
            }
        }
    }
}

#[tokio::test]
async fn a_dead_job_is_listed_and_retried_through_the_api_with_an_audit_record() {
    for app in TestApp::all().await {
        let admin = app
            .staff(&unique_email("admin"), &[(Role::Admin, None)])
            .await;
        let read = token(&app, &admin, &["read"]).await;
        let write = token(&app, &admin, &["write"]).await;

        let mut tx = app.db.begin().await.unwrap();
        jobs::enqueue(&mut tx, &NewJob::new("test.fails", json!({"n": 1})))
            .await
            .unwrap();
        let queued = jobs::enqueue(&mut tx, &NewJob::new("test.waits", json!({})))
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let claimed = jobs::claim(&app.db, "w1", std::time::Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.kind, "test.fails");
        jobs::fail(&app.db, &claimed, "w1", "remote refused", true)
            .await
            .unwrap();

        let mut c = app.client();
        let res = c.api("GET", "/api/v1/admin/jobs", &read, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let overview = res.json();
        assert_eq!(overview["counts"]["dead"], 1);
        assert_eq!(overview["counts"]["queued"], 1);
        assert_eq!(overview["dead"][0]["id"], claimed.id);
        assert_eq!(overview["dead"][0]["last_error"], "remote refused");
        assert!(overview["dead"][0].get("payload").is_none());
        // The failures name whom the messages were for: the listing is recorded, as the
        // page's is.
        let read_records = app.audit_summaries("job.read").await;
        assert_eq!(
            read_records,
            [json!({"dead_shown": 1, "via": "api"})],
            "{read_records:?}"
        );

        let path = format!("/api/v1/admin/jobs/{}/retry", claimed.id);
        let res = c.api("POST", &path, &write, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["state"], "queued");
        assert_eq!(res.json()["attempts"], 0);
        assert_eq!(app.audit_actions().await.last().unwrap(), "job.retry");
        let trail = audit::list(&app.db, &Default::default(), 1).await.unwrap();
        assert_eq!(trail[0].target_id.as_deref(), Some(claimed.id.as_str()));
        assert_eq!(trail[0].actor_id.as_deref(), Some(admin.id.as_str()));

        let res = c.api("POST", &path, &write, None).await;
        problem(&res, 409, "conflict");
        let res = c
            .api(
                "POST",
                &format!("/api/v1/admin/jobs/{queued}/retry"),
                &write,
                None,
            )
            .await;
        problem(&res, 409, "conflict");
        let res = c
            .api("POST", "/api/v1/admin/jobs/no-such-job/retry", &write, None)
            .await;
        problem(&res, 404, "not_found");
        let retries = app
            .audit_actions()
            .await
            .iter()
            .filter(|a| *a == "job.retry")
            .count();
        assert_eq!(retries, 1, "refused retries leave no record");
    }
}

/// The API lists dead jobs a page at a time and by kind, with the count of each kind.
#[tokio::test]
async fn api_dead_jobs_are_paged_and_filtered_by_kind() {
    for app in TestApp::all().await {
        let admin = app
            .staff(&unique_email("admin"), &[(Role::Admin, None)])
            .await;
        let read = token(&app, &admin, &["read"]).await;
        let batch: Vec<NewJob> = (0..103)
            .map(|i| NewJob::new("email.send", json!({ "n": i })))
            .chain((0..3).map(|i| NewJob::new("sms.send", json!({ "n": i }))))
            .collect();
        let mut tx = app.db.begin().await.unwrap();
        jobs::enqueue_batch(&mut tx, &batch).await.unwrap();
        tx.commit().await.unwrap();
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE jobs SET state = 'dead', last_error = 'relay down'")
                .execute(p)
                .await
                .map(|_| ())
        })
        .unwrap();
        let mut c = app.client();
        let first = c.api("GET", "/api/v1/admin/jobs", &read, None).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let first = first.json();
        assert_eq!(first["dead"].as_array().unwrap().len(), 100);
        assert_eq!(
            first["dead_by_kind"],
            json!([{"kind": "email.send", "dead": 103}, {"kind": "sms.send", "dead": 3}])
        );
        let cursor = first["next_before"]
            .as_str()
            .expect("a next page")
            .to_owned();
        let second = c
            .api(
                "GET",
                &format!("/api/v1/admin/jobs?before={cursor}"),
                &read,
                None,
            )
            .await
            .json();
        assert_eq!(second["dead"].as_array().unwrap().len(), 6);
        assert!(second["next_before"].is_null());
        let ids = |v: &serde_json::Value| -> Vec<String> {
            v["dead"]
                .as_array()
                .unwrap()
                .iter()
                .map(|j| j["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let mut all = ids(&first);
        all.extend(ids(&second));
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 106, "every dead job once across the pages");
        let sms = c
            .api("GET", "/api/v1/admin/jobs?kind=sms.send", &read, None)
            .await
            .json();
        assert_eq!(sms["dead"].as_array().unwrap().len(), 3);
        assert!(
            sms["dead"]
                .as_array()
                .unwrap()
                .iter()
                .all(|j| j["kind"] == "sms.send")
        );
        let res = c
            .api("GET", "/api/v1/admin/jobs?before=nonsense", &read, None)
            .await;
        problem(&res, 422, "validation");
        assert!(res.body.contains("before"), "{}", res.body);

        // All of a kind back in the queue at once, recorded once; sent again, none left.
        let write = token(&app, &admin, &["write"]).await;
        let body = json!({ "kind": "sms.send" });
        let res = c
            .api(
                "POST",
                "/api/v1/admin/jobs/retry-dead",
                &write,
                Some(body.clone()),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json(), json!({ "kind": "sms.send", "retried": 3 }));
        let s = jobs::stats(&app.db).await.unwrap();
        assert_eq!((s.dead, s.queued), (103, 3));
        let res = c
            .api(
                "POST",
                "/api/v1/admin/jobs/retry-dead",
                &write,
                Some(body.clone()),
            )
            .await;
        assert_eq!(res.json()["retried"], 0);
        let records = app.audit_summaries("job.retry").await;
        assert_eq!(
            records,
            [json!({ "kind": "sms.send", "retried": 3, "via": "api" })]
        );
        let res = c
            .api(
                "POST",
                "/api/v1/admin/jobs/retry-dead",
                &read,
                Some(body.clone()),
            )
            .await;
        problem(&res, 403, "forbidden");
        let res = c
            .api(
                "POST",
                "/api/v1/admin/jobs/retry-dead",
                &write,
                Some(json!({ "kind": " " })),
            )
            .await;
        problem(&res, 422, "validation");
    }
}
