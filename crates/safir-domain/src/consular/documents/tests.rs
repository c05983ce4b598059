use super::*;

/// The start of a JPEG: SOI, an APP0 segment, an APP1 segment, then a baseline frame header.
fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    b.extend([0xFF, 0xE0, 0x00, 0x10]);
    b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    b.extend([0xFF, 0xE1, 0x00, 0x08]);
    b.extend(b"Exif\0\0");
    b.extend([0xFF, 0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend(height.to_be_bytes());
    b.extend(width.to_be_bytes());
    b.extend([0x03; 10]);
    b.extend([0xFF, 0xDA]);
    b
}

fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend(width.to_be_bytes());
    b.extend(height.to_be_bytes());
    b.extend([8, 2, 0, 0, 0]);
    b
}

#[test]
fn types_come_from_the_content() {
    assert_eq!(sniff(&jpeg_header(10, 10)), Some(DetectedType::Jpeg));
    assert_eq!(sniff(&png_header(10, 10)), Some(DetectedType::Png));
    assert_eq!(sniff(b"%PDF-1.7\n..."), Some(DetectedType::Pdf));
    assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(DetectedType::Webp));
    assert_eq!(sniff(b"GIF89a\x01\0"), Some(DetectedType::Gif));
    assert_eq!(
        sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
        Some(DetectedType::Heic)
    );
    assert_eq!(sniff(b"<html><script>"), None);
    assert_eq!(sniff(b"MZ\x90\0"), None);
    assert_eq!(sniff(b""), None);
    assert_eq!(sniff(b"RIFF\x10\0\0\0WAVE"), None);
}

#[test]
fn dimensions_come_from_the_headers() {
    let jpeg = jpeg_header(700, 900);
    assert_eq!(
        image_dimensions(DetectedType::Jpeg, &jpeg),
        Some((700, 900))
    );
    assert_eq!(
        image_dimensions(DetectedType::Png, &png_header(1200, 1200)),
        Some((1200, 1200))
    );
    // Truncated or malformed headers give no answer rather than a panic.
    for cut in 0..jpeg.len() - 2 {
        let _ = image_dimensions(DetectedType::Jpeg, &jpeg[..cut]);
    }
    assert_eq!(
        image_dimensions(DetectedType::Jpeg, &[0xFF, 0xD8, 0xFF, 0xD9]),
        None
    );
    assert_eq!(
        image_dimensions(DetectedType::Png, b"\x89PNG\r\n\x1a\n"),
        None
    );
    // A marker without a length before the frame (TEM, RSTn, a second SOI): decoders differ
    // on what follows it, so no size is read at all.
    for marker in [0x01, 0xD0, 0xD7, 0xD8] {
        let mut odd = vec![0xFF, 0xD8, 0xFF, marker];
        odd.extend_from_slice(&jpeg[2..]);
        assert_eq!(
            image_dimensions(DetectedType::Jpeg, &odd),
            None,
            "{marker:#x}"
        );
    }
}

#[test]
fn a_jpeg_holds_its_end_after_its_first_scan() {
    let mut whole = jpeg_header(700, 900);
    whole.extend([
        0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00,
    ]);
    whole.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
    assert!(!jpeg_is_whole(&whole), "cut short in its data");
    whole.extend([0xFF, 0xD9]);
    assert!(jpeg_is_whole(&whole));
    // Data after the end (a motion photo's video) does not matter.
    whole.extend(b"ftypmp42 video");
    assert!(jpeg_is_whole(&whole));
    // An end marker before any scan is no end.
    let mut early = vec![0xFF, 0xD8, 0xFF, 0xD9];
    early.extend(&jpeg_header(700, 900)[2..]);
    assert!(!jpeg_is_whole(&early));
}

#[test]
fn a_pdf_cut_short_or_bare_is_unreadable() {
    let unreadable = Err(ValidationError::new("document_unreadable"));
    for cut in [
        &b"%PDF-"[..],
        b"%PDF-1.7\n1 0 obj << >> endobj\n",
        b"%PDF-x.y\n%%EOF\n",
    ] {
        assert_eq!(inspect(DocumentKind::Supporting, cut), unreadable);
    }
    // The marker is looked for in the last 1024 bytes, after which readers give up too.
    let mut late = b"%PDF-2.0\n%%EOF\n".to_vec();
    late.resize(late.len() + 1024, b' ');
    assert_eq!(inspect(DocumentKind::Supporting, &late), unreadable);
    late.truncate(late.len() - 10);
    assert!(inspect(DocumentKind::Supporting, &late).is_ok());
}

