//! File types from magic bytes, and image dimensions from image headers, written by hand:
//! a few signatures do not need a dependency, and nothing here decodes pixels.

use serde::{Deserialize, Serialize};

/// A file type recognised from the file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectedType {
    Jpeg,
    Png,
    Pdf,
    Webp,
    Gif,
    Heic,
}

impl DetectedType {
    pub const ALL: [DetectedType; 6] = [
        DetectedType::Jpeg,
        DetectedType::Png,
        DetectedType::Pdf,
        DetectedType::Webp,
        DetectedType::Gif,
        DetectedType::Heic,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            DetectedType::Jpeg => "image/jpeg",
            DetectedType::Png => "image/png",
            DetectedType::Pdf => "application/pdf",
            DetectedType::Webp => "image/webp",
            DetectedType::Gif => "image/gif",
            DetectedType::Heic => "image/heic",
        }
    }

    pub fn from_media_type(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.media_type() == s)
    }

    pub fn extension(self) -> &'static str {
        match self {
            DetectedType::Jpeg => "jpg",
            DetectedType::Png => "png",
            DetectedType::Pdf => "pdf",
            DetectedType::Webp => "webp",
            DetectedType::Gif => "gif",
            DetectedType::Heic => "heic",
        }
    }

    /// Raster images whose dimensions [`image_dimensions`] reads and that are re-encoded.
    pub fn is_raster(self) -> bool {
        matches!(self, DetectedType::Jpeg | DetectedType::Png)
    }
}

/// Major brands of the ISO media container that phones use for HEIC/HEIF photos.
const HEIF_BRANDS: [&[u8]; 6] = [b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"];

/// The type of a file from its first bytes; `None` when no known signature matches.
pub fn sniff(bytes: &[u8]) -> Option<DetectedType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(DetectedType::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(DetectedType::Png);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(DetectedType::Pdf);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(DetectedType::Webp);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(DetectedType::Gif);
    }
    if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && HEIF_BRANDS.iter().any(|brand| &bytes[8..12] == *brand)
    {
        return Some(DetectedType::Heic);
    }
    None
}

/// Whether a PDF has the frame every reader needs: a version after `%PDF-` (`1.7`, `2.0`)
/// and the end-of-file marker `%%EOF` within its last 1024 bytes, where readers look for it.
/// A file cut short on its way up, or a bare signature, fails; nothing inside is parsed.
pub fn pdf_is_whole(bytes: &[u8]) -> bool {
    let versioned = bytes
        .get(5..8)
        .is_some_and(|v| v[0].is_ascii_digit() && v[1] == b'.' && v[2].is_ascii_digit());
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    versioned && tail.windows(5).any(|w| w == b"%%EOF")
}

/// Whether a JPEG holds its end: the end-of-image marker (`FF D9`) somewhere after its first
/// scan begins. Compressed data never holds `FF D9` (a data byte `FF` is written `FF 00`),
/// so a file cut short on its way up has none there, where decoders would fill the missing
/// part of the picture with grey and say nothing. Data some phones append after the end
/// (a motion photo's video) does not matter: the marker is still there.
pub fn jpeg_is_whole(b: &[u8]) -> bool {
    // The first scan's header, after the headers before it.
    let Some(scan) = jpeg_find(b, |m| m == 0xDA) else {
        return false;
    };
    b[scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Width and height from a JPEG's frame header or a PNG's `IHDR`, without decoding.
pub fn image_dimensions(t: DetectedType, bytes: &[u8]) -> Option<(u32, u32)> {
    match t {
        DetectedType::Png => {
            // The signature, then IHDR must come first: length, "IHDR", width, height.
            if bytes.get(12..16)? != b"IHDR" {
                return None;
            }
            Some((be32(bytes, 16)?, be32(bytes, 20)?))
        }
        DetectedType::Jpeg => jpeg_dimensions(bytes),
        _ => None,
    }
}

fn jpeg_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    // Start of frame (every coding process), except DHT, JPG and DAC.
    let is_frame = |m: u8| matches!(m, 0xC0..=0xCF) && !matches!(m, 0xC4 | 0xC8 | 0xCC);
    let at = jpeg_find(b, is_frame)?;
    let height = be16(b, at + 3)?;
    let width = be16(b, at + 5)?;
    Some((width, height))
}

/// Walks a JPEG's headers from its SOI to the first marker `wanted` takes: where its
/// segment begins (its length). Markers without a length (TEM, RSTn, SOI) have no
/// place among the headers, and a decoder may read a length after them where this walk does
/// not: the two would then see different frames, so none is found; nor past the end of the
/// image or the start of a scan.
fn jpeg_find(b: &[u8], wanted: impl Fn(u8) -> bool) -> Option<usize> {
    let mut at = 2; // after SOI
    loop {
        if *b.get(at)? != 0xFF {
            return None;
        }
        // Markers may be padded with extra 0xFF fill bytes.
        while *b.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *b.get(at)?;
        at += 1;
        if wanted(marker) {
            return Some(at);
        }
        if matches!(marker, 0x01 | 0xD0..=0xDA) {
            return None;
        }
        let len = be16(b, at)? as usize;
        if len < 2 {
            return None;
        }
        at += len;
    }
}
