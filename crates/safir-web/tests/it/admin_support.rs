//! Shared steps of the staff and admin stories: signed-in clients without going through the
//! sign-in pages (those have their own tests), and reading what the admin pages show.

use safir_domain::roles::Role;
use safir_store::accounts::sessions;
use safir_web::auth::SESSION_COOKIE;

use crate::harness::{Account, Client, TestApp, unique_email};

/// A client holding a session that has passed the second factor, as the sign-in flow leaves
/// it.
pub async fn signed_in<'a>(app: &'a TestApp, account: &Account) -> Client<'a> {
    let secret = sessions::create(
        &app.db,
        &account.id,
        true,
        None,
        None,
        chrono::Duration::hours(1),
    )
    .await
    .unwrap();
    let mut client = app.client();
    client.cookies.insert(SESSION_COOKIE.to_owned(), secret);
    client
}

/// A ministry-wide administrator and their signed-in client.
pub async fn admin(app: &TestApp) -> (Account, Client<'_>) {
    let account = app
        .staff(&unique_email("admin"), &[(Role::Admin, None)])
        .await;
    let client = signed_in(app, &account).await;
    (account, client)
}

/// The one-time password shown on the page after creating a user or resetting a password.
pub fn shown_password(body: &str) -> String {
    let start = body
        .find(r#"<code id="one-time-password">"#)
        .unwrap_or_else(|| panic!("no one-time password shown: {body}"))
        + r#"<code id="one-time-password">"#.len();
    let end = body[start..].find("</code>").unwrap() + start;
    body[start..end].to_owned()
}

/// The audit summary (JSON) of the newest record with this action.
pub async fn last_summary(app: &TestApp, action: &str) -> serde_json::Value {
    let rows = safir_store::audit::list(
        &app.db,
        &safir_store::audit::AuditFilter {
            action: Some(action.to_owned()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    let row = rows.first().unwrap_or_else(|| panic!("no {action} record"));
    serde_json::from_str(&row.summary).unwrap()
}