#[test]
fn kinds_accept_their_types_and_sizes() {
    let pdf = b"%PDF-1.4 minimal\n%%EOF\n".to_vec();
    assert_eq!(
        inspect(DocumentKind::Photo, &pdf),
        Err(ValidationError::new("document_type_not_allowed"))
    );
    assert!(inspect(DocumentKind::Supporting, &pdf).is_ok());
    assert_eq!(
        inspect(DocumentKind::Decision, &png_header(800, 800)),
        Err(ValidationError::new("document_type_not_allowed"))
    );
    assert_eq!(
        inspect(DocumentKind::Other, b"RIFF\x10\0\0\0WEBPVP8 "),
        Err(ValidationError::new("document_type_not_allowed"))
    );
    assert_eq!(
        inspect(DocumentKind::Other, b""),
        Err(ValidationError::new("document_empty"))
    );
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(DocumentKind::Photo.max_bytes() + 1 - 6, b' ');
    big.extend_from_slice(b"%%EOF\n");
    assert!(inspect(DocumentKind::Supporting, &big).is_ok());
    let mut too_big = pdf;
    too_big.resize(DocumentKind::Supporting.max_bytes() + 1, b' ');
    assert_eq!(
        inspect(DocumentKind::Supporting, &too_big),
        Err(ValidationError::new("document_too_large"))
    );
    for kind in DocumentKind::ALL {
        assert_eq!(DocumentKind::parse(kind.as_str()), Ok(kind));
    }
    assert_eq!(
        DocumentKind::parse("passport"),
        Err(ValidationError::new("document_kind_unknown"))
    );
}

#[test]
fn images_are_checked_before_decoding() {
    assert_eq!(
        inspect(DocumentKind::Photo, &jpeg_header(400, 500)),
        Err(ValidationError::new("photo_too_small"))
    );
    assert_eq!(
        inspect(DocumentKind::Photo, &png_header(7000, 9000)),
        Err(ValidationError::new("photo_too_large"))
    );
    assert_eq!(
        inspect(DocumentKind::PassportScan, &png_header(20_000, 20_000)),
        Err(ValidationError::new("document_image_too_large"))
    );
    assert_eq!(
        inspect(DocumentKind::PassportScan, &png_header(0, 10)),
        Err(ValidationError::new("document_unreadable"))
    );
    // A header alone is cut short: its end is missing.
    assert_eq!(
        inspect(DocumentKind::Photo, &jpeg_header(900, 700)),
        Err(ValidationError::new("document_unreadable"))
    );
    let mut whole = jpeg_header(900, 700);
    whole.extend([
        0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x12, 0xFF, 0xD9,
    ]);
    let ok = inspect(DocumentKind::Photo, &whole).unwrap();
    assert_eq!(ok.detected, DetectedType::Jpeg);
    assert_eq!(ok.dimensions, Some((900, 700)));
}

#[test]
fn photos_are_passport_shaped() {
    assert_eq!(check_photo(700, 900), Ok(()));
    assert_eq!(check_photo(1200, 1200), Ok(()));
    assert_eq!(check_photo(1400, 1800), Ok(()));
    assert_eq!(
        check_photo(900, 700),
        Err(ValidationError::new("photo_aspect_invalid"))
    );
    assert_eq!(
        check_photo(600, 1200),
        Err(ValidationError::new("photo_aspect_invalid"))
    );
    assert_eq!(
        check_photo(500, 640),
        Err(ValidationError::new("photo_too_small"))
    );
    assert_eq!(
        check_photo(6001, 6001),
        Err(ValidationError::new("photo_too_large"))
    );
}

#[test]
fn scan_statuses_round_trip() {
    for s in ScanStatus::ALL {
        assert_eq!(ScanStatus::parse(s.as_str()), Ok(s));
    }
    assert!(ScanStatus::parse("maybe").is_err());
}

#[test]
fn file_names_are_only_for_display() {
    assert_eq!(display_file_name("C:\\Users\\me\\جواز.pdf"), "جواز.pdf");
    assert_eq!(display_file_name("../../etc/passwd"), "passwd");
    assert_eq!(display_file_name("a\u{202E}fdp.exe\n"), "afdp.exe");
    assert_eq!(display_file_name(" .. "), "document");
    assert_eq!(display_file_name(&"x".repeat(500)).chars().count(), 120);
}
