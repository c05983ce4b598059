//! `safir serve`, `safir worker` and `safir migrate`: opening the database, the HTTP server,
//! the job workers, periodic upkeep and graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use safir_store::consular::advice;
use safir_store::consular::documents::{ScanConfig, Uploads};
use safir_store::jobs::{JobRunner, RunnerConfig};
use safir_store::{Backend, Db};
use safir_web::state::{AppState, WebConfig};
use tokio::sync::watch;

use crate::config::Config;

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Apply PostgreSQL migrations before serving (SQLite always migrates).
    #[arg(long)]
    pub migrate: bool,
    /// Do not run job workers in this process.
    #[arg(long)]
    pub no_workers: bool,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Run the jobs that are due, then exit (for cron-style operation and tests).
    #[arg(long)]
    pub drain: bool,
}

/// The SQLite file the configuration names, when it does not exist (opening it creates an
/// empty database); `None` for PostgreSQL or a file that is there.
pub fn missing_sqlite(config: &Config) -> Option<std::path::PathBuf> {
    safir_store::sqlite_file(&config.database_url()).filter(|f| !f.is_file())
}

/// Opens the database and makes sure its schema is current: SQLite migrates at start;
/// PostgreSQL only when asked (`safir migrate`, `--migrate` or `auto_migrate`).
pub async fn open_db(config: &Config, migrate: bool) -> anyhow::Result<Db> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(config.data_dir()).with_context(|| {
            format!(
                "creating the data directory {}",
                config.data_dir().display()
            )
        })?;
    }
    let db = Db::connect(&url).await.context("opening the database")?;
    // Read once before anything else: a database that cannot be read is said so, with the
    // error, not taken for one that is not migrated.
    let migrated = db
        .is_migrated()
        .await
        .context("could not read the database (its applied migrations)")?;
    match db.backend() {
        Backend::Sqlite => db
            .migrate()
            .await
            .context("migrating the SQLite database")?,
        Backend::Postgres if migrate || config.storage.auto_migrate => db
            .migrate()
            .await
            .context("migrating the PostgreSQL database")?,
        Backend::Postgres => {
            if !migrated {
                bail!(
                    "the PostgreSQL database is not migrated: run `safir migrate` (or serve with --migrate)"
                );
            }
        }
    }
    Ok(db)
}

pub fn web_config(config: &Config) -> WebConfig {
    WebConfig {
        public_url: config.public_url(),
        origin_from_host: config.server.public_url.is_empty(),
        behind_tls: config.server.behind_tls,
        trusted_proxy: config.server.trusted_proxy,
        body_limit: config.server.body_limit_kib * 1024,
        upload_body_limit: config.server.upload_body_limit_mib * 1024 * 1024,
        uploads: Uploads::new(config.uploads_dir()),
        scan: ScanConfig::from_command(
            &config.storage.uploads_scan_command,
            Duration::from_secs(u64::from(config.storage.uploads_scan_timeout_seconds)),
        ),
        session_ttl: chrono::Duration::hours(i64::from(config.security.session_ttl_hours)),
        auth_cache_ttl: Duration::from_secs(u64::from(config.security.auth_cache_seconds)),
        login_max_failures: config.security.login_max_failures as i32,
        login_lockout: chrono::Duration::minutes(i64::from(config.security.login_lockout_minutes)),
        login_attempts_per_minute: config.security.login_attempts_per_minute,
        api_writes_per_minute: config.security.api_writes_per_minute,
        api_staff_reads_per_minute: config.security.api_staff_reads_per_minute,
        calendar_organizer: Some(crate::config::mailbox_address(&config.mail.mail_from).to_owned()),
        consular: safir_web::state::ConsularConfig {
            draft_ttl: chrono::Duration::days(i64::from(config.consular.draft_ttl_days)),
            emergency_ack: chrono::Duration::minutes(i64::from(
                config.consular.emergency_ack_minutes,
            )),
            emergency_requests_per_hour: config.consular.emergency_requests_per_hour,
            emergency_requests_open: config.consular.emergency_requests_open,
            closed_retention: chrono::Duration::days(i64::from(
                config.consular.closed_case_retention_days,
            )),
            read_cache_ttl: Duration::from_secs(u64::from(config.consular.read_cache_seconds)),
            // Checked when the configuration was loaded.
            evisa_zone: safir_domain::consular::appointments::parse_zone(
                &config.consular.evisa_time_zone,
            )
            .unwrap_or_else(|_| safir_web::state::ConsularConfig::default().evisa_zone),
            export_max_rows: config.consular.export_max_rows as usize,
            document_quota: safir_store::consular::documents::UploadQuota {
                documents: config.consular.document_quota_count,
                bytes: u64::from(config.consular.document_quota_mib) * 1024 * 1024,
            },
        },
        crisis: safir_web::state::CrisisConfig {
            approval_threshold: config.crisis.approval_threshold,
            registration_retention: chrono::Duration::days(i64::from(
                config.crisis.registration_retention_days,
            )),
            reminder: chrono::Duration::minutes(i64::from(config.crisis.reminder_minutes)),
            sms_inbound_secret: config.crisis.sms_inbound_secret.expose().to_owned(),
            webhook_private_networks: config.crisis.webhook_private_networks,
        },
        ..WebConfig::default()
    }
}

