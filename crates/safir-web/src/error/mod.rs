//! One error type for every handler, and its mapping to HTTP.
//!
//! `AppError::into_response` cannot see the request, so it only records an
//! [`ErrorInfo`] in the response extensions. The [`error_pages`] middleware,
//! which knows the path, the `Accept` header and the language, turns that into
//! `application/problem+json` (RFC 9457) or an HTML page in the user's
//! language. It also restyles bare error responses from axum itself (404
//! fallback, 405, extractor rejections, body limit), so every error looks the
//! same. Causes of internal errors go to the log with a reference id; users see
//! only the reference.

mod panic;
mod render;

use std::error::Error as StdError;
use std::time::Duration;

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use fluent_bundle::{FluentArgs, FluentValue};

use crate::i18n::{I18n, Lang};

pub use panic::catch_panic;
pub use render::{
    BEARER_CHALLENGE, DrawnErrorPage, DrawsErrorPages, INVALID_TOKEN_CHALLENGE, OwnErrorPage,
    error_pages, html_page_for, keep_headers, render_error, wants_json,
};

pub type BoxError = Box<dyn StdError + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("malformed request")]
    BadRequest,
    #[error("validation failed: {0:?}")]
    Validation(FieldErrors),
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict")]
    Conflict,
    #[error("rate limited; retry after {retry_after:?}")]
    RateLimited { retry_after: Duration },
    #[error("CSRF check failed")]
    CsrfFailed,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("internal error: {0}")]
    Internal(#[source] BoxError),
}

impl AppError {
    /// Wraps an unexpected failure; its text is logged, never shown.
    pub fn internal(cause: impl Into<BoxError>) -> AppError {
        AppError::Internal(cause.into())
    }

    /// Stable snake_case code: the API's `code` and the catalog key's stem.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest => "bad_request",
            AppError::Validation(_) => "validation",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Conflict => "conflict",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::CsrfFailed => "csrf_failed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfFailed => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error as it travels to [`error_pages`]; logs internal causes.
    pub fn into_info(self) -> ErrorInfo {
        let mut info = ErrorInfo::new(self.code(), self.status());
        match self {
            AppError::Validation(fields) => info.fields = fields.0,
            AppError::RateLimited { retry_after } => {
                // Round up: retrying a fraction early would be refused again.
                let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                info.retry_after = Some(secs.max(1));
            }
            AppError::Internal(cause) if safir_store::refused_characters(cause.as_ref()) => {
                // The database refused characters of the input that no check caught (NUL is
                // refused at the edge, `security::nul`): the request is at fault, and nothing
                // was written, since the transaction rolled back.
                tracing::warn!(error = %cause, "input with characters the database refuses");
                info = ErrorInfo::new(AppError::BadRequest.code(), AppError::BadRequest.status());
            }
            AppError::Internal(cause) => {
                let reference = new_reference();
                tracing::error!(reference = %reference, error = %cause, source = ?cause.source(), "internal error");
                info.reference = Some(reference);
            }
            _ => {}
        }
        info
    }
}

/// Where the error is known: a 404 from the fallback or a 405 from routing.
impl From<StatusCode> for AppError {
    fn from(status: StatusCode) -> AppError {
        match status {
            StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
            StatusCode::FORBIDDEN => AppError::Forbidden,
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
            StatusCode::CONFLICT => AppError::Conflict,
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
            StatusCode::TOO_MANY_REQUESTS => AppError::RateLimited {
                retry_after: Duration::from_secs(1),
            },
            s if s.is_server_error() => AppError::internal(format!("bare {s} response")),
            _ => AppError::BadRequest,
        }
    }
}

macro_rules! from_rejection {
    ($($rejection:ty),*) => {$(
        impl From<$rejection> for AppError {
            fn from(rejection: $rejection) -> AppError {
                tracing::debug!(%rejection, "request rejected");
                AppError::from(rejection.status())
            }
        }
    )*};
}
from_rejection!(FormRejection, JsonRejection, QueryRejection, PathRejection);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.into_info().into_response()
    }
}

/// An error on its way to [`error_pages`], carried in the response extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub status: StatusCode,
    pub fields: Vec<FieldError>,
    /// Shown to the user and written to the log next to the cause.
    pub reference: Option<String>,
    /// Seconds, for `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ErrorInfo {
    pub fn new(code: &'static str, status: StatusCode) -> ErrorInfo {
        ErrorInfo {
            code,
            status,
            fields: Vec::new(),
            reference: None,
            retry_after: None,
        }
    }

    /// Key stem in the catalogs: `not_found` → `error-not-found`.
    fn key(&self, suffix: &str) -> String {
        format!("error-{}-{suffix}", self.code.replace('_', "-"))
    }

    pub fn title(&self, lang: Lang) -> String {
        I18n::global().t(lang, &self.key("title"))
    }

    pub fn detail(&self, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        args.set("seconds", self.retry_after.unwrap_or(1));
        I18n::global().t_args(lang, &self.key("detail"), &args)
    }
}

