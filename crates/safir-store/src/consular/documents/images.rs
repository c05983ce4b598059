//! Re-encoding uploaded images: decoded under memory limits, turned upright by their EXIF
//! orientation, and encoded again, so EXIF, GPS, XMP and comments are left behind.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use safir_domain::ValidationError;
use safir_domain::consular::documents::{DetectedType, IMAGE_MAX_SIDE};

/// Quality of re-encoded JPEGs: high enough that a passport photo loses no visible detail.
const JPEG_QUALITY: u8 = 92;

/// The most memory one decoded image may take: 40 megapixels of 8-bit RGBA. The pixel limit
/// alone let a small 16-bit RGBA PNG of 40 megapixels decode into 320 MB (and twice that
/// turned upright).
pub const DECODE_BUDGET: u64 = 160_000_000;

pub(super) struct Reencoded {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn unreadable<E>(_: E) -> ValidationError {
    ValidationError::new("document_unreadable")
}

/// Decodes and encodes again in the same format. Blocking and CPU-heavy.
///
/// `header` is the size [`inspect`](safir_domain::consular::documents::inspect) read from
/// the file's header and checked against the document's kind; the decoder must find the same
/// frame before anything is decoded, so that a file read one way by that check and another
/// way by the decoder (a small frame shown to the check, a huge one decoded) is refused
/// instead of filling memory.
pub(super) fn reencode(
    t: DetectedType,
    bytes: &[u8],
    header: (u32, u32),
) -> Result<Reencoded, ValidationError> {
    let format = match t {
        DetectedType::Jpeg => ImageFormat::Jpeg,
        DetectedType::Png => ImageFormat::Png,
        _ => return Err(ValidationError::new("document_type_not_allowed")),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(IMAGE_MAX_SIDE);
    limits.max_image_height = Some(IMAGE_MAX_SIDE);
    limits.max_alloc = Some(DECODE_BUDGET);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    if decoder.dimensions() != header {
        return Err(ValidationError::new("document_unreadable"));
    }
    if decoder.total_bytes() > DECODE_BUDGET {
        return Err(ValidationError::new("document_image_too_much_data"));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    img.apply_orientation(orientation);
    let (width, height) = (img.width(), img.height());
    let mut out = Vec::new();
    match t {
        DetectedType::Jpeg => {
            // JPEG has no alpha and no 16-bit depth: keep grey as grey, the rest as RGB.
            let img = match img {
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => img,
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .encode_image(&img)
                .map_err(unreadable)?;
        }
        _ => img
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(unreadable)?,
    }
    Ok(Reencoded {
        bytes: out,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageEncoder;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&image::RgbImage::new(w, h))
            .unwrap();
        out
    }

    #[test]
    fn the_decoder_must_find_the_frame_the_header_check_read() {
        let bytes = jpeg(40, 30);
        let img = reencode(DetectedType::Jpeg, &bytes, (40, 30)).unwrap();
        assert_eq!((img.width, img.height), (40, 30));
        for other in [(30, 40), (40, 31), (4000, 3000)] {
            let err = reencode(DetectedType::Jpeg, &bytes, other).err().unwrap();
            assert_eq!(err.code, "document_unreadable", "{other:?}");
        }
    }

    /// A PNG whose pixels are within the limit but 16-bit RGBA would take 8 bytes each once
    /// decoded: refused before decoding, whatever its small size as a file.
    #[test]
    fn deep_images_are_refused_before_they_are_decoded() {
        let png16 = |w: u32, h: u32| {
            let mut out = Vec::new();
            PngEncoder::new(&mut out)
                .write_image(
                    &vec![0u8; (w * h * 8) as usize],
                    w,
                    h,
                    image::ExtendedColorType::Rgba16,
                )
                .unwrap();
            out
        };
        // 20 megapixels of 16-bit RGBA: 160 MB, just over the budget, 160 KB as a file.
        let (w, h) = (5000, 4001);
        let big = png16(w, h);
        assert!(big.len() < 1_000_000, "{}", big.len());
        let err = reencode(DetectedType::Png, &big, (w, h)).err().unwrap();
        assert_eq!(err.code, "document_image_too_much_data");
        let small = png16(64, 48);
        let img = reencode(DetectedType::Png, &small, (64, 48)).unwrap();
        assert_eq!((img.width, img.height), (64, 48));
    }
}