/// The mail settings as the mailer takes them.
fn mail_config(config: &Config) -> anyhow::Result<safir_notify::MailConfig> {
    let mail = &config.mail;
    safir_notify::MailConfig::from_plain(&safir_notify::PlainMailConfig {
        transport: &mail.mail_transport,
        from: &mail.mail_from,
        smtp_host: &mail.smtp_host,
        smtp_port: mail.smtp_port,
        smtp_tls: &mail.smtp_tls,
        smtp_username: &mail.smtp_username,
        smtp_password: mail.smtp_password.expose(),
        file_dir: config.data_dir().join("mail"),
    })
    .context("mail settings")
}

/// The SMS gateway and the trust its and the webhooks' `https://` connections use.
fn sms_gateway(
    config: &Config,
) -> anyhow::Result<(safir_notify::sms::SmsGateway, safir_notify::tls::Trust)> {
    let k = &config.crisis;
    let ca_file = (!k.tls_ca_file.is_empty()).then(|| std::path::PathBuf::from(&k.tls_ca_file));
    let trust = safir_notify::tls::Trust::with_ca_file(ca_file.as_deref(), "tls_ca_file")
        .context("TLS settings of the SMS gateway and webhooks")?;
    let sms = safir_notify::sms::SmsGateway::new(&safir_notify::sms::SmsConfig {
        gateway: k.sms_gateway.clone(),
        url: k.sms_gateway_url.clone(),
        format: k.sms_gateway_format.clone(),
        template: k.sms_gateway_template.clone(),
        from: k.sms_from.clone(),
        username: k.sms_gateway_username.clone(),
        token: k.sms_gateway_token.expose().to_owned(),
        file_dir: config.data_dir().join("sms"),
        trust: Some(trust.clone()),
    })
    .context("SMS gateway settings")?;
    Ok((sms, trust))
}

/// Reads the settings of the mail relay, the SMS gateway and their TLS the way the workers
/// will, before anything is opened or migrated: a setting that cannot work stops start-up
/// instead of failing after the database was migrated and the port bound.
pub fn check_channels(config: &Config) -> anyhow::Result<()> {
    mail_config(config)?;
    sms_gateway(config)?;
    Ok(())
}