/// Lets a handler answer with either kind: a plain [`AppError`] or an [`ErrorInfo`] whose code
/// is more precise than the status alone (`case_transition_illegal` rather than `conflict`).
impl From<AppError> for ErrorInfo {
    fn from(error: AppError) -> ErrorInfo {
        error.into_info()
    }
}

/// Bare response for clients reached without [`error_pages`] (a misconfigured
/// router); the middleware replaces it.
impl IntoResponse for ErrorInfo {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.code).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(self);
        response
    }
}

fn new_reference() -> String {
    let random = uuid::Uuid::now_v7().as_u128() & 0xffff_ffff_ffff;
    format!("ERR-{random:012X}")
}

/// Per-field failures of a submitted form or JSON body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

/// One field's failure. `code` is snake_case (`required`, `too_long`); its
/// message is the catalog entry `field-error-<code with dashes>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub args: Vec<(String, String)>,
}

impl FieldError {
    /// Whether a domain validation code has one message for every form (`field-error-<code>`)
    /// rather than one per context: each context's mapping of domain codes passes these on.
    pub fn is_site_wide(code: &str) -> bool {
        matches!(code, "required" | "no_letters" | "invalid_characters")
    }

    pub fn new(field: impl Into<String>, code: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            code: code.into(),
            args: Vec::new(),
        }
    }

    /// An argument of the message, e.g. `("max", "80")`; numbers select plurals.
    pub fn with_arg(mut self, name: impl Into<String>, value: impl ToString) -> FieldError {
        self.args.push((name.into(), value.to_string()));
        self
    }

    pub fn message(&self, lang: Lang) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            let value = match value.parse::<f64>() {
                Ok(n) => FluentValue::from(n),
                Err(_) => FluentValue::from(value.clone()),
            };
            args.set(name.clone(), value);
        }
        let key = format!("field-error-{}", self.code.replace('_', "-"));
        I18n::global().t_args(lang, &key, &args)
    }
}

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    pub fn add(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Shorthand for `add(FieldError::new(field, code))`.
    pub fn push(&mut self, field: &str, code: &str) {
        self.add(FieldError::new(field, code));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// `Ok(())` when nothing failed, else the validation error to return.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_with_a_message_in_both_languages() {
        let all = [
            AppError::BadRequest,
            AppError::Validation(FieldErrors::new()),
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::MethodNotAllowed,
            AppError::Conflict,
            AppError::RateLimited {
                retry_after: Duration::from_secs(3),
            },
            AppError::CsrfFailed,
            AppError::PayloadTooLarge,
            AppError::UnsupportedMediaType,
            AppError::internal("boom"),
        ];
        for error in all {
            let code = error.code();
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
            let info = error.into_info();
            for lang in Lang::ALL {
                for suffix in ["title", "detail"] {
                    assert!(
                        I18n::global().has(lang, &info.key(suffix)),
                        "{}: {}",
                        lang.code(),
                        info.key(suffix)
                    );
                }
            }
        }
    }

    #[test]
    fn internal_errors_get_a_reference_and_hide_the_cause() {
        let info = AppError::internal("database password is hunter2").into_info();
        let reference = info.reference.clone().expect("reference");
        assert!(reference.starts_with("ERR-") && reference.len() == 16);
        assert!(!format!("{info:?}").contains("hunter2"));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let info = AppError::RateLimited {
            retry_after: Duration::from_millis(2100),
        }
        .into_info();
        assert_eq!(info.retry_after, Some(3));
        assert_eq!(
            info.detail(Lang::En),
            "Please wait 3 seconds before trying again."
        );
        assert_eq!(
            info.detail(Lang::Ar),
            "يرجى الانتظار 3 ثوانٍ قبل المحاولة مرة أخرى."
        );
    }

    #[test]
    fn field_messages_take_arguments() {
        let error = FieldError::new("name", "too_long").with_arg("max", 80);
        assert_eq!(error.message(Lang::En), "Enter at most 80 characters.");
        assert_eq!(error.message(Lang::Ar), "أدخل 80 حرفًا على الأكثر.");
    }
}
