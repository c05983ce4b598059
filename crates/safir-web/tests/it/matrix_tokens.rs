//! The authorization matrix for personal access tokens: a token reaches only the routes
//! that take its scope, and there only what its owner's roles allow; every other route
//! refuses it with 403, so a leaked token cannot drive the browser pages.

use axum::body::Body;
use axum::http::{Method, Request, header};
use safir_store::accounts::tokens;

use crate::harness::{ORIGIN, TestApp};
use crate::matrix::{As, EXPECTATIONS, Fixture, Who, concrete, fixture, passed_access};

/// Routes usable with a token, and the scope each needs. Every other route is for the
/// browser only.
const TOKEN_ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/api/v1/me", "read"),
    ("PATCH", "/api/v1/me", "write"),
    // Both scopes (space-separated): the answer holds the consular applications.
    ("GET", "/api/v1/me/data", "read cases:read"),
    ("GET", "/api/v1/missions/{mission}/staff", "read"),
    ("POST", "/api/v1/appointments", "write"),
    ("DELETE", "/api/v1/appointments/{id}", "write"),
    ("GET", "/api/v1/me/appointments", "read"),
    ("GET", "/api/v1/admin/audit", "read"),
    ("GET", "/api/v1/admin/jobs", "read"),
    ("POST", "/api/v1/admin/jobs/{job}/retry", "write"),
    ("POST", "/api/v1/admin/jobs/retry-dead", "write"),
    ("PUT", "/api/v1/travel-advice/{country}", "write"),
    ("GET", "/api/v1/cases", "cases:read"),
    ("POST", "/api/v1/cases", "cases:write"),
    ("GET", "/api/v1/cases/{id}", "cases:read"),
    ("DELETE", "/api/v1/cases/{id}", "cases:write"),
    ("PUT", "/api/v1/cases/{id}/form", "cases:write"),
    ("POST", "/api/v1/cases/{id}/submit", "cases:write"),
    ("POST", "/api/v1/cases/{id}/withdraw", "cases:write"),
    ("POST", "/api/v1/cases/{id}/messages", "cases:write"),
    ("POST", "/api/v1/cases/{id}/documents", "cases:write"),
    ("GET", "/api/v1/cases/{id}/documents/{doc}", "cases:read"),
    ("GET", "/api/v1/me/documents", "cases:read"),
    ("GET", "/api/v1/cases/{id}/decision.pdf", "cases:read"),
    ("GET", "/api/v1/cases/{id}/evisa.pdf", "cases:read"),
    ("POST", "/api/v1/appointments/{id}/reschedule", "write"),
    ("POST", "/api/v1/me/documents", "cases:write"),
    ("GET", "/api/v1/me/documents/{doc}", "cases:read"),
    ("DELETE", "/api/v1/me/documents/{doc}", "cases:write"),
    (
        "GET",
        "/api/v1/missions/{mission}/cases/{id}/documents/{doc}",
        "consular:read",
    ),
    ("GET", "/api/v1/missions/{mission}/cases", "consular:read"),
    (
        "GET",
        "/api/v1/missions/{mission}/cases/{id}",
        "consular:read",
    ),
    ("GET", "/api/v1/missions/{mission}/sla", "consular:read"),
    (
        "GET",
        "/api/v1/missions/{mission}/appointments",
        "consular:read",
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/appointments/schedule",
        "consular:read",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/appointments/schedule/rules",
        "consular:write",
    ),
    (
        "DELETE",
        "/api/v1/missions/{mission}/appointments/schedule/rules/{id}",
        "consular:write",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/appointments/schedule/closures",
        "consular:write",
    ),
    (
        "DELETE",
        "/api/v1/missions/{mission}/appointments/schedule/closures/{id}",
        "consular:write",
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/services",
        "consular:read",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/services",
        "consular:write",
    ),
    (
        "PUT",
        "/api/v1/missions/{mission}/services/{id}",
        "consular:write",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/actions",
        "consular:write",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/assign",
        "consular:write",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/bulk",
        "consular:write",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/evisas/{id}/revoke",
        "consular:write",
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/evisas/{id}/pdf",
        "consular:read",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/priority",
        "consular:write",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/travel-document",
        "consular:write",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/notes",
        "consular:write",
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/messages",
        "consular:write",
    ),
];

/// The token holders tried: whose token, with which scopes.
const HOLDERS: &[(As, &[&str])] = &[
    (As::Admin, &["read"]),
    (As::Admin, &["read", "write"]),
    (As::Consular, &["read", "write"]),
    (As::Public, &["read", "write"]),
    (As::Public, &["cases:read"]),
    (As::Public, &["read", "cases:read"]),
    (As::Public, &["cases:read", "cases:write"]),
    // Officer scopes on a token whose owner is no officer open nothing.
    (As::Public, &["consular:read", "consular:write"]),
    (As::Consular, &["consular:read"]),
    (
        As::Consular,
        &["consular:read", "consular:write", "cases:read"],
    ),
    (As::Press, &["consular:read", "consular:write"]),
];

async fn token_for(app: &TestApp, f: &Fixture, who: As, scopes: &[&str]) -> String {
    let (_, account) = f.accounts.iter().find(|(a, _)| *a == who).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let (_, secret) = tokens::create_api_token(&mut tx, &account.id, "matrix", scopes, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    secret
}

async fn send(app: &TestApp, token: &str, method: &Method, path: &str) -> (u16, String) {
    let mut req = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::HOST, "safir.test")
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCEPT, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = if *method == Method::GET {
        Body::empty()
    } else {
        req = req.header(header::CONTENT_TYPE, "application/json");
        Body::from("{}")
    };
    let res = app.client().send(req.body(body).unwrap()).await;
    let location = res.location().unwrap_or("").to_owned();
    (res.status.as_u16(), location)
}

#[tokio::test]
async fn tokens_reach_only_the_routes_that_take_their_scope() {
    for app in TestApp::all().await {
        let listed: Vec<String> = app
            .routes
            .iter()
            .filter(|r| r.scope.is_some())
            .filter(|r| {
                !TOKEN_ROUTES
                    .iter()
                    .any(|(m, p, _)| *m == r.method.as_str() && *p == r.path)
            })
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(
            listed.is_empty(),
            "routes taking API tokens but missing from TOKEN_ROUTES: {listed:?}"
        );

        let f = fixture(&app).await;
        let mut failures = Vec::new();
        for (who, scopes) in HOLDERS {
            let token = token_for(&app, &f, *who, scopes).await;
            for (method, pattern, rule) in EXPECTATIONS {
                let needs = TOKEN_ROUTES
                    .iter()
                    .find(|(m, p, _)| m == method && p == pattern)
                    .map(|(_, _, scope)| *scope);
                let method: Method = method.parse().unwrap();
                for (path, own) in concrete(pattern, &f) {
                    let allowed = matches!(rule, Who::Anyone)
                        || needs.is_some_and(|s| s.split(' ').all(|s| scopes.contains(&s)))
                            && rule.allows(*who, own);
                    let (status, location) = send(&app, &token, &method, &path).await;
                    let ok = if allowed {
                        passed_access(status, &location)
                    } else {
                        status == 403
                    };
                    if !ok {
                        let expected = if allowed { "allowed" } else { "403" };
                        failures.push(format!(
                            "{method} {path} with a {scopes:?} token of {who:?}: expected {expected}, got {status} {location}"
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
