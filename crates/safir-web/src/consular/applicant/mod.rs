//! The applicant's side: starting an application, filling and submitting it, following the
//! case, answering the mission, withdrawing.

pub mod apply;
pub mod cases;
pub mod decision;
pub mod export;
pub mod form_view;

use safir_store::consular::cases::{self as store, Case};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// The signed-in user's own case; anyone else's is "not found", so ids reveal nothing.
pub async fn own_case(state: &AppState, me: &CurrentUser, id: &str) -> Result<Case, AppError> {
    match store::find(&state.db, id).await {
        Ok(c) if c.applicant_id == me.id() => Ok(c),
        Ok(_) | Err(safir_store::StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}
