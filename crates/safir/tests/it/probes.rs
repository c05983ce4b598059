//! Odd values through every form of the site (odd files through those with files) and every
//! operation of the API, as the demo's admin, a consular officer and a citizen (and the forms
//! as a head of mission and a visitor), on SQLite and on PostgreSQL: no answer of 500 or
//! above, no panic, and nothing in the server's log that says something went wrong, such as an
//! error or a message key shown for want of its translation (`bench/consular/probe_forms.py`
//! and `probe_api.py`, which sign nothing in themselves; `sign_in.py` does, through the real
//! forms).

use safir_store::testing::{TestDb, postgres_url};

use crate::support::{Server, TempDir, bench_script, seed_demo, sign_in_demo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_values_in_every_form_and_api_operation_never_answer_500() {
    let pg = match postgres_url() {
        Some(admin_url) => Some(TestDb::postgres(&admin_url).await),
        None => None,
    };
    let mut databases = vec![None];
    databases.extend(pg.as_ref().map(|t| Some(t.url.clone())));
    for database in databases {
        let dir = TempDir::new("safir-probe");
        let data_dir = dir.path().display().to_string();
        let mut env = vec![
            ("SAFIR_DATA_DIR", data_dir.as_str()),
            ("SAFIR_MAIL_TRANSPORT", "file"),
            // Every sign-in comes from one address.
            ("SAFIR_LOGIN_ATTEMPTS_PER_MINUTE", "1000"),
            // The API probe sends thousands of odd writes and staff reads as one account in a
            // few minutes: the limits would answer most of them before they reach their handler.
            ("SAFIR_API_WRITES_PER_MINUTE", "1000000"),
            ("SAFIR_API_STAFF_READS_PER_MINUTE", "1000000"),
        ];
        if let Some(url) = &database {
            env.push(("SAFIR_DATABASE_URL", url.as_str()));
        }
        let backend = if database.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        env.push(("SAFIR_LOG_FORMAT", "json"));
        let accounts = seed_demo(dir.path(), &env);
        let log = dir.path().join("server.log");
        let server = Server::start_logged(&["serve"], &env, &log);
        // (account, whether its API token is probed too): a head of mission's pages and forms
        // (the service catalogue, the approval of crisis alerts) are theirs alone; their API
        // operations are among the admin's. The press officer and the analyst have no pages of
        // their own on the site, only the dashboard and account pages every account has.
        for (email, api) in [
            ("admin@demo.safir.example", true),
            ("consul.paris@demo.safir.example", true),
            ("citizen@demo.safir.example", true),
            ("ambassador.paris@demo.safir.example", false),
        ] {
            let cookie = sign_in_demo(&server.base, &accounts, email);
            let cookie = cookie.as_str();
            // The forms first: the API probe submits or discards the demo's draft, which the
            // form probe needs as seeded (complete, so that it submits it and then finds its
            // form, sent again, past editing); the API probe makes drafts of its own.
            let mut probes = vec![("probe_forms.py", vec![server.base.as_str(), cookie, "60"])];
            if api {
                probes.push(("probe_api.py", vec![server.base.as_str(), cookie]));
            }
            for (probe, args) in probes {
                match bench_script(probe, &args) {
                    Ok(out) => {
                        let summary = out.lines().last().unwrap_or("");
                        eprintln!("{backend}, {email}, {probe}: {summary}");
                        // Every one of them reaches a form with files (a citizen's documents,
                        // an officer's, a crisis's PFIF import), which the probe sends odd
                        // files and broken bodies.
                        assert!(
                            !api || probe != "probe_forms.py"
                                || !summary.contains("(0 with files)"),
                            "{backend}, {email}: no form with files was reached: {summary}"
                        );
                    }
                    Err(out) => panic!("{backend}, {email}, {probe}:\n{out}"),
                }
            }
        }
        // A visitor: the public pages, and the sign-in, sign-up and password forms.
        match bench_script("probe_forms.py", &[&server.base, "-", "60"]) {
            Ok(out) => eprintln!(
                "{backend}, a visitor, probe_forms.py: {}",
                out.lines().last().unwrap_or("")
            ),
            Err(out) => panic!("{backend}, a visitor, probe_forms.py:\n{out}"),
        }
        drop(server);
        let found = log_problems(&std::fs::read_to_string(&log).unwrap());
        assert!(
            found.is_empty(),
            "{backend}: {} lines of the server's log say something went wrong:\n{}",
            found.len(),
            found
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// The lines of a server's JSON log that no odd value should cause: an error, and a message of
/// the site's catalogs asked for but missing, which shows the visitor its key (a value from
/// outside turned into a key), or one formatted with errors.
fn log_problems(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| {
            let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else {
                // Not the log's JSON: a panic's message, say.
                return !line.trim().is_empty();
            };
            let message = record["fields"]["message"].as_str().unwrap_or("");
            record["level"] == "ERROR" || message.contains("translation")
        })
        .map(|line| line.chars().take(400).collect())
        .collect()
}

#[test]
fn log_problems_are_errors_missing_translations_and_stray_text() {
    let log = [
        r#"{"timestamp":"t","level":"WARN","fields":{"message":"rate limited"},"target":"safir_web"}"#,
        r#"{"timestamp":"t","level":"WARN","fields":{"message":"missing translation","lang":"ar","key":"field-x"},"target":"safir_web::i18n"}"#,
        r#"{"timestamp":"t","level":"ERROR","fields":{"message":"request failed"},"target":"safir_web"}"#,
        "thread 'tokio-runtime-worker' panicked at src/x.rs:1:1:",
        "",
    ]
    .join("\n");
    let found = log_problems(&log);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].contains("missing translation"));
    assert!(found[1].contains("ERROR"));
    assert!(found[2].contains("panicked"));
}
