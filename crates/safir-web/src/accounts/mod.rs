//! Public accounts and authentication: sign-up, email verification, sign-in with a second
//! factor, password reset, account settings, personal access tokens.

mod account_page;
mod common;
pub(crate) use common::user_lang;
pub(crate) mod data;
mod reset;
mod settings;
mod sign_in;
mod sign_out;
mod sign_up;
mod tokens;
mod totp_setup;
mod two_factor;
mod verify_email;

use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use axum::{Extension, middleware};

pub use common::{safe_next, tell_password_changed, tell_password_reset_by_admin};
pub use tokens::SCOPES;

use crate::auth::{Access, Routes};
use crate::security::{IpRateLimit, RateLimiter, limit_by_ip};
use crate::state::AppState;

/// At most `burst` submissions per client address, then one every `every`.
fn per_ip(
    state: &AppState,
    handler: MethodRouter<AppState>,
    burst: u32,
    every: Duration,
) -> MethodRouter<AppState> {
    let limit = IpRateLimit {
        limiter: Arc::new(RateLimiter::new(burst, every)),
        trusted_proxy: state.config.trusted_proxy,
    };
    handler.route_layer(middleware::from_fn_with_state(limit, limit_by_ip))
}

pub fn routes(r: Routes) -> Routes {
    let state = r.state().clone();
    let sign_ups = per_ip(
        &state,
        post(sign_up::submit),
        10,
        Duration::from_secs(6 * 60),
    );
    let forgot = per_ip(
        &state,
        post(reset::forgot_submit).route_layer(Extension(reset::ResetMailLimit::default())),
        5,
        Duration::from_secs(12 * 60),
    );
    // A reset sets a password, whose hash is costly: a few tries per address, as for
    // asking for the link.
    let resets = per_ip(
        &state,
        post(reset::reset_submit),
        5,
        Duration::from_secs(12 * 60),
    );
    let resend = per_ip(
        &state,
        post(verify_email::resend),
        5,
        Duration::from_secs(12 * 60),
    );
    use Access::{PasswordOnly, Public, SignedIn};
    r.add(Method::GET, "/sign-up", Public, get(sign_up::show))
        .add(Method::POST, "/sign-up", Public, sign_ups)
        .add(
            Method::GET,
            "/verify-email",
            Public,
            get(verify_email::verify),
        )
        .add(
            Method::POST,
            "/verify-email",
            SignedIn,
            post(verify_email::confirm),
        )
        .add(Method::GET, "/sign-in", Public, get(sign_in::show))
        .add(Method::POST, "/sign-in", Public, post(sign_in::submit))
        .add(
            Method::GET,
            "/sign-in/two-factor",
            PasswordOnly,
            get(two_factor::show),
        )
        .add(
            Method::POST,
            "/sign-in/two-factor",
            PasswordOnly,
            post(two_factor::submit),
        )
        .add(
            Method::POST,
            "/sign-out",
            PasswordOnly,
            post(sign_out::sign_out),
        )
        .add(
            Method::GET,
            "/password/forgot",
            Public,
            get(reset::forgot_form),
        )
        .add(Method::POST, "/password/forgot", Public, forgot)
        .add(
            Method::GET,
            "/password/reset",
            Public,
            get(reset::reset_form),
        )
        .add(Method::POST, "/password/reset", Public, resets)
        .add(Method::GET, "/account", SignedIn, get(settings::show))
        .add(
            Method::POST,
            "/account/profile",
            SignedIn,
            post(settings::save_profile),
        )
        .add(
            Method::POST,
            "/account/password",
            SignedIn,
            post(settings::change_password),
        )
        .add(
            Method::GET,
            "/account/password/choose",
            SignedIn,
            get(settings::choose_password_form),
        )
        .add(
            Method::POST,
            "/account/password/choose",
            SignedIn,
            post(settings::choose_password),
        )
        .add(
            Method::POST,
            "/account/verify-email/resend",
            SignedIn,
            resend,
        )
        .add(
            Method::GET,
            "/account/two-factor/setup",
            PasswordOnly,
            get(totp_setup::show),
        )
        .add(
            Method::POST,
            "/account/two-factor/setup",
            PasswordOnly,
            post(totp_setup::confirm),
        )
        .add(
            Method::POST,
            "/account/two-factor/recovery-codes",
            SignedIn,
            post(totp_setup::replace_recovery_codes),
        )
        .add(
            Method::POST,
            "/account/two-factor/disable",
            SignedIn,
            post(totp_setup::disable),
        )
        .add(
            Method::POST,
            "/account/sessions/sign-out-everywhere",
            SignedIn,
            post(sign_out::sign_out_everywhere),
        )
        .add(
            Method::POST,
            "/account/tokens",
            SignedIn,
            post(tokens::create),
        )
        .add(
            Method::POST,
            "/account/tokens/{id}/revoke",
            SignedIn,
            post(tokens::revoke),
        )
        .add(Method::GET, "/account/data", SignedIn, get(data::export))
}
