//! `safir admin …`: account and audit administration, and the stored documents' virus scan,
//! from the command line. Every change is written to the audit trail with the actor `cli`.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email, Password};
use safir_domain::audit::{AuditAction, actions};
use safir_domain::roles::{Role, Scope};
use safir_store::accounts::{self, directory, grants, password, secrets, tokens};
use safir_store::audit::{self, ChainCheck, NewAuditRecord};
use safir_store::consular::documents::{self, ScanConfig, Uploads};
use safir_store::{Db, Tx, missions};
use serde_json::json;

use crate::config::Config;
use crate::serve::{missing_sqlite, open_db};

#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account and print its one-time password.
    CreateUser(CreateUser),
    /// Give an account a new one-time password (printed once) and sign it out everywhere.
    ResetPassword(ByEmail),
    /// Grant a role, for one mission (--mission CODE) or ministry-wide (no --mission).
    Grant(RoleArgs),
    /// Revoke a role.
    Revoke(RoleArgs),
    /// Check the audit trail's hash chain; exits with 1 when it is broken.
    VerifyAudit,
    /// Replace the e-visa signing key (one that may have leaked, or on a schedule). Visas
    /// signed with the old key stay valid while the register holds them; restart every
    /// server process afterwards.
    RotateEvisaKey,
    /// Scan again the stored documents whose virus scan failed or that were never scanned
    /// (uploaded before a scanner was configured), and record each verdict: one found
    /// infected, and every document with the same file, is no longer served. Needs
    /// `uploads_scan_command`.
    RescanDocuments,
}

#[derive(Debug, Args)]
pub struct CreateUser {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// A staff role to grant at once (admin, head_of_mission, consular_officer, press_officer, analyst).
    #[arg(long)]
    pub role: Option<String>,
    /// The mission code for the role; ministry-wide when absent.
    #[arg(long)]
    pub mission: Option<String>,
    /// Interface language: ar or en.
    #[arg(long, default_value = "ar")]
    pub lang: String,
}

#[derive(Debug, Args)]
pub struct ByEmail {
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct RoleArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub role: String,
    #[arg(long)]
    pub mission: Option<String>,
}

pub async fn run(config: &Config, args: AdminArgs) -> anyhow::Result<()> {
    // Only the first account may come with a new database: the others act on what is there,
    // and a mistyped data directory would otherwise be a new, empty database (where
    // `verify-audit` finds an intact trail of no records).
    let missing = missing_sqlite(config);
    if let Some(file) = &missing
        && !matches!(args.command, AdminCommand::CreateUser(_))
    {
        bail!(
            "no database at {}: check --data-dir or --database-url",
            file.display()
        );
    }
    if matches!(args.command, AdminCommand::RescanDocuments)
        && config.storage.uploads_scan_command.trim().is_empty()
    {
        bail!(
            "no virus scanner is configured: set uploads_scan_command (SAFIR_UPLOADS_SCAN_COMMAND) \
             to scan the stored documents again"
        );
    }
    // The new account's arguments are read first: refused, they leave no new database behind.
    if let AdminCommand::CreateUser(a) = &args.command {
        check_new_user(a)?;
    }
    let db = open_db(config, false).await?;
    if let Some(file) = missing {
        eprintln!("safir: no database was at {}: created it", file.display());
    }
    let result = match args.command {
        AdminCommand::CreateUser(a) => create_user(&db, a).await,
        AdminCommand::ResetPassword(a) => reset_password(&db, a).await,
        AdminCommand::Grant(a) => change_role(&db, a, true).await,
        AdminCommand::Revoke(a) => change_role(&db, a, false).await,
        AdminCommand::VerifyAudit => verify_audit(&db).await,
        AdminCommand::RotateEvisaKey => rotate_evisa_key(&db).await,
        AdminCommand::RescanDocuments => rescan_documents(config, &db).await,
    };
    db.close().await;
    result
}

/// The audit record of an action taken from the command line (no signed-in actor).
pub(crate) fn cli_audit(
    action: AuditAction,
    target_type: &'static str,
    target: &str,
    summary: serde_json::Value,
) -> NewAuditRecord {
    NewAuditRecord {
        actor_id: None,
        actor_label: "cli".to_owned(),
        action,
        target_type,
        target_id: Some(target.to_owned()),
        mission_id: None,
        client_ip: None,
        summary,
    }
}