/// The job runner with every handler this build knows.
pub fn job_runner(config: &Config, db: &Db) -> anyhow::Result<JobRunner> {
    let runner_config = RunnerConfig {
        concurrency: config.jobs.job_concurrency,
        worker_name: format!("{}-{}", hostname(), std::process::id()),
        ..RunnerConfig::default()
    };
    let mail_config = mail_config(config)?;
    // Alerts go out many at once: one pooled SMTP connection per concurrent send.
    let delivery_mailer = safir_notify::Mailer::new(
        &mail_config
            .clone()
            .with_pool_size(config.crisis.delivery_concurrency),
    )
    .context("preparing the alert mailer")?;
    let email = safir_notify::email_handler(mail_config).context("preparing the mailer")?;
    let (sms_job, deliver_job) = crisis_delivery(config, db, delivery_mailer)?;
    let web = Arc::new(web_config(config));
    // Each subscriber's notice of a level change, sent through the same mail and SMS senders
    // as `email.send` and `sms.send` once its subscription is found still active.
    let advice_notice = safir_web::crisis::subscriptions::NoticeJob::new(
        db.clone(),
        web.clone(),
        email.clone(),
        sms_job.clone(),
    );
    let reminders =
        safir_web::consular::appointments::ReminderJob::new(db.clone(), config.public_url());
    use safir_web::consular::{jobs as consular_jobs, workflow};
    Ok(JobRunner::new(db.clone(), runner_config)
        .register(safir_notify::JOB_KIND, email)
        .register(safir_web::consular::appointments::REMINDER_JOB, reminders)
        .register(
            workflow::ESCALATION_JOB,
            consular_jobs::Escalation {
                db: db.clone(),
                config: web.clone(),
            },
        )
        .register(
            consular_jobs::PURGE_JOB,
            consular_jobs::Purge {
                db: db.clone(),
                config: web.clone(),
            },
        )
        .register(
            safir_web::crisis::checkin::REMINDER_JOB,
            safir_web::crisis::checkin::ReminderJob {
                db: db.clone(),
                config: web.clone(),
            },
        )
        .register(
            safir_web::crisis::alerts::FANOUT_JOB,
            safir_web::crisis::alerts::FanoutJob { db: db.clone() },
        )
        .register(
            safir_web::crisis::registrations::PURGE_JOB,
            safir_web::crisis::registrations::Purge {
                db: db.clone(),
                retention: web.crisis.registration_retention,
            },
        )
        // Tells travel-advice subscribers of the country (email or SMS): one notice each.
        .register(
            advice::LEVEL_CHANGED_JOB,
            safir_web::crisis::subscriptions::AdviceLevelChanged { db: db.clone() },
        )
        .register(safir_web::crisis::subscriptions::NOTICE_JOB, advice_notice)
        .register(safir_notify::sms::SMS_JOB, sms_job)
        .register(safir_web::crisis::delivery::DELIVER_JOB, deliver_job)
        .register(
            crate::listen_monitors::JOB_KIND,
            crate::listen_monitors::MonitorsJob { db: db.clone() },
        ))
}

/// The SMS gateway, the per-channel token buckets (one set per process) and the jobs that
/// use them: `sms.send` and `crisis.deliver`.
fn crisis_delivery(
    config: &Config,
    db: &Db,
    mailer: safir_notify::Mailer,
) -> anyhow::Result<(
    safir_notify::sms::SmsJob,
    safir_web::crisis::delivery::DeliverJob,
)> {
    use safir_notify::ratelimit::TokenBucket;
    let k = &config.crisis;
    let (sms, trust) = sms_gateway(config)?;
    let buckets = safir_web::crisis::delivery::Buckets {
        email: Arc::new(TokenBucket::per_second(k.email_per_second)),
        sms: Arc::new(TokenBucket::per_second(k.sms_per_second)),
        webhook: Arc::new(TokenBucket::per_second(k.webhook_per_second)),
    };
    let sms_job = safir_notify::sms::SmsJob::new(sms.clone(), buckets.sms.clone());
    let deliver = safir_web::crisis::delivery::DeliverJob {
        db: db.clone(),
        mailer: Arc::new(mailer),
        sms,
        webhooks: if k.webhook_private_networks {
            safir_notify::webhook::WebhookSender::reaching_private_networks(&trust)
        } else {
            safir_notify::webhook::WebhookSender::new(&trust)
        }
        .context("webhook sender")?,
        buckets,
        public_url: config.public_url(),
        tuning: safir_web::crisis::delivery::DeliverTuning {
            concurrency: k.delivery_concurrency as usize,
            ..Default::default()
        },
    };
    Ok((sms_job, deliver))
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_owned())
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "safir".to_owned())
}

