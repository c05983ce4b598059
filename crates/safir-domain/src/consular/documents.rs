//! Consular documents: the kinds people upload, what each kind accepts (file types, size,
//! pixel dimensions), and the photo rules. The file's type comes from its first bytes
//! ([`sniff`]), never from its name or the client's `Content-Type`.

mod sniff;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

pub use sniff::{DetectedType, image_dimensions, jpeg_is_whole, pdf_is_whole, sniff};

const MIB: usize = 1024 * 1024;

/// What a document is for; decides the types and sizes it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A passport or visa photo: JPEG or PNG only, checked against [`check_photo`].
    Photo,
    PassportScan,
    Supporting,
    Invitation,
    /// A decision issued by the mission: PDF only.
    Decision,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::Photo,
        DocumentKind::PassportScan,
        DocumentKind::Supporting,
        DocumentKind::Invitation,
        DocumentKind::Decision,
        DocumentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Photo => "photo",
            DocumentKind::PassportScan => "passport_scan",
            DocumentKind::Supporting => "supporting",
            DocumentKind::Invitation => "invitation",
            DocumentKind::Decision => "decision",
            DocumentKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ValidationError::new("required"));
        }
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(ValidationError::new("document_kind_unknown"))
    }

    /// A kind an applicant may file: every kind but decisions, which only the mission issues.
    pub fn parse_for_applicant(s: &str) -> Result<Self, ValidationError> {
        match Self::parse(s)? {
            k if k.filed_by_applicant() => Ok(k),
            _ => Err(ValidationError::new("document_kind_unknown")),
        }
    }

    /// Whether an applicant may file this kind (see [`Self::parse_for_applicant`]).
    pub fn filed_by_applicant(self) -> bool {
        self != DocumentKind::Decision
    }

    /// Largest file accepted, in bytes. A photo needs far less than a multi-page scan.
    pub fn max_bytes(self) -> usize {
        match self {
            DocumentKind::Photo => 5 * MIB,
            _ => 10 * MIB,
        }
    }

    /// Types this kind accepts. WebP, GIF and HEIC are recognised but refused everywhere:
    /// images are re-encoded to strip their metadata, and only JPEG and PNG are re-encoded.
    pub fn accepts(self, t: DetectedType) -> bool {
        use DetectedType::*;
        match self {
            DocumentKind::Photo => matches!(t, Jpeg | Png),
            DocumentKind::Decision => t == Pdf,
            _ => matches!(t, Jpeg | Png | Pdf),
        }
    }
}

/// Photo rules, after norms for passport photos: ICAO Doc 9303 (and ISO/IEC 19794-5) ask
/// for a 35 × 45 mm portrait; the US Department of State's digital photo is square and at
/// least 600 × 600 pixels. Both shapes are accepted, within 5 %, so the officer can crop to
/// the book's format; 600 pixels on the short side keep the face sharp enough to check, and
/// 6000 on the long side accepts a camera's original while refusing absurd images.
pub const PHOTO_MIN_SIDE: u32 = 600;
pub const PHOTO_MAX_SIDE: u32 = 6000;
const PHOTO_SHAPES: [(u32, u32); 2] = [(35, 45), (1, 1)];
const PHOTO_ASPECT_TOLERANCE: f64 = 0.05;

/// Other images (scans) may be large, but not large enough to exhaust memory when decoded:
/// an A4 page at 600 dpi is 4961 × 7016 (35 megapixels).
pub const IMAGE_MAX_SIDE: u32 = 10_000;
pub const IMAGE_MAX_PIXELS: u64 = 40_000_000;

/// What [`inspect`] found in an acceptable file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspected {
    pub detected: DetectedType,
    /// Pixel dimensions from the image header (before any EXIF rotation), for images.
    pub dimensions: Option<(u32, u32)>,
}

/// Checks an upload against its kind before anything is decoded: size, sniffed type, and
/// for images the header's dimensions (so an oversized image is refused before decoding).
pub fn inspect(kind: DocumentKind, bytes: &[u8]) -> Result<Inspected, ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::new("document_empty"));
    }
    if bytes.len() > kind.max_bytes() {
        return Err(ValidationError::new("document_too_large"));
    }
    let detected = sniff(bytes).ok_or(ValidationError::new("document_type_not_allowed"))?;
    if !kind.accepts(detected) {
        return Err(ValidationError::new("document_type_not_allowed"));
    }
    if detected == DetectedType::Pdf && !pdf_is_whole(bytes) {
        return Err(ValidationError::new("document_unreadable"));
    }
    if !detected.is_raster() {
        return Ok(Inspected {
            detected,
            dimensions: None,
        });
    }
    let (w, h) = image_dimensions(detected, bytes)
        .filter(|(w, h)| *w > 0 && *h > 0)
        .ok_or(ValidationError::new("document_unreadable"))?;
    if kind == DocumentKind::Photo {
        // Rotation may still swap the sides, so only orientation-free checks here.
        if w.min(h) < PHOTO_MIN_SIDE {
            return Err(ValidationError::new("photo_too_small"));
        }
        if w.max(h) > PHOTO_MAX_SIDE {
            return Err(ValidationError::new("photo_too_large"));
        }
    } else if w.max(h) > IMAGE_MAX_SIDE || u64::from(w) * u64::from(h) > IMAGE_MAX_PIXELS {
        return Err(ValidationError::new("document_image_too_large"));
    }
    if detected == DetectedType::Jpeg && !jpeg_is_whole(bytes) {
        return Err(ValidationError::new("document_unreadable"));
    }
    Ok(Inspected {
        detected,
        dimensions: Some((w, h)),
    })
}

/// Checks a photo's dimensions as displayed (after EXIF rotation).
pub fn check_photo(width: u32, height: u32) -> Result<(), ValidationError> {
    if width < PHOTO_MIN_SIDE || height < PHOTO_MIN_SIDE {
        return Err(ValidationError::new("photo_too_small"));
    }
    if width > PHOTO_MAX_SIDE || height > PHOTO_MAX_SIDE {
        return Err(ValidationError::new("photo_too_large"));
    }
    let ratio = f64::from(width) / f64::from(height);
    let fits = PHOTO_SHAPES.iter().any(|(w, h)| {
        let want = f64::from(*w) / f64::from(*h);
        (ratio - want).abs() <= want * PHOTO_ASPECT_TOLERANCE
    });
    if fits {
        Ok(())
    } else {
        Err(ValidationError::new("photo_aspect_invalid"))
    }
}

/// The client's file name made safe to keep for display: no directories, no control
/// characters, at most 120 characters; `document` when nothing is left. Never used to
/// decide the type or to build a path.
pub fn display_file_name(original: &str) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .take(120)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '.') {
        "document".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Whether a virus scanner has looked at a stored document, and what it said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanStatus {
    /// No scanner is configured.
    NotScanned,
    Clean,
    /// Found infected. An upload found infected is refused and not recorded; the documents
    /// stored before with the same bytes, and those a later re-scan finds infected (`safir
    /// admin rescan-documents`), are marked so and no longer served.
    Infected,
    /// The scanner could not give an answer (crashed, timed out, unknown exit code).
    Failed,
}

impl ScanStatus {
    pub const ALL: [ScanStatus; 4] = [
        ScanStatus::NotScanned,
        ScanStatus::Clean,
        ScanStatus::Infected,
        ScanStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::NotScanned => "not_scanned",
            ScanStatus::Clean => "clean",
            ScanStatus::Infected => "infected",
            ScanStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(ValidationError::new("scan_status_unknown"))
    }
}

#[cfg(test)]
mod tests;