/// The record of a role granted or revoked from the command line: one at a mission is filed
/// under it, to be found when the trail is read for that mission (as the admin pages file
/// theirs).
fn role_record(
    action: AuditAction,
    user_id: &str,
    scope: &Scope,
    summary: serde_json::Value,
) -> NewAuditRecord {
    let mut record = cli_audit(action, "user", user_id, summary);
    if let Scope::Mission(m) = scope {
        record.mission_id = Some(m.clone());
    }
    record
}

/// A one-time password: 20 URL-safe random characters.
pub fn one_time_password() -> String {
    secrets::new_secret().chars().take(20).collect()
}

async fn resolve_scope(db: &Db, mission: Option<&str>) -> anyhow::Result<Scope> {
    match mission {
        None => Ok(Scope::Ministry),
        Some(code) => {
            let m = missions::find_by_code(db, code)
                .await?
                .with_context(|| format!("no mission with code {code}"))?;
            Ok(Scope::Mission(m.mission_id()))
        }
    }
}

/// Creates an account with a given password hash and optional role (shared with the demo).
pub async fn insert_account(
    tx: &mut Tx,
    email: &Email,
    name: &DisplayName,
    hash: &str,
    lang: Lang,
    role: Option<(Role, &Scope)>,
) -> anyhow::Result<String> {
    let kind = if role.is_some() {
        AccountKind::Staff
    } else {
        AccountKind::Public
    };
    let id = accounts::create_user(
        tx,
        &accounts::NewUser {
            email,
            display_name: name,
            password_hash: hash,
            kind,
            lang,
            email_verified: true,
            request_key: None,
        },
    )
    .await
    .map_err(|e| match e {
        safir_store::StoreError::Conflict(_) => {
            anyhow::anyhow!("an account with the email {email} already exists")
        }
        other => other.into(),
    })?
    .to_string();
    audit::append(
        tx,
        &cli_audit(
            actions::USER_CREATE,
            "user",
            &id,
            json!({"email": email.as_str(), "kind": kind.as_str()}),
        ),
    )
    .await?;
    if let Some((role, scope)) = role {
        grants::grant(tx, &id, role, scope, None).await?;
        let summary = json!({"role": role.as_str(), "scope": scope.to_storage()});
        let record = role_record(actions::ROLE_GRANT, &id, scope, summary);
        audit::append(tx, &record).await?;
    }
    Ok(id)
}

