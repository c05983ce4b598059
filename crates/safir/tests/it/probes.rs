//! Odd values through every form of the site (odd files through those with files) and every
//! operation of the API, as the demo's admin, a consular officer and a citizen (and the forms
//! as a visitor), on SQLite and on PostgreSQL: no answer of 500 or above, no panic
//! (`bench/consular/probe_forms.py` and `probe_api.py`, which sign nothing in themselves;
//! `sign_in.py` does, through the real forms).

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
        ];
        if let Some(url) = &database {
            env.push(("SAFIR_DATABASE_URL", url.as_str()));
        }
        let backend = if database.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        let accounts = seed_demo(dir.path(), &env);
        let server = Server::start(&["serve"], &env);
        for email in [
            "admin@demo.safir.example",
            "consul.paris@demo.safir.example",
            "citizen@demo.safir.example",
        ] {
            let cookie = sign_in_demo(&server.base, &accounts, email);
            let cookie = cookie.as_str();
            for (probe, args) in [
                ("probe_api.py", vec![server.base.as_str(), cookie]),
                ("probe_forms.py", vec![server.base.as_str(), cookie, "60"]),
            ] {
                match bench_script(probe, &args) {
                    Ok(out) => {
                        let summary = out.lines().last().unwrap_or("");
                        eprintln!("{backend}, {email}, {probe}: {summary}");
                        // Every one of them reaches a form with files (a citizen's documents,
                        // an officer's, a crisis's PFIF import), which the probe sends odd
                        // files and broken bodies.
                        assert!(
                            probe != "probe_forms.py" || !summary.contains("(0 with files)"),
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
    }
}
