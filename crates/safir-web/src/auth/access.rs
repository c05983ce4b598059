//! Per-route access rules, declared where the route is added and enforced by one middleware,
//! so no route exists without a rule (the authorization matrix test reads the same table).

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use axum::{Router, middleware};
use safir_domain::ids::MissionId;
use safir_domain::roles::{Grants, Permission, Target};
use safir_store::missions::Mission;

use super::session::Viewer;
use crate::error::AppError;
use crate::state::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Signed in, with the password only (the second-factor pages).
    PasswordOnly,
    /// Signed in and past any required second factor.
    SignedIn,
    /// A ministry-wide permission (missions, users, audit, jobs).
    Ministry(Permission),
    /// A permission somewhere: the handler narrows the data to the missions allowed.
    AnyMission(Permission),
    /// A permission on the mission named by the route's `{mission}` code.
    Mission(Permission),
    /// Any one of these rules (a page that leads to the pages of several rules). Never
    /// holds [`Access::Mission`]: it is decided without an address.
    AnyOf(&'static [Access]),
}

impl Access {
    /// Whether the rule asks for a staff permission (not only an account).
    pub fn is_staff(self) -> bool {
        !matches!(
            self,
            Access::Public | Access::PasswordOnly | Access::SignedIn
        )
    }

    /// Whether a signed-in user past any second factor with `grants` may call a route with this
    /// rule; `mission` is the mission in its address, for [`Access::Mission`]. The access
    /// layer decides by it, and so do pages that offer a link only to those it admits.
    pub fn admits(self, grants: &Grants, mission: Option<&MissionId>) -> bool {
        match self {
            Access::Public | Access::PasswordOnly | Access::SignedIn => true,
            Access::Ministry(p) => grants.can(p, Target::Ministry),
            Access::AnyMission(p) => grants.can_anywhere(p),
            Access::Mission(p) => mission.is_some_and(|m| grants.can(p, Target::Mission(m))),
            Access::AnyOf(rules) => rules.iter().any(|r| r.admits(grants, mission)),
        }
    }
}

/// The mission a `{mission}` route is about, resolved and authorized by the access layer.
#[derive(Debug, Clone)]
pub struct MissionParam(pub Mission);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for MissionParam {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<MissionParam>()
            .cloned()
            .ok_or(AppError::NotFound)
    }
}

/// One row of the route table.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// The API-token scope required when the request authenticates with a token.
    pub scope: Option<&'static str>,
}

/// Builds the router and the route table together.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteInfo>,
    state: AppState,
}

#[derive(Clone)]
struct Rule {
    state: AppState,
    access: Access,
    scope: Option<&'static str>,
}

