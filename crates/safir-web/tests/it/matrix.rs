//! The authorization matrix: every route of the route table × every kind of user × own
//! mission / other mission, against expectations written out here. A route in the table
//! without an expectation fails the test, so no route is added without deciding who may
//! use it.
//!
//! "Allowed" means the access layer let the request through (no 401/403, no redirect to
//! sign-in); the handler may still answer 4xx for the empty body the matrix sends.
//! "Denied" means 403 for a signed-in user; for an anonymous visitor a redirect to `/sign-in`
//! on pages or 401 under `/api/`; for someone between password and second factor a redirect
//! to the second-factor page, or 401 under `/api/`.

use axum::body::Body;
use axum::http::{Method, Request, header};
use safir_domain::roles::Role;
use safir_store::accounts::secrets::hash_secret;
use safir_store::accounts::sessions;
use safir_store::jobs::{self, NewJob};
use safir_web::auth::SESSION_COOKIE;

use crate::harness::{Account, ORIGIN, TestApp, unique_email};

/// Who tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum As {
    Anonymous,
    Public,
    /// Ministry-wide administrator.
    Admin,
    /// The other four roles, granted for mission A only.
    Head,
    Consular,
    Press,
    Analyst,
    /// The ministry-wide administrator after the password, before the second factor.
    AdminBeforeSecondFactor,
}

pub const EVERYONE: [As; 8] = [
    As::Anonymous,
    As::Public,
    As::Admin,
    As::Head,
    As::Consular,
    As::Press,
    As::Analyst,
    As::AdminBeforeSecondFactor,
];
pub const STAFF: &[As] = &[As::Admin, As::Head, As::Consular, As::Press, As::Analyst];
/// Who works consular cases at a mission.
/// Who works consular cases (the ministry-wide admin, and heads of mission and consular
/// officers at their mission).
pub const CONSULAR: &[As] = &[As::Admin, As::Head, As::Consular];
/// Who declares crises and composes alerts (the admin everywhere; heads of mission and
/// consular officers at their mission).
pub const CRISIS_STAFF: &[As] = &[As::Admin, As::Head, As::Consular];

