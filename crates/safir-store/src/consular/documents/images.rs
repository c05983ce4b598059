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
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    if decoder.dimensions() != header {
        return Err(ValidationError::new("document_unreadable"));
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
                DynamicImage::ImageLuma8(_) => img,
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
}