impl Routes {
    pub fn new(state: AppState) -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
            state,
        }
    }

    /// The application state, for contexts that build per-route state (rate limiters).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Adds `handler` for `method path`, guarded by `access`.
    pub fn add(
        self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.add_scoped(method, path, access, None, handler)
    }

    /// Like [`Routes::add`], and API tokens must carry `scope`.
    pub fn add_scoped(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        scope: Option<&'static str>,
        handler: MethodRouter<AppState>,
    ) -> Self {
        let rule = Rule {
            state: self.state.clone(),
            access,
            scope,
        };
        let guarded = handler.route_layer(middleware::from_fn_with_state(rule, enforce));
        self.router = self.router.route(path, guarded);
        self.table.push(RouteInfo {
            method,
            path,
            access,
            scope,
        });
        self
    }

    /// Mounts a router whose routes are all public (static assets, health checks).
    pub fn merge_public(
        mut self,
        paths: &[(&'static str, Method)],
        router: Router<AppState>,
    ) -> Self {
        self.router = self.router.merge(router);
        for (path, method) in paths {
            self.table.push(RouteInfo {
                method: method.clone(),
                path,
                access: Access::Public,
                scope: None,
            });
        }
        self
    }

    pub fn finish(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}

fn is_api(req: &Request) -> bool {
    req.uri().path().starts_with("/api/")
}

fn to_sign_in(req: &Request) -> Response {
    if is_api(req) {
        return AppError::Unauthenticated.into_response();
    }
    let next = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let target = format!("/sign-in?next={}", urlencode(next));
    Redirect::to(&target).into_response()
}

/// The page where someone signed in with a password an administrator set chooses their own.
pub const CHOOSE_PASSWORD: &str = "/account/password/choose";

/// What a session whose password an administrator set may still reach, past any second
/// factor: the page to choose a password of one's own, signing out, and every public page and
/// route of the API (which serve no account: a crisis check-in's link, "I need help", the
/// address confirmation, an unsubscribe link, sign-in and password reset). Every other page
/// leads to the first; the static files are served outside this layer.
fn open_before_own_password(req: &Request, access: Access) -> bool {
    access == Access::Public
        || (!is_api(req) && matches!(req.uri().path(), CHOOSE_PASSWORD | "/sign-out"))
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn enforce(
    State(rule): State<Rule>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    mut req: Request,
    next: Next,
) -> Response {
    // A segment that is no text once decoded (`%FF`) names nothing that exists; any other
    // failure to read the path is a fault of the route's own.
    let params = match params {
        Ok(params) => params,
        Err(RawPathParamsRejection::InvalidUtf8InPathParam(_)) => {
            return AppError::NotFound.into_response();
        }
        Err(e) => return AppError::internal(e).into_response(),
    };
    let viewer = req.extensions().get::<Viewer>().cloned();
    let user = viewer.as_ref().and_then(Viewer::user);
    if let Some(user) = user
        && user.must_change_password()
        && !user.needs_second_factor()
        && !open_before_own_password(&req, rule.access)
    {
        if is_api(&req) {
            return AppError::Forbidden.into_response();
        }
        return Redirect::to(CHOOSE_PASSWORD).into_response();
    }
    if rule.access == Access::Public {
        return next.run(req).await;
    }
    let Some(user) = user else {
        return to_sign_in(&req);
    };
    // Token checks come before the password-only pages: a token must not reach the
    // second-factor setup or sign-out, which are for the browser.
    if let (Some(scopes), Some(needed)) = (&user.api_scopes, rule.scope)
        && !scopes.iter().any(|s| s == needed)
    {
        return AppError::Forbidden.into_response();
    }
    if user.api_scopes.is_some() && rule.scope.is_none() {
        // Routes without a scope are for the browser only.
        return AppError::Forbidden.into_response();
    }
    if rule.access == Access::PasswordOnly {
        return next.run(req).await;
    }
    if user.needs_second_factor() {
        if is_api(&req) {
            return AppError::Unauthenticated.into_response();
        }
        return Redirect::to("/sign-in/two-factor").into_response();
    }
    let allowed = match rule.access {
        Access::Mission(_) => {
            let code = params
                .iter()
                .find(|(k, _)| *k == "mission")
                .map(|(_, v)| v.to_owned());
            let Some(code) = code else {
                tracing::error!(
                    path = req.uri().path(),
                    "Access::Mission on a route without {{mission}}"
                );
                return AppError::Forbidden.into_response();
            };
            let mission = match super::cache::mission_by_code(&rule.state, &code).await {
                Ok(Some(m)) => m,
                Ok(None) => return AppError::NotFound.into_response(),
                Err(e) => return e.into_response(),
            };
            let ok = rule
                .access
                .admits(&user.grants, Some(&mission.mission_id()));
            req.extensions_mut().insert(MissionParam(mission));
            ok
        }
        access => access.admits(&user.grants, None),
    };
    if !allowed {
        return AppError::Forbidden.into_response();
    }
    if is_api(&req)
        && matches!(
            *req.method(),
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        )
    {
        // A script gone wrong (or a stolen token) cannot write without bound: changes are
        // counted per account, whatever token or session makes them.
        if let Err(retry) = rule.state.api_write_limiter.check(&user.user.id) {
            tracing::info!(user = %user.user.id, path = req.uri().path(), "API writes rate limited");
            return AppError::from(retry).into_response();
        }
        // API writes take their input in the body: a parameter in the address is a mistake,
        // named rather than ignored (reads check their own parameters).
        if let Err(e) = crate::api::input::refuse_query(req.uri().query()) {
            return e.into_response();
        }
    } else if is_api(&req) && rule.access.is_staff() {
        // Nor read other people's data without bound (the case queues and files, bookings,
        // the audit trail): a stolen token copies it at this pace at most.
        if let Err(retry) = rule.state.api_staff_read_limiter.check(&user.user.id) {
            tracing::info!(user = %user.user.id, path = req.uri().path(), "API staff reads rate limited");
            return AppError::from(retry).into_response();
        }
    }
    next.run(req).await
}
