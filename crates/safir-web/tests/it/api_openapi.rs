//! The OpenAPI document: served publicly, snapshot-tested so every API change shows up as a
//! diff (`cargo insta review`, or `INSTA_UPDATE=always` to accept), and complete — every
//! `/api/v1` route of the route table is in it with its method.

use serde_json::Value;

use crate::harness::TestApp;

async fn served_document(app: &TestApp) -> Value {
    let res = app
        .client()
        .api_raw("GET", "/api/v1/openapi.json", None, None, "")
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

#[tokio::test]
async fn the_openapi_document_matches_its_snapshot() {
    let app = TestApp::sqlite().await;
    let mut doc = served_document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    // The version follows the crate's; a release alone is not an API change.
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    doc["info"]["version"] = "[version]".into();
    // Sorted, so the snapshot does not depend on whether serde_json keeps insertion order
    // (a feature any crate in the build may switch on).
    insta::with_settings!({ sort_maps => true }, {
        insta::assert_json_snapshot!("openapi", doc);
    });
}

#[tokio::test]
async fn every_api_route_is_documented_with_its_security() {
    let app = TestApp::sqlite().await;
    let doc = served_document(&app).await;
    let api_routes: Vec<_> = app
        .routes
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .collect();
    assert!(api_routes.len() >= 9);
    for route in &api_routes {
        let method = route.method.as_str().to_ascii_lowercase();
        let op = &doc["paths"][route.path][&method];
        assert!(
            op.is_object(),
            "{} {} is in the route table but not in the OpenAPI document",
            route.method,
            route.path
        );
        // Its success: 200, 201 for what only ever creates, 204 for what only deletes.
        assert!(
            ["200", "201", "204"]
                .iter()
                .any(|s| op["responses"][s].is_object()),
            "{method} {} documents no success",
            route.path
        );
        let security = op["security"].as_array().expect("security stated");
        match route.scope {
            Some(scope) => {
                assert!(
                    security.iter().any(|s| s["bearer"]
                        .as_array()
                        .is_some_and(|a| a.contains(&scope.into()))),
                    "{method} {} must document the `{scope}` scope",
                    route.path
                );
                assert!(
                    op["responses"]["401"].is_object(),
                    "{method} {}",
                    route.path
                );
                assert!(
                    op["responses"]["403"].is_object(),
                    "{method} {}",
                    route.path
                );
            }
            None => assert_eq!(security, &vec![Value::Object(Default::default())]),
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') {
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {} {status}",
                    route.path
                );
            }
        }
    }
    // And nothing documented that the router does not serve.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            assert!(
                api_routes
                    .iter()
                    .any(|r| r.path == path && r.method.as_str().eq_ignore_ascii_case(method)),
                "{method} {path} is documented but not routed"
            );
        }
    }
}

/// The reads counted per account (the staff routes) list their `429`; an account's own data
/// and the public routes do not.
#[tokio::test]
async fn staff_reads_list_their_rate_limit() {
    let app = TestApp::sqlite().await;
    let doc = served_document(&app).await;
    let answers = |path: &str| doc["paths"][path]["get"]["responses"].clone();
    assert!(answers("/api/v1/missions/{mission}/cases")["429"].is_object());
    assert!(answers("/api/v1/admin/audit")["429"].is_object());
    assert!(answers("/api/v1/me")["429"].is_null());
    assert!(answers("/api/v1/consular/services")["429"].is_null());
}
