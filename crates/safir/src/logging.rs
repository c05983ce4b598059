//! Structured logs on stderr: human-readable text by default, JSON lines when configured.

use tracing_subscriber::EnvFilter;

use crate::config::Config;

/// Checks a tracing filter (`info`, `safir_web=debug,info`) as the logger would read it, and
/// also refuses a directive that is a lone word but no level: the filter takes `warning` for
/// a module of that name logged at every level, and everything else, errors included, is
/// then silent.
pub fn check_filter(filter: &str) -> Result<(), String> {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    for directive in filter.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        if !directive.contains('=') && !LEVELS.iter().any(|l| l.eq_ignore_ascii_case(directive)) {
            return Err(format!(
                "`{directive}` is not a level (off, error, warn, info, debug, trace); a module's level is written `module=level`"
            ));
        }
    }
    EnvFilter::try_new(filter)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub fn init(config: &Config) {
    let from_env = std::env::var("SAFIR_LOG").ok();
    let filter = match from_env.as_deref().map(|f| (f, check_filter(f))) {
        Some((f, Ok(()))) => EnvFilter::new(f),
        Some((_, Err(e))) => {
            eprintln!("safir: SAFIR_LOG ignored, log_level used instead: {e}");
            EnvFilter::try_new(&config.log.log_level).unwrap_or_else(|_| EnvFilter::new("info"))
        }
        None => {
            EnvFilter::try_new(&config.log.log_level).unwrap_or_else(|_| EnvFilter::new("info"))
        }
    };
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let result = if config.log.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if let Err(e) = result {
        eprintln!("safir: logging already initialised: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::check_filter;

    #[test]
    fn filters_are_read_as_the_logger_reads_them() {
        for good in [
            "info",
            "WARN",
            "safir_web=debug,info",
            "safir=trace",
            "off",
            "",
        ] {
            assert_eq!(check_filter(good), Ok(()), "{good}");
        }
        for bad in ["warning", "info,verbose", "safir=loud"] {
            assert!(check_filter(bad).is_err(), "{bad}");
        }
        assert!(check_filter("warning").unwrap_err().contains("`warning`"));
    }
}
