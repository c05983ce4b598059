//! The documents filed under a case, as both case pages show them (the applicant's and the
//! officer's), and the upload box that files a new one under the case.

use safir_domain::consular::documents::{DocumentKind, ScanStatus};
use safir_store::consular::documents::{self, Document};

use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::state::AppState;

pub struct CaseDocument {
    pub href: String,
    pub kind: String,
    pub name: String,
    pub scan: String,
    /// The scan found a problem or could not run: officers look before opening.
    pub flagged: bool,
    /// Found infected: served to nobody, so listed without a link.
    pub withheld: bool,
    /// A photo shown on the page, at this width and height in pixels: the officer compares
    /// it with the applicant without opening it (none for a flagged file or a PDF).
    pub preview: Option<(u32, u32)>,
}

/// The width a photo is shown at on a case page.
const PREVIEW_WIDTH: u32 = 120;

pub struct KindChoice {
    pub value: &'static str,
    pub label: String,
}

fn kind_label(lang: Lang, kind: DocumentKind) -> String {
    t(
        lang,
        &format!("documents-kind-{}", kind.as_str().replace('_', "-")),
    )
}

pub async fn list(
    state: &AppState,
    lang: Lang,
    case_id: &str,
) -> Result<Vec<CaseDocument>, AppError> {
    let docs = documents::list_for_case(&state.db, case_id)
        .await
        .map_err(AppError::internal)?;
    Ok(views(lang, &docs))
}

/// The documents as the case pages list them.
pub fn views(lang: Lang, docs: &[Document]) -> Vec<CaseDocument> {
    docs.iter()
        .map(|d| {
            let scan = match d.scan_status {
                ScanStatus::NotScanned => "documents-scan-not-scanned",
                ScanStatus::Clean => "documents-scan-clean",
                ScanStatus::Infected => "documents-scan-infected",
                ScanStatus::Failed => "documents-scan-failed",
            };
            let flagged = matches!(d.scan_status, ScanStatus::Infected | ScanStatus::Failed);
            let preview = match (d.kind, d.width, d.height) {
                (DocumentKind::Photo, Some(w), Some(h))
                    if w > 0 && !flagged && d.media_type.is_raster() =>
                {
                    let height = u64::from(h) * u64::from(PREVIEW_WIDTH) / u64::from(w);
                    Some((PREVIEW_WIDTH, u32::try_from(height).unwrap_or(u32::MAX)))
                }
                _ => None,
            };
            CaseDocument {
                preview,
                href: format!("/documents/{}", d.id),
                kind: kind_label(lang, d.kind),
                name: d.original_name.clone(),
                scan: t(lang, scan),
                flagged,
                withheld: d.scan_status == ScanStatus::Infected,
            }
        })
        .collect()
}

/// What an applicant may file under their case (decisions come from the mission).
pub fn applicant_kinds(lang: Lang) -> Vec<KindChoice> {
    DocumentKind::ALL
        .into_iter()
        .filter(|k| k.filed_by_applicant())
        .map(|k| KindChoice {
            value: k.as_str(),
            label: kind_label(lang, k),
        })
        .collect()
}
