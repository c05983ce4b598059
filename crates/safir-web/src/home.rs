//! The public home page.

use askama::Template;
use axum::http::Uri;
use axum::response::Html;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
}

pub async fn home(lang: Lang, uri: Uri) -> Result<Html<String>, AppError> {
    render(&HomePage {
        page: Page::new(lang, &uri, "home-title"),
    })
}
