//! Configuration as the binary hands it over: plain strings, checked once.

use safir_notify::{MailConfig, NotifyError, PlainMailConfig, SmtpTls, Transport};

fn smtp() -> PlainMailConfig<'static> {
    PlainMailConfig {
        transport: "smtp",
        from: "Safir <no-reply@safir.test>",
        smtp_host: "mail.example.org",
        smtp_port: 587,
        smtp_tls: "starttls",
        smtp_username: "safir",
        smtp_password: "hunter2-very-secret",
        ..PlainMailConfig::default()
    }
}

fn key_of(e: NotifyError) -> &'static str {
    match e {
        NotifyError::Config { key, .. } => key,
        other => panic!("not a config error: {other}"),
    }
}

#[tokio::test]
async fn a_valid_config_is_read_and_its_password_stays_hidden() {
    let c = MailConfig::from_plain(&smtp()).unwrap();
    assert_eq!(c.transport(), Transport::Smtp);
    assert_eq!(c.smtp_tls(), SmtpTls::StartTls);
    assert_eq!(c.smtp_username(), Some("safir"));
    assert_eq!(c.smtp_password().unwrap().expose(), "hunter2-very-secret");
    let debug = format!("{c:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("mail.example.org"));
    let mailer = safir_notify::Mailer::new(&c).unwrap();
    assert!(!format!("{mailer:?}").contains("hunter2"));
}

#[test]
fn outside_a_runtime_the_smtp_mailer_is_an_error_not_a_panic() {
    let c = MailConfig::from_plain(&smtp()).unwrap();
    assert!(matches!(
        safir_notify::Mailer::new(&c),
        Err(NotifyError::NoRuntime)
    ));
}

#[test]
fn each_bad_value_names_its_key() {
    let cases: [(&str, PlainMailConfig<'static>); 7] = [
        (
            "mail_transport",
            PlainMailConfig {
                transport: "pigeon",
                ..smtp()
            },
        ),
        (
            "mail_from",
            PlainMailConfig {
                from: "not an address",
                ..smtp()
            },
        ),
        (
            "smtp_tls",
            PlainMailConfig {
                smtp_tls: "ssl",
                ..smtp()
            },
        ),
        (
            "smtp_host",
            PlainMailConfig {
                smtp_host: " ",
                ..smtp()
            },
        ),
        (
            "smtp_port",
            PlainMailConfig {
                smtp_port: 0,
                ..smtp()
            },
        ),
        (
            "smtp_username",
            PlainMailConfig {
                smtp_password: "",
                ..smtp()
            },
        ),
        (
            "mail_dir",
            PlainMailConfig {
                transport: "file",
                ..smtp()
            },
        ),
    ];
    for (key, plain) in cases {
        let e = MailConfig::from_plain(&plain).unwrap_err();
        let line = e.to_string();
        assert!(line.starts_with(key), "{line}");
        assert_eq!(key_of(e), key);
    }
}

#[test]
fn smtp_settings_do_not_matter_for_the_other_transports() {
    let c = MailConfig::from_plain(&PlainMailConfig {
        transport: "console",
        from: "no-reply@safir.test",
        ..PlainMailConfig::default()
    })
    .unwrap();
    assert_eq!(c.transport(), Transport::Console);
}
