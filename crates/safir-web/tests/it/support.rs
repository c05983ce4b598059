//! A small application assembled from the crate's pieces the way the real
//! router stacks them, and helpers to send requests through it.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Form, Json, Path};
use axum::http::{Request, Response, header};
use axum::routing::{get, post};
use axum::{Router, middleware};
use safir_web::metrics::{Metrics, metrics_handler};
use safir_web::security::{IpRateLimit, RateLimiter, SecurityConfig, limit_by_ip};
use safir_web::{AppError, FieldError, FieldErrors, assets, health, home, layers};
use serde::Deserialize;
use tower::ServiceExt;

pub const BODY_LIMIT: usize = 1024;

#[derive(Deserialize)]
pub struct Greeting {
    pub name: String,
}

async fn greet(Form(greeting): Form<Greeting>) -> String {
    format!("hello {}", greeting.name)
}

async fn greet_json(Json(greeting): Json<serde_json::Value>) -> String {
    format!("hello {}", greeting["name"])
}

async fn validate(Form(greeting): Form<Greeting>) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    if greeting.name.is_empty() {
        errors.push("name", "required");
    }
    if greeting.name.chars().count() > 5 {
        errors.add(FieldError::new("name", "too_long").with_arg("max", 5));
    }
    errors.into_result()?;
    Ok(greeting.name)
}

async fn fail() -> Result<String, AppError> {
    Err(AppError::internal("connection to db.internal:5432 refused"))
}

async fn limited() -> Result<String, AppError> {
    Err(AppError::RateLimited {
        retry_after: Duration::from_millis(2500),
    })
}

async fn panics() -> String {
    let parts: Vec<&str> = Vec::new();
    parts[3].to_owned()
}

async fn case(Path(id): Path<u32>) -> String {
    format!("case {id}")
}

pub struct TestApp {
    pub router: Router,
    pub metrics: Arc<Metrics>,
}

impl TestApp {
    pub fn new() -> TestApp {
        TestApp::with_security(SecurityConfig::default())
    }

    pub fn with_security(security: SecurityConfig) -> TestApp {
        let metrics = Metrics::new();
        let router = Router::new()
            .route("/", get(home::home))
            .route("/healthz", get(health::healthz))
            .route("/metrics", get(metrics_handler).with_state(metrics.clone()))
            .route("/greet", post(greet))
            .route("/api/v1/greet", post(greet_json))
            .route("/validate", post(validate))
            .route("/api/v1/validate", post(validate))
            .route("/fail", get(fail))
            .route("/limited", get(limited))
            .route("/cases/{id}", get(case))
            .route("/panics", get(panics))
            .merge(
                Router::new()
                    .route("/sign-in", get(health::healthz).post(greet))
                    .route_layer(middleware::from_fn_with_state(
                        IpRateLimit {
                            limiter: Arc::new(RateLimiter::new(2, Duration::from_secs(60))),
                            trusted_proxy: true,
                        },
                        limit_by_ip,
                    )),
            )
            .merge(assets::router());
        let router = layers::stack(router, security, metrics.clone(), BODY_LIMIT);
        TestApp { router, metrics }
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible")
    }

    pub async fn get(&self, uri: &str, headers: &[(&str, &str)]) -> Response<Body> {
        let mut builder = Request::get(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(
        &self,
        uri: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> Response<Body> {
        let mut builder = Request::post(uri)
            .header(header::HOST, "mfa.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::from(body.to_owned())).unwrap())
            .await
    }
}

pub async fn text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    String::from_utf8(bytes.to_vec()).expect("utf-8 body")
}

pub async fn json(response: Response<Body>) -> serde_json::Value {
    serde_json::from_str(&text(response).await).expect("JSON body")
}

pub fn header<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}