/// Resolves when SIGINT or SIGTERM arrives, and tells everyone through `tx`.
async fn shutdown_signal(tx: watch::Sender<bool>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing in-flight requests and jobs");
    let _ = tx.send(true);
}

/// Hourly upkeep: expired sessions, old finished jobs and dead letters past their 30 days;
/// and once a day (whichever process
/// comes first), the consular and registration purge jobs.
async fn upkeep(db: Db, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(e) = safir_store::accounts::sessions::purge_expired(&db).await {
            tracing::warn!(error = %e, "purging expired sessions failed");
        }
        if let Err(e) = safir_store::jobs::purge_done(&db, Duration::from_secs(7 * 24 * 3600)).await
        {
            tracing::warn!(error = %e, "purging finished jobs failed");
        }
        if let Err(e) = safir_store::jobs::purge_dead(&db, safir_store::jobs::DEAD_KEPT).await {
            tracing::warn!(error = %e, "purging old dead letters failed");
        }
        if let Err(e) = safir_web::consular::jobs::enqueue_daily_purge(&db).await {
            tracing::warn!(error = %e, "scheduling the consular purge failed");
        }
        if let Err(e) = safir_web::crisis::registrations::enqueue_daily_purge(&db).await {
            tracing::warn!(error = %e, "scheduling the registration purge failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

pub async fn serve(config: &Config, args: ServeArgs) -> anyhow::Result<()> {
    let db = open_db(config, args.migrate).await?;
    serve_db(
        config,
        db,
        !args.no_workers && config.jobs.workers_in_process,
    )
    .await
}

pub async fn serve_db(config: &Config, db: Db, with_workers: bool) -> anyhow::Result<()> {
    let addr = config.bind_addr()?;
    let state = AppState::new(db.clone(), web_config(config))
        .await
        .context("preparing the application")?;
    let (router, routes) = safir_web::app::build(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let (tx, rx) = watch::channel(false);
    let mut background = Vec::new();
    if with_workers {
        let runner = job_runner(config, &db)?;
        background.push(tokio::spawn(runner.run(rx.clone())));
        background.push(tokio::spawn(upkeep(db.clone(), rx.clone())));
        background.push(tokio::spawn(crate::listen_monitors::schedule(
            db.clone(),
            config.listen.monitor_interval_minutes,
            rx.clone(),
        )));
    }
    tracing::info!(%addr, routes = routes.len(), backend = ?db.backend(), workers = with_workers, "Safir is serving at {}", config.public_url());
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal(tx))
    .await
    .context("serving HTTP")?;
    for task in background {
        let _ = task.await;
    }
    db.close().await;
    Ok(())
}

pub async fn worker(config: &Config, args: WorkerArgs) -> anyhow::Result<()> {
    let db = open_db(config, false).await?;
    let runner = job_runner(config, &db)?;
    if args.drain {
        let n = runner.drain().await?;
        tracing::info!(jobs = n, "drained the job queue");
        return Ok(());
    }
    let (tx, rx) = watch::channel(false);
    let upkeep_task = tokio::spawn(upkeep(db.clone(), rx.clone()));
    let monitors_task = tokio::spawn(crate::listen_monitors::schedule(
        db.clone(),
        config.listen.monitor_interval_minutes,
        rx.clone(),
    ));
    let run = tokio::spawn(runner.run(rx));
    tracing::info!("job worker running");
    shutdown_signal(tx).await;
    let _ = run.await;
    let _ = upkeep_task.await;
    let _ = monitors_task.await;
    db.close().await;
    Ok(())
}

pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let db = open_db(config, true).await?;
    println!("database migrated ({:?})", db.backend());
    db.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_checked_against_the_host_only_when_no_public_url_is_set() {
        let mut config = Config::default();
        let web = web_config(&config);
        assert!(web.origin_from_host);
        assert_eq!(web.public_url, "http://127.0.0.1:8080");
        config.server.public_url = "https://consular.example/".to_owned();
        let web = web_config(&config);
        assert!(!web.origin_from_host);
        assert_eq!(web.public_url, "https://consular.example");
    }
}
