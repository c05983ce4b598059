//! `POST /sign-out` ends this session; `POST /account/sessions/sign-out-everywhere` ends
//! every session of the account.

use axum::extract::State;
use axum::response::Response;
use safir_store::accounts::sessions;

use super::common::{clear_session_cookie, redirect_with_cookie};
use super::two_factor::current;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::state::AppState;

pub async fn sign_out(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    if let Some(hash) = viewer.user().and_then(|u| u.session_id_hash.as_deref()) {
        sessions::delete(&state.db, hash)
            .await
            .map_err(AppError::internal)?;
    }
    Ok(redirect_with_cookie("/", clear_session_cookie(&state)))
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let user = current(&viewer)?;
    sessions::delete_all_for_user(&state.db, &user.user.id)
        .await
        .map_err(AppError::internal)?;
    Ok(redirect_with_cookie(
        "/sign-in?notice=signed-out-everywhere",
        clear_session_cookie(&state),
    ))
}
