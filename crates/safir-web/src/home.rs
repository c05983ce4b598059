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

/// The home page as the application serves it: the frame knows who is signed in.
pub async fn home_page(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    lang: Lang,
    uri: Uri,
    viewer: crate::auth::Viewer,
) -> Result<Html<String>, AppError> {
    render(&HomePage {
        page: state.page(lang, &uri, "home-title", &viewer),
    })
}