/// What `create-user` can check without the database: each value, and a mission only with a
/// role (it scopes the role; alone it would be dropped and a citizen's account made).
fn check_new_user(a: &CreateUser) -> anyhow::Result<()> {
    Email::parse(&a.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    DisplayName::parse(&a.name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    Lang::parse(&a.lang).map_err(|e| anyhow::anyhow!("--lang: {e}"))?;
    if let Some(role) = &a.role {
        Role::parse(role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    } else if a.mission.is_some() {
        bail!("--mission: give the --role it is for (a mission alone grants nothing)");
    }
    Ok(())
}

async fn create_user(db: &Db, a: CreateUser) -> anyhow::Result<()> {
    let email = Email::parse(&a.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let name = DisplayName::parse(&a.name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let lang = Lang::parse(&a.lang).map_err(|e| anyhow::anyhow!("--lang: {e}"))?;
    let role = a
        .role
        .as_deref()
        .map(Role::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let scope = resolve_scope(db, a.mission.as_deref()).await?;
    let pw = one_time_password();
    let hash = password::hash(&Password::parse(&pw).map_err(|e| anyhow::anyhow!("{e}"))?).await;
    let mut tx = db.begin().await?;
    let id = insert_account(
        &mut tx,
        &email,
        &name,
        &hash,
        lang,
        role.map(|r| (r, &scope)),
    )
    .await?;
    // Printed for the administrator to pass on: its owner chooses their own at the first
    // sign-in (the demo's accounts, made with `insert_account` alone, keep theirs).
    accounts::mark_password_set_by_admin(&mut tx, &id).await?;
    tx.commit().await?;
    println!("created {email} (id {id})");
    println!("one-time password: {pw}");
    println!(
        "it must be replaced at the first sign-in, and stops working after {} days",
        accounts::ADMIN_PASSWORD_DAYS
    );
    if role.is_some() {
        println!("staff accounts set up two-factor authentication at their first sign-in");
    }
    Ok(())
}

async fn reset_password(db: &Db, a: ByEmail) -> anyhow::Result<()> {
    let email = Email::parse(&a.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let user = accounts::find_user_by_email(db, &email)
        .await?
        .with_context(|| format!("no account with the email {email}"))?;
    let pw = one_time_password();
    let hash = password::hash(&Password::parse(&pw).map_err(|e| anyhow::anyhow!("{e}"))?).await;
    let mut tx = db.begin().await?;
    // Signed out everywhere, its API tokens stopped, with the reset itself; its owner
    // chooses their own at the next sign-in.
    let tokens_revoked = accounts::reset_password_by_admin(&mut tx, &user.id, &hash).await?;
    // Its owner is told, as of any other reset.
    safir_web::accounts::tell_password_reset_by_admin(&mut tx, &user)
        .await
        .map_err(|e| anyhow::anyhow!("queueing the email to {email}: {e}"))?;
    audit::append(
        &mut tx,
        &cli_audit(
            actions::USER_PASSWORD_RESET,
            "user",
            &user.id,
            json!({"email": email.as_str(), "api_tokens_revoked": tokens_revoked}),
        ),
    )
    .await?;
    tx.commit().await?;
    println!("new one-time password for {email}: {pw}");
    println!(
        "it must be replaced at the next sign-in, and stops working after {} days",
        accounts::ADMIN_PASSWORD_DAYS
    );
    Ok(())
}

async fn change_role(db: &Db, a: RoleArgs, grant: bool) -> anyhow::Result<()> {
    let email = Email::parse(&a.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let role = Role::parse(&a.role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let scope = resolve_scope(db, a.mission.as_deref()).await?;
    let user = accounts::find_user_by_email(db, &email)
        .await?
        .with_context(|| format!("no account with the email {email}"))?;
    // Anyone can open an account with someone else's address: until its owner confirms it,
    // the account may be a stranger's, waiting for the colleague it names to be given a role.
    // (`create-user` makes its accounts confirmed: the address is the administrator's
    // choice.) An address once confirmed stays so.
    if grant && user.email_verified_at.is_none() {
        bail!(
            "{email} has not confirmed its address, so no role can be granted to it: anyone can \
             open an account with someone else's address. Its owner must confirm it first, with \
             the link emailed to them or a new one (\"Send a new confirmation link\" on their \
             account page); then grant the role again"
        );
    }
    let mut tx = db.begin().await?;
    let first_role = grant && !accounts::holds_a_role(&mut tx, &user.id).await?;
    let mut revoked = 0;
    let changed = if grant {
        grants::grant(&mut tx, &user.id, role, &scope, None).await?
    } else {
        grants::revoke(&mut tx, &user.id, role, &scope).await?
    };
    if changed {
        let action = if grant {
            actions::ROLE_GRANT
        } else {
            actions::ROLE_REVOKE
        };
        let mut summary = json!({"role": role.as_str(), "scope": scope.to_storage()});
        // An account's first role: the API tokens it made with its password alone would carry
        // the role's powers (a token counts as past the second factor), as on the admin pages.
        if first_role {
            revoked = tokens::revoke_all_api_tokens(&mut tx, &user.id).await?;
            summary["api_tokens_revoked"] = revoked.into();
        }
        audit::append(&mut tx, &role_record(action, &user.id, &scope, summary)).await?;
        // Counted after the change and the append (which serialises staff changes), as the
        // administration pages count: the enabled accounts that still hold the role.
        if !grant
            && role == Role::Admin
            && scope == Scope::Ministry
            && directory::count_active_ministry_admins(&mut tx).await? == 0
        {
            tx.rollback().await?;
            bail!("refusing to revoke the last enabled ministry-wide admin");
        }
    }
    tx.commit().await?;
    let verb = if grant { "granted" } else { "revoked" };
    if changed {
        println!("{verb} {} to {email}", role.as_str());
        if revoked > 0 {
            println!("revoked the {revoked} API token(s) {email} made before holding a role");
        }
    } else {
        println!(
            "nothing to do: {email} {} {}",
            if grant {
                "already has"
            } else {
                "does not have"
            },
            role.as_str()
        );
    }
    Ok(())
}

async fn rotate_evisa_key(db: &Db) -> anyhow::Result<()> {
    let rotation = safir_store::consular::evisas::rotate_signing_key(db, |r| {
        cli_audit(
            actions::EVISA_KEY_ROTATE,
            "evisa_key",
            &r.current.to_hex(),
            json!({"retired": r.retired.to_hex()}),
        )
    })
    .await
    .map_err(|e| match e {
        safir_store::StoreError::Conflict(_) => {
            anyhow::anyhow!("the key was rotated by someone else meanwhile: run the command again")
        }
        e => e.into(),
    })?;
    println!(
        "e-visa signing key {} retired; new visas are signed with {}",
        rotation.retired, rotation.current
    );
    println!(
        "restart every server process: until then they sign with the old key and do not know the new one"
    );
    Ok(())
}

/// Stored documents scanned again from the command line: how many files, and the verdicts.
const DOCUMENT_RESCAN: AuditAction = AuditAction::new("document.rescan");

async fn rescan_documents(config: &Config, db: &Db) -> anyhow::Result<()> {
    let uploads = Uploads::new(config.uploads_dir());
    let scan = ScanConfig::from_command(
        &config.storage.uploads_scan_command,
        std::time::Duration::from_secs(u64::from(config.storage.uploads_scan_timeout_seconds)),
    );
    let done = documents::rescan(db, &uploads, &scan).await?;
    let infected: Vec<&str> = done.infected.iter().map(|d| d.as_str()).collect();
    if done.files > 0 {
        let mut record = cli_audit(
            DOCUMENT_RESCAN,
            "document",
            "",
            json!({
                "files": done.files,
                "clean": done.clean,
                "infected": infected,
                "failed": done.failed,
                "missing": done.missing,
            }),
        );
        record.target_id = None;
        let mut tx = db.begin().await?;
        audit::append(&mut tx, &record).await?;
        tx.commit().await?;
    }
    println!(
        "scanned {} file(s): {} document(s) clean, {} infected, {} still failed",
        done.files,
        done.clean,
        infected.len(),
        done.failed
    );
    for id in &infected {
        println!("infected, no longer served: document {id}");
    }
    if done.missing > 0 {
        println!(
            "{} document(s) not scanned: their file is missing from {}",
            done.missing,
            config.uploads_dir().display()
        );
    }
    Ok(())
}

async fn verify_audit(db: &Db) -> anyhow::Result<()> {
    let (check, head) = audit::verify_with_head(db).await?;
    print!("{}", verify_report(&check, head.as_ref())?);
    Ok(())
}

/// What `verify-audit` prints for an intact chain, or the error of a broken one. The head is
/// printed to be noted down: deleting the newest records leaves a chain that is still whole,
/// and only a head noted earlier shows that it is shorter.
fn verify_report(check: &ChainCheck, head: Option<&audit::ChainHead>) -> anyhow::Result<String> {
    match check {
        ChainCheck::Intact { records } => {
            let mut out = format!("audit trail intact: {records} records\n");
            if let Some(h) = head {
                out.push_str(&format!(
                    "chain head: record {} hash {}\n\
                     deleting the newest records is not detected by the chain itself: \
                     compare this head with one noted earlier\n",
                    h.seq, h.hash
                ));
            }
            Ok(out)
        }
        ChainCheck::Broken { seq, reason } => bail!("audit trail broken at record {seq}: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_audit_prints_the_chain_head_to_note() {
        let head = audit::ChainHead {
            seq: 42,
            hash: "ab".repeat(32),
        };
        let out = verify_report(&ChainCheck::Intact { records: 42 }, Some(&head)).unwrap();
        assert!(out.starts_with("audit trail intact: 42 records\n"), "{out}");
        assert!(
            out.contains(&format!("chain head: record 42 hash {}\n", "ab".repeat(32))),
            "{out}"
        );
        assert!(
            out.contains("compare this head with one noted earlier"),
            "{out}"
        );
        let empty = verify_report(&ChainCheck::Intact { records: 0 }, None).unwrap();
        assert_eq!(empty, "audit trail intact: 0 records\n");
        let broken = ChainCheck::Broken {
            seq: 5,
            reason: "record missing",
        };
        let e = verify_report(&broken, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "audit trail broken at record 5: record missing"
        );
    }
}
