//! Which servers the HTTP channels (SMS gateways, webhooks) trust over `https://`: the public
//! web roots (webpki), plus the certificates of an optional PEM file for a ministry's own
//! certificate authority. rustls with the ring provider, the stack SMTP already uses, so the
//! process needs no global crypto provider.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::NotifyError;

/// A TLS client configuration for the HTTP channels. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Trust {
    config: Arc<rustls::ClientConfig>,
}

impl Trust {
    /// The public web roots only.
    pub fn public() -> Result<Self, NotifyError> {
        Self::build(Vec::new())
    }

    /// The public web roots plus every certificate in the PEM file at `path`; `None` is
    /// [`Trust::public`]. `key` names the setting in errors.
    pub fn with_ca_file(path: Option<&Path>, key: &'static str) -> Result<Self, NotifyError> {
        let Some(path) = path else {
            return Self::public();
        };
        let bad = |problem: String| NotifyError::config(key, problem);
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| bad(format!("{}: {e}", path.display())))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("{}: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(bad(format!(
                "{}: no certificate in the file",
                path.display()
            )));
        }
        Self::build(certs)
    }

    fn build(extra: Vec<CertificateDer<'static>>) -> Result<Self, NotifyError> {
        let setup = |e: rustls::Error| NotifyError::config("tls", format!("TLS setup: {e}"));
        Ok(Self {
            config: Arc::new(client_config(extra).map_err(setup)?),
        })
    }

    /// The rustls configuration (for reqwest's preconfigured TLS).
    pub(crate) fn client_config(&self) -> rustls::ClientConfig {
        (*self.config).clone()
    }
}

/// rustls with the ring provider, TLS 1.2 and 1.3, the webpki roots and `extra`.
pub(crate) fn client_config(
    extra: Vec<CertificateDer<'static>>,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra {
        roots.add(cert)?;
    }
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_roots_build() {
        assert!(Trust::public().is_ok());
    }

    #[test]
    fn a_bad_ca_file_names_the_setting_and_the_file() {
        let dir = std::env::temp_dir().join(format!("safir-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let missing = dir.join("missing.pem");
        let e = Trust::with_ca_file(Some(&missing), "crisis.tls_ca_file").expect_err("missing");
        assert!(e.to_string().contains("crisis.tls_ca_file"), "{e}");
        assert!(e.to_string().contains("missing.pem"), "{e}");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        let e = Trust::with_ca_file(Some(&empty), "crisis.tls_ca_file").expect_err("empty");
        assert!(e.to_string().contains("no certificate"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
