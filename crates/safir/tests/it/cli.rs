use safir_store::{Db, with_pool};

use crate::support::{TempDir, run};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_thread_count_no_machine_has_is_refused_naming_the_flag() {
    // It spawned them all: the first one the system refused ended the command in a panic.
    let out = run(
        &[
            "listen",
            "networks",
            "messages.csv",
            "--kind",
            "co_tweet",
            "--threads",
            "100000",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--threads") && err.contains("0..=256"),
        "{err}"
    );
}

#[test]
fn an_invalid_setting_stops_start_up_naming_the_key_with_exit_code_2() {
    let out = run(&["serve"], &[("SAFIR_BIND", "nowhere")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bind"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    let out = run(&["serve"], &[("SAFIR_SMTP_PORT", "lots")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("smtp_port"));

    // Mail and SMS settings the workers could not use stop start-up before the database is
    // opened (it was migrated, and the port bound, before they were read).
    let data = TempDir::new("safir-bad-channels");
    let d = data.path().to_str().unwrap();
    for (env, key) in [
        (
            vec![
                ("SAFIR_MAIL_TRANSPORT", "smtp"),
                ("SAFIR_SMTP_USERNAME", "safir"),
            ],
            "smtp_password",
        ),
        (
            vec![("SAFIR_TLS_CA_FILE", "/nonexistent/ministry-ca.pem")],
            "tls_ca_file",
        ),
    ] {
        for command in ["serve", "worker"] {
            let out = run(&["--data-dir", d, command], &env);
            assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
            assert!(stderr(&out).contains(key), "{}", stderr(&out));
            assert!(
                !data.path().join("safir.db").exists(),
                "{command} opened the database"
            );
        }
    }
}

/// A variable that is not Unicode: another program's is ignored (it panicked every command),
/// Safir's own is named.
#[test]
fn a_variable_that_is_not_unicode_is_named_or_ignored() {
    use std::os::unix::ffi::OsStrExt;
    use std::process::{Command, Stdio};

    let bytes = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let run_with = |name: &str| {
        let mut cmd = Command::new(crate::support::bin());
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("SAFIR_") {
                cmd.env_remove(k);
            }
        }
        cmd.args(["config", "show"])
            .env(name, bytes)
            .stdin(Stdio::null())
            .output()
            .expect("run safir")
    };
    let out = run_with("LEGACY_SETTING");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run_with("SAFIR_PUBLIC_URL");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("SAFIR_PUBLIC_URL") && err.contains("UTF-8"),
        "{err}"
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["worker", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["admin", "--help"],
        vec!["admin", "create-user", "--help"],
        vec!["admin", "reset-password", "--help"],
        vec!["admin", "grant", "--help"],
        vec!["admin", "revoke", "--help"],
        vec!["admin", "verify-audit", "--help"],
        vec!["admin", "rescan-documents", "--help"],
        vec!["admin", "rotate-evisa-key", "--help"],
        vec!["config", "print-default", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["text", "--help"],
        vec!["listen", "--help"],
    ] {
        let out = run(&args, &[]);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("Usage"), "{args:?}");
    }
    // A command on files alone lists its own options apart from the settings of the commands
    // that serve or use the database, which it does not read.
    let out = stdout(&run(&["text", "lang", "--help"], &[]));
    let (own, settings) = out.split_once("Settings (").expect("a settings heading");
    assert!(own.contains("--lossy") && !own.contains("--bind"), "{out}");
    assert!(
        settings.contains("--bind") && settings.contains("--database-url"),
        "{out}"
    );
}

async fn count(db_path: &std::path::Path, sql: &'static str) -> i64 {
    let db = Db::connect(&format!("sqlite://{}", db_path.display()))
        .await
        .unwrap();
    let n: i64 = with_pool!(db.read(), p => sqlx::query_scalar(sql).fetch_one(p).await).unwrap();
    db.close().await;
    n
}

/// `safir demo` pointed at an instance in use (its data directory, or its database URL) seeds
/// nothing: its crisis alert would reach the people registered there. Before, it added its
/// administrator, cases and alert beside the instance's own.
#[tokio::test]
async fn the_demo_does_not_seed_a_database_in_use() {
    let data = TempDir::new("safir-demo-refused");
    let d = data.path().to_str().unwrap();
    let out = run(
        &[
            "--data-dir",
            d,
            "admin",
            "create-user",
            "--email",
            "root@ministry.example",
            "--name",
            "Root",
            "--role",
            "admin",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let refused = run(&["--data-dir", d, "demo", "--seed-only"], &[]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("already holds accounts or missions"),
        "{}",
        stderr(&refused)
    );
    let db_file = data.path().join("safir.db");
    assert_eq!(count(&db_file, "SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(
        count(&db_file, "SELECT COUNT(*) FROM crisis_alerts").await,
        0
    );
}

#[tokio::test]
async fn demo_seeding_runs_once_and_backup_restore_round_trips() {
    let data = TempDir::new("safir-demo");
    let d = data.path().to_str().unwrap();
    let first = run(&["--data-dir", d, "demo", "--seed-only"], &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let printed = stdout(&first);
    assert!(
        printed.contains("admin@demo.safir.example") && printed.contains("password:"),
        "{printed}"
    );

    let second = run(&["--data-dir", d, "demo", "--seed-only"], &[]);
    assert!(second.status.success());
    assert!(
        !stdout(&second).contains("password:"),
        "nothing is created or printed twice"
    );
    let db_file = data.path().join("safir.db");
    // A first run cut short after its parts (the marker never set to done) is run again
    // without a second crisis, alert or set of uploads.
    let (crises, documents, alerts) = (
        count(&db_file, "SELECT COUNT(*) FROM crises").await,
        count(&db_file, "SELECT COUNT(*) FROM documents").await,
        count(&db_file, "SELECT COUNT(*) FROM crisis_alerts").await,
    );
    assert_eq!(crises, 1);
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    with_pool!(db.write(), p => sqlx::query("UPDATE settings SET value = 'pending' WHERE key = 'demo_seeded_v1'").execute(p).await.map(drop))
        .unwrap();
    db.close().await;
    let again = run(&["--data-dir", d, "demo", "--seed-only"], &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(count(&db_file, "SELECT COUNT(*) FROM crises").await, crises);
    assert_eq!(
        count(&db_file, "SELECT COUNT(*) FROM documents").await,
        documents
    );
    assert_eq!(
        count(&db_file, "SELECT COUNT(*) FROM crisis_alerts").await,
        alerts
    );
    assert_eq!(count(&db_file, "SELECT COUNT(*) FROM missions").await, 4);
    // Each mission has a telephone, which a citizen asking for emergency help is given.
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM missions WHERE phone IS NULL"
        )
        .await,
        0
    );
    // The ten demo accounts, and one placeholder applicant for each of the two demo
    // travellers (registered without an account) whose "need help" opened an emergency case.
    assert_eq!(count(&db_file, "SELECT COUNT(*) FROM users").await, 12);
    assert_eq!(
        count(&db_file, "SELECT COUNT(*) FROM crisis_deliveries").await,
        28
    );
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM crisis_checkins WHERE status = 'need_help' AND case_id IS NOT NULL"
        )
        .await,
        2
    );
    // The duty officer acknowledged one of those calls for help and wrote to the person.
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM crisis_checkins k JOIN cases c ON c.id = k.case_id \
             WHERE c.state = 'in_review' AND EXISTS (SELECT 1 FROM case_messages m \
             WHERE m.case_id = c.id AND m.from_staff AND NOT m.internal)"
        )
        .await,
        1
    );
    // The waiting demo emergency escalates like a real one, and the officers' moves in the
    // demo's histories are the demo officers'.
    assert!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM cases WHERE kind = 'emergency' AND state = 'submitted'"
        )
        .await
            >= 1
    );
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM cases c WHERE kind = 'emergency' AND state = 'submitted' \
             AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'consular.emergency_escalation' \
             AND j.payload LIKE '%' || c.id || '%')"
        )
        .await,
        0,
        "every waiting emergency has its escalation"
    );
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM case_events WHERE actor_id IS NULL"
        )
        .await,
        0
    );
    // The demo citizen's two appointments (Paris and Dubai) are on different days.
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(DISTINCT date(a.starts_at)) FROM appointments a \
             JOIN users u ON u.id = a.user_id WHERE u.email = 'citizen@demo.safir.example'"
        )
        .await,
        2
    );
    // The Paris one is to collect the passport that is ready.
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM appointments a JOIN cases c ON c.id = a.case_id \
             WHERE c.state = 'ready_for_collection' AND c.applicant_id = a.user_id"
        )
        .await,
        1
    );
    // Each demo applicant applies in their own name: the forms and the accounts agree.
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM cases c JOIN users u ON u.id = c.applicant_id \
             WHERE c.applicant_name <> u.display_name"
        )
        .await,
        0,
        "a demo application is in another name than its applicant's"
    );
    // The foreign visitor reads English; the citizen, Arabic.
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM users WHERE (email = 'visitor@demo.safir.example' \
             AND preferred_lang = 'en') OR (email = 'citizen@demo.safir.example' \
             AND preferred_lang = 'ar')"
        )
        .await,
        2
    );
    // The histories of the demo's applications are spread over past days, so waiting times
    // and processing times show something and a case is past its due date.
    assert!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM cases WHERE kind <> 'emergency' \
             AND state IN ('submitted', 'in_review', 'needs_info', 'approved') \
             AND julianday(due_at) < julianday('now')"
        )
        .await
            >= 1,
        "no demo case is past its due date"
    );
    assert!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM case_events WHERE julianday(at) < julianday('now') - 7"
        )
        .await
            >= 5,
        "the demo's histories all happened just now"
    );
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id \
             WHERE julianday(e.at) > julianday('now') \
             OR julianday(e.at) < julianday(c.created_at) \
             OR EXISTS (SELECT 1 FROM case_events s WHERE s.case_id = e.case_id \
                        AND s.action = 'submit' AND julianday(e.at) < julianday(s.at))"
        )
        .await,
        0,
        "a move of the demo's histories is in the future, or before its case or its submission"
    );

    let out = admin(d, &["verify-audit"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let backups = TempDir::new("safir-backup");
    let snap = backups.path().join("snap");
    let out = run(&["--data-dir", d, "backup", snap.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let restored = TempDir::new("safir-restored");
    let r = restored.path().to_str().unwrap();
    let out = run(&["--data-dir", r, "restore", snap.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let restored_db = restored.path().join("safir.db");
    assert_eq!(count(&restored_db, "SELECT COUNT(*) FROM users").await, 12);
    let out = run(&["--data-dir", r, "restore", snap.to_str().unwrap()], &[]);
    assert!(
        !out.status.success(),
        "refuses to overwrite without --force"
    );

    // Tampering with the restored copy is caught by the chain check.
    let db = Db::connect(&format!("sqlite://{}", restored_db.display()))
        .await
        .unwrap();
    with_pool!(db.write(), p => sqlx::query("UPDATE audit_log SET actor_label = 'someone' WHERE seq = 2").execute(p).await.map(|_| ()))
        .unwrap();
    db.close().await;
    let out = run(&["--data-dir", r, "admin", "verify-audit"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("broken at record 2"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn backup_and_restore_use_the_configured_database_and_replace_the_uploads() {
    // A backup of a data directory with no database fails: it would have saved an empty
    // one, as if it were the data.
    let nothing = TempDir::new("safir-nothing");
    let n = nothing.path().to_str().unwrap();
    let snaps = TempDir::new("safir-snaps");
    let out = run(
        &[
            "--data-dir",
            n,
            "backup",
            snaps.path().join("a").to_str().unwrap(),
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no database at"), "{}", stderr(&out));
    assert!(!nothing.path().join("safir.db").exists(), "nothing created");

    // A database named apart from the data directory is the one backed up and restored.
    let live = TempDir::new("safir-live");
    let d = live.path().to_str().unwrap();
    let other = live.path().join("elsewhere.db");
    let url = format!("sqlite://{}", other.display());
    // Every command on the live data: its directory, and the database named apart from it.
    let on_live = |args: &[&str]| {
        let mut all = vec!["--data-dir", d, "--database-url", url.as_str()];
        all.extend_from_slice(args);
        run(&all, &[])
    };
    let out = on_live(&["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = on_live(&[
        "admin",
        "create-user",
        "--email",
        "root@ministry.example",
        "--name",
        "Root",
        "--role",
        "admin",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::create_dir_all(live.path().join("uploads/ab")).unwrap();
    std::fs::write(live.path().join("uploads/ab/kept"), b"before").unwrap();
    let snap = snaps.path().join("b");
    let out = on_live(&["backup", snap.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(snap.join("uploads/ab/kept").is_file());

    // Since the backup: another account, and a file no restored row names.
    let out = on_live(&[
        "admin",
        "create-user",
        "--email",
        "later@ministry.example",
        "--name",
        "Later",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(live.path().join("uploads/ab/stray"), b"after").unwrap();
    assert_eq!(count(&other, "SELECT COUNT(*) FROM users").await, 2);
    let out = on_live(&["restore", "--force", snap.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&other, "SELECT COUNT(*) FROM users").await, 1);
    assert!(
        !live.path().join("safir.db").exists(),
        "not written beside it"
    );
    assert!(live.path().join("uploads/ab/kept").is_file());
    assert!(
        !live.path().join("uploads/ab/stray").exists(),
        "uploads replaced"
    );

    assert!(
        !live.path().join("uploads.replaced").exists()
            && !live.path().join("uploads.restoring").exists()
            && !live.path().join("elsewhere.db.restoring").exists(),
        "nothing left beside the live data"
    );

    // A backup whose uploads cannot all be copied fails, and what it left is not restorable:
    // restoring it would have replaced the live documents with a part of them.
    std::os::unix::fs::symlink(
        live.path().join("no-such-file"),
        live.path().join("uploads/ab/dangling"),
    )
    .unwrap();
    let cut = snaps.path().join("cut");
    let out = on_live(&["backup", cut.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("incomplete"), "{}", stderr(&out));
    let out = on_live(&["restore", "--force", cut.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("did not finish"), "{}", stderr(&out));
    assert!(
        live.path().join("uploads/ab/kept").is_file(),
        "live uploads kept"
    );
    assert_eq!(count(&other, "SELECT COUNT(*) FROM users").await, 1);
    std::fs::remove_file(live.path().join("uploads/ab/dangling")).unwrap();

    // A snapshot from an earlier release (one migration fewer) is restored, and brought up
    // to date at the next start.
    let older = snaps.path().join("older");
    std::fs::create_dir_all(&older).unwrap();
    std::fs::copy(snap.join("safir.db"), older.join("safir.db")).unwrap();
    let db = Db::connect(&format!("sqlite://{}", older.join("safir.db").display()))
        .await
        .unwrap();
    with_pool!(db.write(), p => sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)").execute(p).await.map(|_| ()))
        .unwrap();
    db.close().await;
    let out = on_live(&["restore", "--force", older.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("migrations to apply: 1"),
        "{}",
        stdout(&out)
    );
}

/// `safir --data-dir <d> admin <args…>`.
fn admin(d: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--data-dir", d, "admin"];
    all.extend_from_slice(args);
    run(&all, &[])
}

#[test]
fn admin_commands_create_grant_revoke_and_protect_the_last_admin() {
    let data = TempDir::new("safir-admin");
    let d = data.path().to_str().unwrap();
    // A mistyped data directory: no command but the first account makes a database there.
    let typo = data.path().join("typo");
    let t = typo.to_str().unwrap();
    for args in [
        vec!["--data-dir", t, "admin", "verify-audit"],
        vec![
            "--data-dir",
            t,
            "admin",
            "reset-password",
            "--email",
            "a@b.example",
        ],
        vec!["--data-dir", t, "listen", "monitor", "run"],
        vec!["--data-dir", t, "listen", "dataset", "list"],
    ] {
        let out = run(&args, &[]);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains("no database at"), "{}", stderr(&out));
        assert!(!typo.join("safir.db").exists(), "{args:?} made a database");
    }
    // Nor does a first account whose arguments are refused; a mission without a role is one.
    for (args, named) in [
        (
            vec!["create-user", "--email", "bad", "--name", "X"],
            "--email",
        ),
        (
            vec![
                "create-user",
                "--email",
                "x@ministry.example",
                "--name",
                "X",
                "--mission",
                "PAR",
            ],
            "--mission",
        ),
    ] {
        let out = admin(t, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(named), "{}", stderr(&out));
        assert!(!typo.join("safir.db").exists(), "{args:?} made a database");
    }
    let out = admin(
        d,
        &[
            "create-user",
            "--email",
            "first@ministry.example",
            "--name",
            "First",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("created it"), "{}", stderr(&out));
    let out = admin(
        d,
        &[
            "create-user",
            "--email",
            "root@ministry.example",
            "--name",
            "Root",
            "--role",
            "admin",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("one-time password:"));
    let out = admin(
        d,
        &[
            "create-user",
            "--email",
            "root@ministry.example",
            "--name",
            "Again",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already exists"));
    let out = admin(
        d,
        &["create-user", "--email", "not-an-email", "--name", "X"],
    );
    assert!(stderr(&out).contains("--email"), "{}", stderr(&out));
    let out = admin(
        d,
        &[
            "revoke",
            "--email",
            "root@ministry.example",
            "--role",
            "admin",
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("last enabled ministry-wide admin"));
    let out = admin(
        d,
        &[
            "grant",
            "--email",
            "root@ministry.example",
            "--role",
            "analyst",
            "--mission",
            "NOPE",
        ],
    );
    assert!(stderr(&out).contains("no mission with code NOPE"));
    let out = admin(d, &["reset-password", "--email", "root@ministry.example"]);
    assert!(stdout(&out).contains("new one-time password"));
    let out = admin(d, &["verify-audit"]);
    assert!(
        stdout(&out).contains("intact: 4 records"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test]
async fn the_command_line_counts_enabled_admins_and_files_a_mission_grant_under_it() {
    let data = TempDir::new("safir-admins");
    let d = data.path().to_str().unwrap();
    let create = |email: &str, role: &str| {
        admin(
            d,
            &[
                "create-user",
                "--email",
                email,
                "--name",
                "A",
                "--role",
                role,
            ],
        )
    };
    assert!(create("root@ministry.example", "admin").status.success());
    assert!(create("gone@ministry.example", "admin").status.success());
    // The second administrator's account is disabled: it does not count.
    let db = Db::connect(&format!(
        "sqlite://{}",
        data.path().join("safir.db").display()
    ))
    .await
    .unwrap();
    with_pool!(db.write(), p => sqlx::query("UPDATE users SET disabled_at = created_at WHERE email = 'gone@ministry.example'").execute(p).await.map(|_| ()))
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let paris = safir_store::missions::create(
        &mut tx,
        &safir_store::missions::MissionInput {
            code: safir_domain::mission::MissionCode::parse("PAR").unwrap(),
            kind: safir_domain::mission::MissionKind::Embassy,
            name_ar: "باريس".into(),
            name_en: "Paris".into(),
            country: safir_domain::CountryCode::parse("FR").unwrap(),
            city_ar: "باريس".into(),
            city_en: "Paris".into(),
            languages: vec![safir_domain::Lang::En],
            time_zone: safir_domain::mission::TimeZoneName::parse("Europe/Paris").unwrap(),
            email: None,
            phone: None,
            address: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let revoke = admin(
        d,
        &[
            "revoke",
            "--email",
            "root@ministry.example",
            "--role",
            "admin",
        ],
    );
    assert!(!revoke.status.success(), "{}", stdout(&revoke));
    assert!(stderr(&revoke).contains("last enabled ministry-wide admin"));
    let grant = admin(
        d,
        &[
            "grant",
            "--email",
            "root@ministry.example",
            "--role",
            "analyst",
            "--mission",
            "PAR",
        ],
    );
    assert!(grant.status.success(), "{}", stderr(&grant));
    let filed: Option<String> = with_pool!(db.read(), p => sqlx::query_scalar("SELECT mission_id FROM audit_log WHERE action = 'role.grant' AND summary LIKE '%analyst%'").fetch_one(p).await)
        .unwrap();
    assert_eq!(filed.as_deref(), Some(paris.as_str()));
    let grants: i64 = with_pool!(db.read(), p => sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE role = 'admin'").fetch_one(p).await)
        .unwrap();
    assert_eq!(grants, 2, "the refused revoke changed nothing");
    db.close().await;
}

/// `safir text train-sentiment --lang en` with rated sentences: the model it writes loads
/// and answers; the same files give the same file; a bad line names the file and the
/// record; rated sentences are refused for the Arabic model.
#[test]
fn train_sentiment_takes_rated_sentences_for_english() {
    let dir = TempDir::new("safir-train-en");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let mut phones = String::new();
    let mut films = String::new();
    let mut rated = String::new();
    for i in 0..30 {
        phones.push_str(&format!(
            "the phone {i} works great\t1\nthe phone {i} is awful\t0\n"
        ));
        films.push_str(&format!(
            "the film {i} was lovely\t1\nthe film {i} was boring\t0\n"
        ));
        rated.push_str(&format!(
            "{i}_1\t2.4\tthe soup {i} was yummy\n{i}_2\t-2.1\tthe soup {i} was gross\n\
             {i}_3\t0.1\tthe soup {i} was served\n"
        ));
    }
    let (phones, films, rated) = (
        write("phones.txt", &phones),
        write("films.txt", &films),
        write("rated.txt", &rated),
    );
    // `safir text train-sentiment` with these arguments.
    let train_with = |args: &[&str]| {
        let mut all = vec!["text", "train-sentiment"];
        all.extend_from_slice(args);
        run(&all, &[])
    };
    let train = |out: &str| {
        let out = dir.path().join(out);
        let out_arg = out.to_string_lossy().into_owned();
        let o = train_with(&[
            "--lang", "en", "--data", &phones, "--data", &films, "--rated", &rated, "--out",
            &out_arg,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        // 120 UCI-style sentences and the 60 rated ones far enough from neutral.
        assert!(
            stderr(&o).contains("trained on 180 examples"),
            "{}",
            stderr(&o)
        );
        std::fs::read(out).unwrap()
    };
    let bytes = train("en.bin");
    assert!(
        bytes == train("again.bin"),
        "the same data gave another file"
    );
    let model = safir_text::sentiment::Model::from_bytes(&bytes).expect("the file loads");
    assert!(model.uses_valence());
    assert_eq!(
        model.classify("the soup was yummy").label,
        safir_text::sentiment::Label::Pos
    );

    let bad = write("bad.txt", "1\t2.0\tfine\n2\tvery\tgood\n");
    let o = train_with(&[
        "--lang",
        "en",
        "--data",
        &phones,
        "--rated",
        &bad,
        "--out",
        "/dev/null",
    ]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("bad.txt") && err.contains("line 2"), "{err}");

    let o = train_with(&["--data", &phones, "--rated", &rated, "--out", "/dev/null"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--lang en"), "{}", stderr(&o));
}

/// The text commands as shell tools use them: a bad byte named by its line and place in
/// it, `-` for standard input, answers as the lines come, and a quiet end when the reader
/// stops early (`| head`).
#[test]
fn text_commands_compose_with_shell_tools() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    let dir = TempDir::new("text-cli");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, b"ok\nok\nab\xffcd\n").unwrap();
    let out = run(&["text", "normalize", &bad.to_string_lossy()], &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains(":3: invalid UTF-8 at byte 2 of the line (byte offset 8 of the input"),
        "{}",
        stderr(&out)
    );
    // A line ends at `\n` or `\r\n` and keeps that end: a carriage return before it (or on
    // a last line without one) is text, kept as normalization keeps one inside a line.
    let returns = dir.path().join("returns.txt");
    std::fs::write(&returns, b"a\r\r\nb\rc\r\nd\r").unwrap();
    let out = run(&["text", "normalize", &returns.to_string_lossy()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, b"a\r\r\nb\rc\r\nd\r");

    let mut child = Command::new(crate::support::bin())
        .args(["text", "lang", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("السفارة مغلقة يوم الجمعة\nThe embassy is closed on Friday\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        stdout(&out)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["ar", "en"]
    );

    // Each answer goes out as soon as its line is in, while the writer keeps the pipe open
    // (`tail -f posts | safir text sentiment`).
    let mut child = Command::new(crate::support::bin())
        .args(["text", "lang"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let answers = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in answers.lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // A wait far beyond any run; it ends the test instead of hanging it.
    let wait = std::time::Duration::from_secs(120);
    // The first write ends inside the next line: the answer to the whole one goes all the same.
    for (post, lang) in [
        ("السفارة مغلقة يوم الجمعة\nThe emb", "ar"),
        ("assy is closed on Friday\n", "en"),
    ] {
        input.write_all(post.as_bytes()).unwrap();
        input.flush().unwrap();
        let answer = rx
            .recv_timeout(wait)
            .expect("an answer while the input is open");
        assert!(answer.starts_with(&format!("{lang}\t")), "{answer}");
    }
    drop(input);
    assert!(child.wait().unwrap().success());

    let many = dir.path().join("many.txt");
    std::fs::write(&many, "كلمة\n".repeat(500_000)).unwrap();
    let mut child = Command::new(crate::support::bin())
        .args(["text", "normalize", &many.to_string_lossy()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "كلمه\n");
    // The reader is gone: the next writes fail with a broken pipe.
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// `repair` and `normalize` keep the line structure: each line keeps its own end (`\r\n`,
/// `\n`, or none on a last line without one), empty input gives empty output, and the
/// commands that answer about a line still print one `\n`-ended line for each.
#[test]
fn repair_and_normalize_keep_the_line_structure() {
    let dir = TempDir::new("text-lines");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    };
    let text = |args: &[&str]| {
        let mut all = vec!["text"];
        all.extend_from_slice(args);
        let out = run(&all, &[]);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out.stdout
    };

    let crlf = write("crlf.txt", "كـــتاب جميل\r\nالسفارة\n\r\nنهاية".as_bytes());
    assert_eq!(
        text(&["repair", &crlf]),
        "كتاب جميل\r\nالسفارة\n\r\nنهاية".as_bytes()
    );
    assert_eq!(
        text(&["normalize", &crlf]),
        "كتاب جميل\r\nالسفاره\n\r\nنهايه".as_bytes()
    );
    let unended = write("unended.txt", "السفارة".as_bytes());
    assert_eq!(text(&["normalize", &unended]), "السفاره".as_bytes());
    assert_eq!(text(&["repair", &unended]), "السفارة".as_bytes());
    // A last line without an end, followed by another file: the two stay two lines.
    let next = write("next.txt", "مرحبا\r\n".as_bytes());
    assert_eq!(
        text(&["normalize", &unended, &next]),
        "السفاره\nمرحبا\r\n".as_bytes()
    );

    // Empty input, a file or standard input, gives no output at all.
    let empty = write("empty.txt", b"");
    for cmd in ["repair", "normalize", "analyze", "lang", "sentiment"] {
        assert_eq!(text(&[cmd, &empty]), b"", "{cmd}");
        assert_eq!(text(&[cmd]), b"", "{cmd}");
    }

    // The answers about a line end with `\n`, whatever the line ended with.
    let lang = String::from_utf8(text(&["lang", &crlf])).unwrap();
    assert!(!lang.contains('\r'), "{lang:?}");
    assert_eq!(lang.matches('\n').count(), 4, "{lang:?}");
    assert!(lang.ends_with('\n'), "{lang:?}");
}

/// A file of training data with a bad byte names the file, the line and the byte's place.
#[test]
fn train_sentiment_names_the_place_of_invalid_utf8() {
    let dir = TempDir::new("train-utf8");
    let data = dir.path().join("bad.txt");
    std::fs::write(&data, b"fine\t1\nawful\t0\ngo\xffod\t1\n").unwrap();
    let data = data.to_string_lossy().into_owned();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, "a good phone\t1\na bad phone\t0\n").unwrap();
    let good = good.to_string_lossy().into_owned();
    for (flag, lang) in [("--data", "ar"), ("--data", "en"), ("--rated", "en")] {
        let mut args = vec![
            "text",
            "train-sentiment",
            "--lang",
            lang,
            "--out",
            "/dev/null",
        ];
        if flag == "--rated" {
            args.extend(["--data", &good]);
        }
        args.extend([flag, &data]);
        let out = run(&args, &[]);
        assert!(!out.status.success(), "{flag} {lang}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "{data}:3: invalid UTF-8 at byte 2 of the line (byte offset 17 of the input)"
            )),
            "{flag} {lang}: {err}"
        );
    }
}

/// The listening commands that print to standard output end quietly, as the text commands
/// do, when the reader stops reading (`safir listen networks … | head`).
#[test]
fn listen_commands_end_quietly_when_the_reader_stops() {
    use std::process::{Command, Stdio};

    let dir = TempDir::new("listen-pipe");
    let archive = dir.path().join("archive.csv");
    let mut csv =
        "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n".to_owned();
    // Two hundred accounts repost the same ten posts within seconds: every pair of them is
    // linked, and the network is longer than a pipe holds.
    for post in 0..10 {
        let t = 1_699_920_000 + post * 3600;
        csv.push_str(&format!(
            "p{post},src,source,,,#حملة منشور رقم {post} https://example.org/{post},{t},https://example.org/{post}\n"
        ));
        for user in 0..200 {
            csv.push_str(&format!(
                "r{post}_{user},u{user},user{user},p{post},,RT #حملة منشور رقم {post},{},\n",
                t + 5 + user % 30
            ));
        }
    }
    std::fs::write(&archive, csv).unwrap();
    let archive = archive.to_string_lossy().into_owned();
    let report_dir = dir.path().join("report").to_string_lossy().into_owned();

    for args in [
        vec!["import", &archive],
        vec![
            "networks",
            &archive,
            "--kind",
            "co_retweet",
            "--window",
            "60",
        ],
        vec!["groups", &archive, "--window", "60"],
        vec!["trends", &archive],
        vec!["trends", &archive, "--format", "json"],
        vec!["influence", &archive],
        vec![
            "report",
            &archive,
            "--accounts",
            "src,u1",
            "--out",
            &report_dir,
        ],
    ] {
        // The reader is gone before the command writes: its first write fails with a broken
        // pipe, as every write after `head` stops reading does.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(crate::support::bin())
            .arg("listen")
            .args(&args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
    // The commands that keep datasets and monitors in the database print through the same
    // writer: they used to panic ("failed printing to stdout").
    let data = dir.path().join("data").to_string_lossy().into_owned();
    let migrated = Command::new(crate::support::bin())
        .args(["--data-dir", &data, "migrate"])
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    for args in [
        vec!["listen", "dataset", "list"],
        vec!["listen", "monitor", "list"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(crate::support::bin())
            .arg("--data-dir")
            .arg(&data)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{args:?}: {err}");
        assert!(
            !err.contains("Broken pipe") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }

    // As with `| head`: the first line read, then the reader gone.
    let mut child = Command::new(crate::support::bin())
        .args([
            "listen",
            "networks",
            &archive,
            "--kind",
            "co_retweet",
            "--window",
            "60",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    assert_eq!(first, "user_1,user_2,weight\n");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// From the shell as from the admin pages: an account's first role revokes the API tokens it
/// made with its password alone, and a password reset emails its owner (the mail is written
/// to the data directory's `mail/`, the default transport).
#[tokio::test]
async fn the_shell_revokes_tokens_at_a_first_role_and_tells_of_a_reset() {
    let data = TempDir::new("safir-admin-tokens");
    let d = data.path().to_str().unwrap();
    let out = admin(
        d,
        &[
            "create-user",
            "--email",
            "layla@example.org",
            "--name",
            "Layla",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let db_file = data.path().join("safir.db");
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let email = safir_domain::accounts::Email::parse("layla@example.org").unwrap();
    let user = safir_store::accounts::find_user_by_email(&db, &email)
        .await
        .unwrap()
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let (_, secret) =
        safir_store::accounts::tokens::create_api_token(&mut tx, &user.id, "t", &["read"], None)
            .await
            .unwrap();
    tx.commit().await.unwrap();
    db.close().await;
    let out = admin(
        d,
        &["grant", "--email", "layla@example.org", "--role", "analyst"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("revoked the 1 API token(s)"),
        "{}",
        stdout(&out)
    );
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    assert!(
        safir_store::accounts::tokens::authenticate_api_token(&db, &secret)
            .await
            .unwrap()
            .is_none()
    );
    db.close().await;
    let out = admin(d, &["reset-password", "--email", "layla@example.org"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'email.send' AND payload LIKE '%layla@example.org%'"
        )
        .await,
        1
    );
}

/// `admin rotate-evisa-key` retires the signing key for a new one, each time, and says to
/// restart the servers; the trail records it and stays whole.
#[test]
fn rotating_the_evisa_key_retires_the_old_one() {
    let data = TempDir::new("safir-rotate");
    let d = data.path().to_str().unwrap();
    let out = admin(
        d,
        &[
            "create-user",
            "--email",
            "first@ministry.example",
            "--name",
            "First",
            "--role",
            "admin",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut retired = Vec::new();
    for _ in 0..2 {
        let out = admin(d, &["rotate-evisa-key"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("restart every server process"), "{text}");
        let ids: Vec<&str> = text
            .split_whitespace()
            .filter(|w| w.len() == 8 && w.bytes().all(|b| b.is_ascii_hexdigit()))
            .collect();
        assert_eq!(ids.len(), 2, "{text}");
        assert_ne!(ids[0], ids[1], "{text}");
        if let Some(previous_new) = retired
            .last()
            .map(|(_, new): &(String, String)| new.clone())
        {
            assert_eq!(
                ids[0], previous_new,
                "the key retired is the one made before"
            );
        }
        retired.push((ids[0].to_owned(), ids[1].to_owned()));
    }
    let out = admin(d, &["verify-audit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("intact: 4 records"),
        "{}",
        stdout(&out)
    );
}

/// `admin grant` refuses an account whose owner never confirmed its address: someone who
/// signed up with a colleague's address before her staff account existed would get her role.
/// Accounts `create-user` makes are confirmed, and take roles; a role it grants at a mission
/// is filed under that mission, as `grant` files it.
#[tokio::test]
async fn the_shell_grants_roles_to_confirmed_addresses_and_files_them_under_the_mission() {
    let data = TempDir::new("safir-admin-confirmed");
    let d = data.path().to_str().unwrap();
    let out = admin(
        d,
        &[
            "create-user",
            "--email",
            "root@ministry.example",
            "--name",
            "Root",
            "--role",
            "admin",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let db_file = data.path().join("safir.db");
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let paris = safir_store::missions::create(
        &mut tx,
        &safir_store::missions::MissionInput {
            code: safir_domain::mission::MissionCode::parse("PAR").unwrap(),
            kind: safir_domain::mission::MissionKind::Embassy,
            name_ar: "باريس".into(),
            name_en: "Paris".into(),
            country: safir_domain::CountryCode::parse("FR").unwrap(),
            city_ar: "باريس".into(),
            city_en: "Paris".into(),
            languages: vec![safir_domain::Lang::En],
            time_zone: safir_domain::mission::TimeZoneName::parse("Europe/Paris").unwrap(),
            email: None,
            phone: None,
            address: None,
        },
    )
    .await
    .unwrap();
    let outsider = safir_store::accounts::create_user(
        &mut tx,
        &safir_store::accounts::NewUser {
            email: &safir_domain::accounts::Email::parse("amal.haddad@ministry.example").unwrap(),
            display_name: &safir_domain::accounts::DisplayName::parse("Amal").unwrap(),
            password_hash: "x",
            kind: safir_domain::accounts::AccountKind::Public,
            lang: safir_domain::Lang::En,
            email_verified: false,
            request_key: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    db.close().await;

    let grant = [
        "grant",
        "--email",
        "amal.haddad@ministry.example",
        "--role",
        "consular_officer",
        "--mission",
        "PAR",
    ];
    let out = admin(d, &grant);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("has not confirmed its address")
            && stderr(&out).contains("Send a new confirmation link"),
        "{}",
        stderr(&out)
    );
    let held = "SELECT COUNT(*) FROM role_grants WHERE role = 'consular_officer'";
    assert_eq!(count(&db_file, held).await, 0);

    // Confirmed by its owner, the account takes the role.
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    safir_store::accounts::mark_email_verified(&mut tx, outsider.as_str())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close().await;
    let out = admin(d, &grant);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&db_file, held).await, 1);

    // An account made with a role at a mission: confirmed, and its grant filed there.
    let out = admin(
        d,
        &[
            "create-user",
            "--email",
            "rana@ministry.example",
            "--name",
            "Rana",
            "--role",
            "analyst",
            "--mission",
            "PAR",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        count(
            &db_file,
            "SELECT COUNT(*) FROM users WHERE email = 'rana@ministry.example' AND email_verified_at IS NOT NULL"
        )
        .await,
        1
    );
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let filed: Vec<Option<String>> = with_pool!(db.read(), p => sqlx::query_scalar("SELECT mission_id FROM audit_log WHERE action = 'role.grant' AND summary LIKE '%analyst%'").fetch_all(p).await)
        .unwrap();
    db.close().await;
    assert_eq!(filed, vec![Some(paris.as_str().to_owned())]);
}

/// Documents whose virus scan failed, or uploaded before a scanner was configured, were never
/// scanned again: `admin rescan-documents` scans their files, records each verdict (an
/// infected file marks every document holding it), says what it found and audits it.
#[tokio::test]
async fn the_shell_scans_failed_and_unscanned_documents_again() {
    use std::os::unix::fs::PermissionsExt;

    use safir_domain::consular::documents::{DocumentKind, ScanStatus};
    use safir_store::consular::documents::{self, NewUpload, ScanConfig, Uploads};

    let data = TempDir::new("safir-admin-rescan");
    let d = data.path().to_str().unwrap();
    let out = admin(
        d,
        &[
            "create-user",
            "--email",
            "layla@example.org",
            "--name",
            "Layla",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Without a scanner there is nothing to scan with: said, and nothing changes.
    let out = admin(d, &["rescan-documents"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("uploads_scan_command"),
        "{}",
        stderr(&out)
    );

    let db = Db::connect(&format!(
        "sqlite://{}",
        data.path().join("safir.db").display()
    ))
    .await
    .unwrap();
    let email = safir_domain::accounts::Email::parse("layla@example.org").unwrap();
    let user = safir_store::accounts::find_user_by_email(&db, &email)
        .await
        .unwrap()
        .unwrap();
    let uploads = Uploads::new(data.path().join("uploads"));
    let failing = data.path().join("failing.sh");
    let scanner = data.path().join("scan.sh");
    for (path, script) in [
        (&failing, "#!/bin/sh\nexit 2\n"),
        (
            &scanner,
            "#!/bin/sh\ntest -f \"$1\" || exit 9\ngrep -q EICAR \"$1\" && exit 1\nexit 0\n",
        ),
    ] {
        std::fs::write(path, script).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let store = |name: &str, text: &str, scan: ScanConfig| {
        let upload = NewUpload {
            owner_id: safir_domain::ids::UserId::from_trusted(user.id.clone()),
            mission_id: None,
            case_id: None,
            kind: DocumentKind::Other,
            original_name: name.to_owned(),
            bytes: format!("%PDF-1.7\n% {text}\n%%EOF\n").into_bytes(),
        };
        let (db, uploads) = (db.clone(), uploads.clone());
        async move {
            documents::store_upload(&db, &uploads, upload, &scan)
                .await
                .unwrap()
        }
    };
    let failed = store(
        "failed.pdf",
        "one",
        ScanConfig::from_command(&failing.display().to_string(), ScanConfig::DEFAULT_TIMEOUT),
    )
    .await;
    let unscanned = store("unscanned.pdf", "EICAR", ScanConfig::none()).await;
    assert_eq!(failed.scan_status, ScanStatus::Failed);
    db.close().await;

    let scan_command = scanner.display().to_string();
    let out = run(
        &["--data-dir", d, "admin", "rescan-documents"],
        &[("SAFIR_UPLOADS_SCAN_COMMAND", &scan_command)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("scanned 2 file(s): 1 document(s) clean, 1 infected, 0 still failed"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "infected, no longer served: document {}",
            unscanned.id
        )),
        "{said}"
    );

    let db = Db::connect(&format!(
        "sqlite://{}",
        data.path().join("safir.db").display()
    ))
    .await
    .unwrap();
    let status = |id: String| {
        let db = db.clone();
        async move { documents::find(&db, &id).await.unwrap().scan_status }
    };
    assert_eq!(status(failed.id.to_string()).await, ScanStatus::Clean);
    assert_eq!(status(unscanned.id.to_string()).await, ScanStatus::Infected);
    let summary: String = with_pool!(db.read(), p => sqlx::query_scalar(
        "SELECT summary FROM audit_log WHERE action = 'document.rescan' AND actor_label = 'cli'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["clean"], 1);
    assert_eq!(summary["infected"][0], unscanned.id.to_string());
    db.close().await;

    // Nothing left to scan: nothing scanned, nothing audited again.
    let out = run(
        &["--data-dir", d, "admin", "rescan-documents"],
        &[("SAFIR_UPLOADS_SCAN_COMMAND", &scan_command)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("scanned 0 file(s)"),
        "{}",
        stdout(&out)
    );
}