/// Who may use a route.
#[derive(Debug, Clone, Copy)]
pub enum Who {
    /// Anyone, signed in or not.
    Anyone,
    /// Anyone who gave their password, even before the second factor.
    PasswordOnly,
    /// Any signed-in user, public or staff, past any second factor.
    SignedIn,
    /// These users, whatever mission the path names (or none).
    Only(&'static [As]),
    /// The ministry-wide admin on every mission; these mission-A roles on mission A only.
    OwnMission(&'static [As]),
    /// A gateway callback: open to the network, refused with 403 by the handler to anyone
    /// without the shared secret (which the matrix does not send).
    SharedSecret,
}

/// The expectations, one line per route. Keep in the order of the route table's sections.
pub const EXPECTATIONS: &[(&str, &str, Who)] = &[
    // Public site and operations
    ("GET", "/", Who::Anyone),
    ("GET", "/healthz", Who::Anyone),
    ("GET", "/readyz", Who::Anyone),
    ("GET", "/metrics", Who::Anyone),
    ("GET", "/static/{hash}/{*name}", Who::Anyone),
    // Accounts: sign-up, sign-in and the second factor, password reset
    ("GET", "/sign-up", Who::Anyone),
    ("POST", "/sign-up", Who::Anyone),
    ("GET", "/verify-email", Who::Anyone),
    ("POST", "/verify-email", Who::SignedIn),
    ("GET", "/sign-in", Who::Anyone),
    ("POST", "/sign-in", Who::Anyone),
    ("GET", "/sign-in/two-factor", Who::PasswordOnly),
    ("POST", "/sign-in/two-factor", Who::PasswordOnly),
    ("POST", "/sign-out", Who::PasswordOnly),
    ("GET", "/password/forgot", Who::Anyone),
    ("POST", "/password/forgot", Who::Anyone),
    ("GET", "/password/reset", Who::Anyone),
    ("POST", "/password/reset", Who::Anyone),
    // Account settings: one's own account, whoever one is
    ("GET", "/account", Who::SignedIn),
    ("POST", "/account/profile", Who::SignedIn),
    ("POST", "/account/password", Who::SignedIn),
    ("GET", "/account/password/choose", Who::SignedIn),
    ("POST", "/account/password/choose", Who::SignedIn),
    ("POST", "/account/verify-email/resend", Who::SignedIn),
    ("GET", "/account/two-factor/setup", Who::PasswordOnly),
    ("POST", "/account/two-factor/setup", Who::PasswordOnly),
    ("POST", "/account/two-factor/recovery-codes", Who::SignedIn),
    // Staff must keep their second factor; only public users may turn it off.
    (
        "POST",
        "/account/two-factor/disable",
        Who::Only(&[As::Public]),
    ),
    (
        "POST",
        "/account/sessions/sign-out-everywhere",
        Who::SignedIn,
    ),
    ("POST", "/account/tokens", Who::SignedIn),
    ("POST", "/account/tokens/{id}/revoke", Who::SignedIn),
    ("GET", "/account/data", Who::SignedIn),
    // Consular services: the public catalogue and the applicant's own cases
    ("GET", "/consular", Who::Anyone),
    ("GET", "/consular/services/{service}", Who::Anyone),
    ("POST", "/consular/services/{service}/apply", Who::SignedIn),
    ("GET", "/account/cases", Who::SignedIn),
    ("GET", "/account/cases/{case}", Who::SignedIn),
    ("GET", "/account/cases/{case}/edit", Who::SignedIn),
    ("POST", "/account/cases/{case}/edit", Who::SignedIn),
    ("POST", "/account/cases/{case}/autosave", Who::SignedIn),
    ("POST", "/account/cases/{case}/discard", Who::SignedIn),
    ("POST", "/account/cases/{case}/messages", Who::SignedIn),
    ("POST", "/account/cases/{case}/withdraw", Who::SignedIn),
    ("GET", "/account/cases/{case}/decision.pdf", Who::SignedIn),
    // Consular documents: one's own list and uploads; a download answers 404 to anyone but
    // the owner and staff who may read the mission's personal data.
    ("GET", "/documents/{id}", Who::SignedIn),
    ("GET", "/account/documents", Who::SignedIn),
    ("POST", "/account/documents", Who::SignedIn),
    ("POST", "/account/documents/{id}/delete", Who::SignedIn),
    // Staff workspace
    ("GET", "/staff", Who::Only(STAFF)),
    (
        "GET",
        "/missions/{mission}/dashboard",
        Who::OwnMission(STAFF),
    ),
    // Consular appointments
    ("GET", "/appointments", Who::Anyone),
    (
        "GET",
        "/missions/{mission}/appointments/book",
        Who::SignedIn,
    ),
    (
        "POST",
        "/missions/{mission}/appointments/book",
        Who::SignedIn,
    ),
    ("GET", "/account/appointments", Who::SignedIn),
    (
        "GET",
        "/account/appointments/{id}/reschedule",
        Who::SignedIn,
    ),
    (
        "POST",
        "/account/appointments/{id}/reschedule",
        Who::SignedIn,
    ),
    ("POST", "/account/appointments/{id}/cancel", Who::SignedIn),
    (
        "GET",
        "/missions/{mission}/appointments",
        Who::OwnMission(&[As::Admin, As::Head, As::Consular]),
    ),
    (
        "GET",
        "/missions/{mission}/appointments/schedule",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/missions/{mission}/appointments/schedule/rules",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/missions/{mission}/appointments/schedule/rules/{id}/remove",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/missions/{mission}/appointments/schedule/closures",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/missions/{mission}/appointments/schedule/closures/{id}/remove",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/missions/{mission}/appointments/{id}/cancel",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    // Consular officers' workspace: those who work cases at the mission
    (
        "GET",
        "/missions/{mission}/cases",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/missions/{mission}/cases.csv",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/missions/{mission}/cases/bulk",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/missions/{mission}/cases/{case}/etd",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/missions/{mission}/cases/sla",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/missions/{mission}/cases/{case}",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/missions/{mission}/cases/{case}/act",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/missions/{mission}/cases/{case}/assign",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/missions/{mission}/cases/{case}/priority",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/missions/{mission}/cases/{case}/notes",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/missions/{mission}/cases/{case}/messages",
        Who::OwnMission(CONSULAR),
    ),
    // Service catalogue: heads of mission and ministry admins
    (
        "GET",
        "/missions/{mission}/services",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "GET",
        "/missions/{mission}/services/new",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/missions/{mission}/services/new",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "GET",
        "/missions/{mission}/services/{service}/edit",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/missions/{mission}/services/{service}/edit",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    // E-visas: the public check; the visa itself for its holder and the mission's staff who
    // may read personal data (the handler answers 404 to everyone else); revocation.
    ("GET", "/verify", Who::Anyone),
    ("GET", "/verify/keys", Who::Anyone),
    ("GET", "/evisas/{id}", Who::SignedIn),
    ("GET", "/evisas/{id}/pdf", Who::SignedIn),
    (
        "POST",
        "/missions/{mission}/evisas/{id}/revoke",
        Who::OwnMission(&[As::Admin, As::Head, As::Consular]),
    ),
    // Citizens abroad: one's own registrations and data; the crisis presence form and
    // travel-advice subscriptions for anyone (the handlers answer 404 to unknown ids).
    ("GET", "/abroad", Who::SignedIn),
    ("GET", "/abroad/new", Who::SignedIn),
    ("POST", "/abroad/new", Who::SignedIn),
    ("GET", "/abroad/my-data.json", Who::SignedIn),
    ("POST", "/abroad/my-data/delete", Who::SignedIn),
    ("GET", "/abroad/{registration}", Who::SignedIn),
    ("GET", "/abroad/{registration}/edit", Who::SignedIn),
    ("POST", "/abroad/{registration}/edit", Who::SignedIn),
    ("POST", "/abroad/{registration}/delete", Who::SignedIn),
    ("GET", "/crisis/{crisis}/presence", Who::Anyone),
    ("POST", "/crisis/{crisis}/presence", Who::Anyone),
    ("GET", "/crisis/presence/verify", Who::Anyone),
    ("POST", "/crisis/presence/verify", Who::Anyone),
    ("POST", "/crisis/presence/resend", Who::Anyone),
    ("GET", "/subscribe", Who::Anyone),
    ("POST", "/subscribe", Who::Anyone),
    ("GET", "/subscribe/confirm/{token}", Who::Anyone),
    ("POST", "/subscribe/confirm/{token}", Who::Anyone),
    ("GET", "/unsubscribe/{token}", Who::Anyone),
    ("POST", "/unsubscribe/{token}", Who::Anyone),
    // Administration: ministry-wide administrators only
    ("GET", "/admin", Who::Only(&[As::Admin])),
    ("GET", "/admin/missions", Who::Only(&[As::Admin])),
    ("GET", "/admin/missions/new", Who::Only(&[As::Admin])),
    ("POST", "/admin/missions/new", Who::Only(&[As::Admin])),
    (
        "GET",
        "/admin/missions/{mission}/edit",
        Who::Only(&[As::Admin]),
    ),
    (
        "POST",
        "/admin/missions/{mission}/edit",
        Who::Only(&[As::Admin]),
    ),
    ("GET", "/admin/users", Who::Only(&[As::Admin])),
    ("GET", "/admin/users/new", Who::Only(&[As::Admin])),
    ("POST", "/admin/users/new", Who::Only(&[As::Admin])),
    ("GET", "/admin/users/{user}", Who::Only(&[As::Admin])),
    (
        "POST",
        "/admin/users/{user}/grants",
        Who::Only(&[As::Admin]),
    ),
    (
        "POST",
        "/admin/users/{user}/grants/revoke",
        Who::Only(&[As::Admin]),
    ),
    (
        "POST",
        "/admin/users/{user}/disable",
        Who::Only(&[As::Admin]),
    ),
    (
        "POST",
        "/admin/users/{user}/enable",
        Who::Only(&[As::Admin]),
    ),
    (
        "POST",
        "/admin/users/{user}/reset-password",
        Who::Only(&[As::Admin]),
    ),
    (
        "POST",
        "/admin/users/{user}/reset-two-factor",
        Who::Only(&[As::Admin]),
    ),
    ("GET", "/admin/audit", Who::Only(&[As::Admin])),
    ("GET", "/admin/audit/export.csv", Who::Only(&[As::Admin])),
    ("POST", "/admin/audit/verify", Who::Only(&[As::Admin])),
    ("GET", "/admin/jobs", Who::Only(&[As::Admin])),
    ("POST", "/admin/jobs/{job}/retry", Who::Only(&[As::Admin])),
    ("POST", "/admin/jobs/retry-kind", Who::Only(&[As::Admin])),
    // Travel advice: public pages and feeds; the ministry edits
    ("GET", "/travel-advice", Who::Anyone),
    ("GET", "/travel-advice/feed.atom", Who::Anyone),
    ("GET", "/travel-advice/{country}", Who::Anyone),
    ("GET", "/travel-advice/{country}/feed.atom", Who::Anyone),
    ("GET", "/admin/travel-advice", Who::Only(&[As::Admin])),
    (
        "GET",
        "/admin/travel-advice/{country}",
        Who::Only(&[As::Admin]),
    ),
    (
        "POST",
        "/admin/travel-advice/{country}",
        Who::Only(&[As::Admin]),
    ),
    ("GET", "/api/v1/travel-advice", Who::Anyone),
    ("GET", "/api/v1/travel-advice/{country}", Who::Anyone),
    (
        "PUT",
        "/api/v1/travel-advice/{country}",
        Who::Only(&[As::Admin]),
    ),
    // Crises and CAP alerts: those who manage crises at some mission (each page narrows to
    // theirs); approval by those who approve alerts; the CAP feed and messages are public
    ("GET", "/staff/crises", Who::Only(CRISIS_STAFF)),
    ("POST", "/staff/crises", Who::Only(CRISIS_STAFF)),
    ("GET", "/staff/crises/{crisis}", Who::Only(CRISIS_STAFF)),
    (
        "POST",
        "/staff/crises/{crisis}/close",
        Who::Only(CRISIS_STAFF),
    ),
    (
        "POST",
        "/staff/crises/{crisis}/presence",
        Who::Only(CRISIS_STAFF),
    ),
    ("GET", "/staff/alerts", Who::Only(CRISIS_STAFF)),
    ("GET", "/staff/alerts/new", Who::Only(CRISIS_STAFF)),
    ("POST", "/staff/alerts/new", Who::Only(CRISIS_STAFF)),
    ("GET", "/staff/alerts/import", Who::Only(CRISIS_STAFF)),
    ("POST", "/staff/alerts/import", Who::Only(CRISIS_STAFF)),
    ("GET", "/staff/alerts/{alert}", Who::Only(CRISIS_STAFF)),
    ("POST", "/staff/alerts/{alert}", Who::Only(CRISIS_STAFF)),
    (
        "POST",
        "/staff/alerts/{alert}/preview",
        Who::Only(CRISIS_STAFF),
    ),
    (
        "POST",
        "/staff/alerts/{alert}/submit",
        Who::Only(CRISIS_STAFF),
    ),
    (
        "POST",
        "/staff/alerts/{alert}/approve",
        Who::Only(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/staff/alerts/{alert}/reject",
        Who::Only(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/staff/alerts/{alert}/update",
        Who::Only(CRISIS_STAFF),
    ),
    (
        "POST",
        "/staff/alerts/{alert}/cancel",
        Who::Only(CRISIS_STAFF),
    ),
    ("GET", "/cap/feed.atom", Who::Anyone),
    ("GET", "/cap/{alert}", Who::Anyone),
    // JSON API
    ("GET", "/api/v1/openapi.json", Who::Anyone),
    ("GET", "/api/v1/me", Who::SignedIn),
    ("PATCH", "/api/v1/me", Who::SignedIn),
    ("GET", "/api/v1/me/data", Who::SignedIn),
    ("GET", "/api/v1/missions", Who::Anyone),
    ("GET", "/api/v1/missions/{mission}", Who::Anyone),
    (
        "GET",
        "/api/v1/missions/{mission}/staff",
        Who::OwnMission(STAFF),
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/appointments/slots",
        Who::Anyone,
    ),
    ("POST", "/api/v1/appointments", Who::SignedIn),
    ("DELETE", "/api/v1/appointments/{id}", Who::SignedIn),
    ("GET", "/api/v1/me/appointments", Who::SignedIn),
    ("GET", "/api/v1/verify", Who::Anyone),
    ("GET", "/api/v1/admin/audit", Who::Only(&[As::Admin])),
    ("GET", "/api/v1/admin/jobs", Who::Only(&[As::Admin])),
    (
        "POST",
        "/api/v1/admin/jobs/{job}/retry",
        Who::Only(&[As::Admin]),
    ),
    (
        "POST",
        "/api/v1/admin/jobs/retry-dead",
        Who::Only(&[As::Admin]),
    ),
    // Consular API: the catalogue, one's own cases, the mission's queues
    ("GET", "/api/v1/consular/services", Who::Anyone),
    ("GET", "/api/v1/cases", Who::SignedIn),
    ("POST", "/api/v1/cases", Who::SignedIn),
    ("GET", "/api/v1/cases/{id}", Who::SignedIn),
    ("DELETE", "/api/v1/cases/{id}", Who::SignedIn),
    ("PUT", "/api/v1/cases/{id}/form", Who::SignedIn),
    ("POST", "/api/v1/cases/{id}/submit", Who::SignedIn),
    ("POST", "/api/v1/cases/{id}/withdraw", Who::SignedIn),
    ("POST", "/api/v1/cases/{id}/messages", Who::SignedIn),
    ("POST", "/api/v1/cases/{id}/documents", Who::SignedIn),
    ("GET", "/api/v1/cases/{id}/documents/{doc}", Who::SignedIn),
    ("GET", "/api/v1/me/documents", Who::SignedIn),
    ("GET", "/api/v1/cases/{id}/decision.pdf", Who::SignedIn),
    ("GET", "/api/v1/cases/{id}/evisa.pdf", Who::SignedIn),
    (
        "POST",
        "/api/v1/appointments/{id}/reschedule",
        Who::SignedIn,
    ),
    ("POST", "/api/v1/me/documents", Who::SignedIn),
    ("GET", "/api/v1/me/documents/{doc}", Who::SignedIn),
    ("DELETE", "/api/v1/me/documents/{doc}", Who::SignedIn),
    (
        "GET",
        "/api/v1/missions/{mission}/cases/{id}/documents/{doc}",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/cases",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/cases/{id}",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/sla",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/appointments",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/appointments/schedule",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/appointments/schedule/rules",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "DELETE",
        "/api/v1/missions/{mission}/appointments/schedule/rules/{id}",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/appointments/schedule/closures",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "DELETE",
        "/api/v1/missions/{mission}/appointments/schedule/closures/{id}",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/services",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/services",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "PUT",
        "/api/v1/missions/{mission}/services/{id}",
        Who::OwnMission(&[As::Admin, As::Head]),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/actions",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/assign",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/bulk",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/evisas/{id}/revoke",
        Who::OwnMission(CONSULAR),
    ),
    (
        "GET",
        "/api/v1/missions/{mission}/evisas/{id}/pdf",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/priority",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/travel-document",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/notes",
        Who::OwnMission(CONSULAR),
    ),
    (
        "POST",
        "/api/v1/missions/{mission}/cases/{id}/messages",
        Who::OwnMission(CONSULAR),
    ),
    // Safety check-ins: the personal link (the token is the credential) and the SMS gateway
    // (its shared secret, checked by the handler)
    ("GET", "/crisis/checkin/{token}", Who::Anyone),
    ("POST", "/crisis/checkin/{token}", Who::Anyone),
    ("POST", "/crisis/sms/inbound", Who::SharedSecret),
    // The welfare board: ViewPersonalData and ManageCrises at the crisis's mission (the
    // handler checks the mission once it has found the crisis)
    ("GET", "/staff/crises/{crisis}/board", Who::Only(CONSULAR)),
    (
        "GET",
        "/staff/crises/{crisis}/board/counts",
        Who::Only(CONSULAR),
    ),
    (
        "GET",
        "/staff/crises/{crisis}/board.csv",
        Who::Only(CONSULAR),
    ),
    (
        "GET",
        "/staff/crises/{crisis}/pfif.xml",
        Who::Only(CONSULAR),
    ),
    (
        "POST",
        "/staff/crises/{crisis}/pfif/import",
        Who::Only(CONSULAR),
    ),
    (
        "GET",
        "/staff/crises/{crisis}/checkins.geojson",
        Who::Only(CONSULAR),
    ),
    // Crisis delivery: the SMS gateway's receipts (its shared secret is the authentication)
    ("POST", "/crisis/receipts/sms", Who::Anyone),
    ("GET", "/admin/crisis/webhooks", Who::Only(&[As::Admin])),
    ("POST", "/admin/crisis/webhooks", Who::Only(&[As::Admin])),
    (
        "POST",
        "/admin/crisis/webhooks/{webhook}/disable",
        Who::Only(&[As::Admin]),
    ),
];

impl Who {
    pub fn allows(self, who: As, own_mission: bool) -> bool {
        match self {
            Who::Anyone => true,
            Who::PasswordOnly => who != As::Anonymous,
            Who::SignedIn => who != As::Anonymous && who != As::AdminBeforeSecondFactor,
            Who::Only(list) => list.contains(&who),
            Who::OwnMission(list) => list.contains(&who) && (who == As::Admin || own_mission),
            Who::SharedSecret => false,
        }
    }
}

/// The real things the paths point at.
pub struct Fixture {
    own: String,
    other: String,
    user: String,
    job: String,
    pub accounts: Vec<(As, Account)>,
}

pub async fn fixture(app: &TestApp) -> Fixture {
    let own_id = app.mission("PAR", "FR").await;
    app.mission("DXB", "AE").await;
    let mission_role = |role: Role| vec![(role, Some(own_id.as_str()))];
    let mut accounts = Vec::new();
    accounts.push((As::Public, app.public_user(&unique_email("m-public")).await));
    let admin = app
        .staff(&unique_email("m-admin"), &[(Role::Admin, None)])
        .await;
    accounts.push((As::AdminBeforeSecondFactor, admin.clone()));
    accounts.push((As::Admin, admin));
    for (who, role) in [
        (As::Head, Role::HeadOfMission),
        (As::Consular, Role::ConsularOfficer),
        (As::Press, Role::PressOfficer),
        (As::Analyst, Role::Analyst),
    ] {
        let roles = mission_role(role);
        accounts.push((who, app.staff(&unique_email("m-staff"), &roles).await));
    }
    // Actions on `{user}` (disable, reset password …) land on a bystander, not on a tester.
    let bystander = app.staff(&unique_email("m-bystander"), &[]).await;
    let mut tx = app.db.begin().await.unwrap();
    let job = jobs::enqueue(&mut tx, &NewJob::new("matrix.noop", serde_json::json!({})))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    Fixture {
        own: "PAR".into(),
        other: "DXB".into(),
        user: bystander.id,
        job: job.to_string(),
        accounts,
    }
}

/// The concrete paths for a pattern: `(path, names mission A)`.
pub fn concrete(pattern: &str, f: &Fixture) -> Vec<(String, bool)> {
    let fill = |mission: &str| {
        let mut out = Vec::new();
        for segment in pattern.split('/') {
            out.push(match segment {
                "{mission}" => mission.to_owned(),
                "{user}" => f.user.clone(),
                "{job}" => f.job.clone(),
                "{country}" => "FR".to_owned(),
                // No such token: the access layer answers before the handler looks.
                "{id}" => "0".to_owned(),
                // No such case, service or document: the handler answers 404 once access is granted.
                "{case}" | "{service}" | "{webhook}" | "{doc}" => "0".to_owned(),
                // No such crisis or alert: 404 once access is granted.
                "{crisis}" | "{alert}" => "0".to_owned(),
                "{hash}" => "0".to_owned(),
                // A token that does not verify: the check-in page answers 404.
                "{registration}" => "0".to_owned(),
                "{token}" => "0".to_owned(),
                "{*name}" => "app.css".to_owned(),
                s if s.starts_with('{') => {
                    panic!("the matrix has no value for {s} in {pattern}: add one in `concrete`")
                }
                s => s.to_owned(),
            });
        }
        out.join("/")
    };
    if pattern.contains("{mission}") {
        vec![(fill(&f.own), true), (fill(&f.other), false)]
    } else {
        vec![(fill(&f.own), true)]
    }
}

/// Sends one request as `who`, with a fresh session (some routes end the session) and a
/// valid form token, as a browser on this site would.
async fn send(app: &TestApp, f: &Fixture, who: As, method: &Method, path: &str) -> (u16, String) {
    let anon = "matrix-anonymous-visitor-0123456789abcdef".to_owned();
    let (cookie, binding) = match f.accounts.iter().find(|(a, _)| *a == who) {
        None => (format!("safir_anon={anon}"), anon),
        Some((_, account)) => {
            let second_factor_passed = who != As::AdminBeforeSecondFactor;
            let secret = sessions::create(
                &app.db,
                &account.id,
                second_factor_passed,
                None,
                None,
                chrono::Duration::hours(1),
            )
            .await
            .unwrap();
            let cookie = format!("{SESSION_COOKIE}={secret}");
            (cookie, hash_secret(&secret))
        }
    };
    let token = app.state.form_tokens.token(&binding);
    let mut req = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::HOST, "safir.test")
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header("x-csrf-token", token);
    let body = if *method == Method::GET {
        Body::empty()
    } else if path.starts_with("/api/") {
        req = req.header(header::CONTENT_TYPE, "application/json");
        Body::from("{}")
    } else {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        Body::empty()
    };
    let mut client = app.client();
    let res = client.send(req.body(body).unwrap()).await;
    let location = res.location().unwrap_or("").to_owned();
    (res.status.as_u16(), location)
}

/// A handler may send a user to the sign-in page on success (after signing out); the access
/// layer's refusals carry `next=` or point at the second-factor page.
fn sent_to_sign_in(location: &str) -> bool {
    location.starts_with("/sign-in?next=") || location == "/sign-in/two-factor"
}

pub fn passed_access(status: u16, location: &str) -> bool {
    status != 401 && status != 403 && !sent_to_sign_in(location)
}

fn denied_properly(who: As, path: &str, status: u16, location: &str) -> bool {
    match who {
        As::Anonymous if path.starts_with("/api/") => status == 401,
        As::Anonymous => (300..400).contains(&status) && location.starts_with("/sign-in?next="),
        As::AdminBeforeSecondFactor if path.starts_with("/api/") => status == 401,
        As::AdminBeforeSecondFactor => {
            (300..400).contains(&status) && location == "/sign-in/two-factor"
        }
        _ => status == 403,
    }
}

#[tokio::test]
async fn every_route_admits_exactly_who_it_should() {
    for app in TestApp::all().await {
        let missing: Vec<String> = app
            .routes
            .iter()
            .filter(|r| {
                !EXPECTATIONS
                    .iter()
                    .any(|(m, p, _)| *m == r.method.as_str() && *p == r.path)
            })
            .map(|r| {
                format!(
                    "(\"{}\", \"{}\", …) — access {:?}",
                    r.method, r.path, r.access
                )
            })
            .collect();
        assert!(
            missing.is_empty(),
            "routes without an expectation in the authorization matrix:\n{}",
            missing.join("\n")
        );
        let stale: Vec<_> = EXPECTATIONS
            .iter()
            .filter(|(m, p, _)| {
                !app.routes
                    .iter()
                    .any(|r| r.method.as_str() == *m && r.path == *p)
            })
            .collect();
        assert!(
            stale.is_empty(),
            "expectations for routes that no longer exist: {stale:?}"
        );

        let f = fixture(&app).await;
        let mut failures = Vec::new();
        let mut checked = 0;
        for (method, pattern, rule) in EXPECTATIONS {
            let method: Method = method.parse().unwrap();
            for (path, own) in concrete(pattern, &f) {
                for who in EVERYONE {
                    let (status, location) = send(&app, &f, who, &method, &path).await;
                    let ok = if matches!(rule, Who::SharedSecret) {
                        status == 403
                    } else if rule.allows(who, own) {
                        passed_access(status, &location)
                    } else {
                        denied_properly(who, &path, status, &location)
                    };
                    checked += 1;
                    if !ok {
                        let expected = if rule.allows(who, own) {
                            "allowed"
                        } else {
                            "denied"
                        };
                        failures.push(format!(
                            "{method} {path} as {who:?}: expected {expected}, got {status} {location}"
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(checked >= EXPECTATIONS.len() * EVERYONE.len());
    }
}
