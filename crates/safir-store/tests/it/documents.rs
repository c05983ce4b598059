//! Consular documents: what an upload keeps (re-encoded bytes, sniffed type), what it
//! refuses and why, content stored once, the virus-scan hook's three answers, and purges.

use std::path::{Path, PathBuf};
use std::time::Duration;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, RgbImage};
use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_domain::consular::documents::{DetectedType, DocumentKind, ScanStatus};
use safir_domain::ids::{MissionId, UserId};
use safir_store::consular::documents::{self, NewUpload, ScanConfig, UploadError, Uploads};
use safir_store::testing::TestDb;
use safir_store::{Db, accounts, missions, with_pool};

/// A directory removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().as_simple()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const SECRET: &[u8] = b"GPS 48.8584N 2.2945E taken by Layla";

fn pixels(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
    })
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&pixels(w, h))
        .unwrap();
    out
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(pixels(w, h).as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A JPEG with an EXIF APP1 segment right after SOI: orientation (when given) and a
/// trailing text the way cameras leave GPS positions and owner names.
fn jpeg_with_exif(w: u32, h: u32, orientation: Option<u16>) -> Vec<u8> {
    let plain = jpeg(w, h);
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    match orientation {
        Some(o) => {
            tiff.extend([0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1]);
            tiff.extend(o.to_be_bytes());
            tiff.extend([0, 0, 0, 0, 0, 0]);
        }
        None => tiff.extend([0, 0, 0, 0, 0, 0]),
    }
    tiff.extend(SECRET);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every stored file under the upload area (temporary files included, so leftovers show).
fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

async fn user(db: &Db, email: &str) -> UserId {
    let mut tx = db.begin().await.unwrap();
    let id = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &Email::parse(email).unwrap(),
            display_name: &DisplayName::parse("Layla").unwrap(),
            password_hash: "x",
            kind: AccountKind::Public,
            lang: Lang::Ar,
            email_verified: true,
            request_key: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn mission(db: &Db) -> MissionId {
    let mut tx = db.begin().await.unwrap();
    let id = missions::create(&mut tx, &crate::missions::paris())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn upload(owner: &UserId, kind: DocumentKind, name: &str, bytes: Vec<u8>) -> NewUpload {
    NewUpload {
        owner_id: owner.clone(),
        mission_id: None,
        case_id: None,
        kind,
        original_name: name.to_owned(),
        bytes,
    }
}

fn refused(result: Result<documents::Document, UploadError>) -> &'static str {
    match result {
        Err(e) => e.user_error().map(|v| v.code).unwrap_or("internal"),
        Ok(d) => panic!("accepted: {d:?}"),
    }
}

/// A scanner script that checks it was given the stored file, then exits with `code`.
fn scanner(dir: &Path, code: i32) -> ScanConfig {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(format!("scan-{code}.sh"));
    std::fs::write(
        &path,
        format!("#!/bin/sh\ntest -f \"$1\" || exit 9\nexit {code}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    ScanConfig::from_command(&path.display().to_string(), ScanConfig::DEFAULT_TIMEOUT)
}

#[tokio::test]
async fn photos_lose_their_metadata_and_are_turned_upright() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "photo@example.org").await;
        let original = jpeg_with_exif(700, 900, None);
        assert!(contains(&original, b"Exif") && contains(&original, SECRET));
        let doc = documents::store_upload(
            &t.db,
            &uploads,
            upload(&owner, DocumentKind::Photo, "me.jpg", original),
            &ScanConfig::none(),
        )
        .await
        .unwrap();
        let stored = documents::read_bytes(&uploads, &doc).await.unwrap();
        assert_eq!(&stored[..3], &[0xFF, 0xD8, 0xFF]);
        assert!(!contains(&stored, b"Exif"), "EXIF segment kept");
        assert!(!contains(&stored, SECRET), "metadata text kept");
        assert_eq!((doc.width, doc.height), (Some(700), Some(900)));
        assert_eq!(doc.media_type, DetectedType::Jpeg);
        assert_eq!(doc.scan_status, ScanStatus::NotScanned);
        assert_eq!(doc.size_bytes, stored.len() as i64);

        // A phone's landscape sensor image marked "rotate 90°" is a portrait photo.
        let turned = jpeg_with_exif(900, 700, Some(6));
        let doc = documents::store_upload(
            &t.db,
            &uploads,
            upload(&owner, DocumentKind::Photo, "phone.jpg", turned),
            &ScanConfig::none(),
        )
        .await
        .unwrap();
        assert_eq!((doc.width, doc.height), (Some(700), Some(900)));
        assert_eq!(documents::find(&t.db, doc.id.as_str()).await.unwrap(), doc);
    }
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_not_the_name() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "names@example.org").await;
        let none = ScanConfig::none();
        let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".to_vec();
        let doc = documents::store_upload(
            &t.db,
            &uploads,
            upload(&owner, DocumentKind::Supporting, "photo.jpg", pdf.clone()),
            &none,
        )
        .await
        .unwrap();
        assert_eq!(doc.media_type, DetectedType::Pdf);
        assert_eq!(doc.original_name, "photo.jpg");
        assert_eq!(
            documents::read_bytes(&uploads, &doc).await.unwrap(),
            pdf,
            "PDFs are kept as they are"
        );

        let doc = documents::store_upload(
            &t.db,
            &uploads,
            upload(
                &owner,
                DocumentKind::PassportScan,
                "C:\\scans\\scan.pdf",
                png(800, 600),
            ),
            &none,
        )
        .await
        .unwrap();
        assert_eq!(doc.media_type, DetectedType::Png);
        assert_eq!(doc.original_name, "scan.pdf");

        let html = b"<html><script>alert(1)</script>".to_vec();
        assert_eq!(
            refused(
                documents::store_upload(
                    &t.db,
                    &uploads,
                    upload(&owner, DocumentKind::Supporting, "letter.pdf", html),
                    &none
                )
                .await
            ),
            "document_type_not_allowed"
        );
        assert_eq!(
            refused(
                documents::store_upload(
                    &t.db,
                    &uploads,
                    upload(&owner, DocumentKind::Photo, "me.pdf", b"%PDF-1.4".to_vec()),
                    &none
                )
                .await
            ),
            "document_type_not_allowed"
        );
        // Bytes that claim to be a JPEG but do not decode.
        let mut broken = jpeg(700, 900);
        broken.truncate(400);
        assert_eq!(
            refused(
                documents::store_upload(
                    &t.db,
                    &uploads,
                    upload(&owner, DocumentKind::Photo, "me.jpg", broken),
                    &none
                )
                .await
            ),
            "document_unreadable"
        );
        assert_eq!(
            documents::list_for_owner(&t.db, owner.as_str())
                .await
                .unwrap()
                .len(),
            2
        );
    }
}

#[tokio::test]
async fn sizes_and_dimensions_are_refused_by_name() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "sizes@example.org").await;
        let none = ScanConfig::none();
        let cases = [
            (DocumentKind::Photo, jpeg(400, 520), "photo_too_small"),
            (DocumentKind::Photo, png(900, 700), "photo_aspect_invalid"),
            (DocumentKind::Photo, Vec::new(), "document_empty"),
            // Cut short in its picture data: decoders would fill the rest with grey.
            (
                DocumentKind::Photo,
                {
                    let whole = jpeg(700, 900);
                    whole[..whole.len() * 4 / 5].to_vec()
                },
                "document_unreadable",
            ),
            (
                DocumentKind::Supporting,
                {
                    let mut big = b"%PDF-1.7\n".to_vec();
                    big.resize(DocumentKind::Supporting.max_bytes() + 1, b' ');
                    big
                },
                "document_too_large",
            ),
        ];
        for (kind, bytes, code) in cases {
            let got = refused(
                documents::store_upload(&t.db, &uploads, upload(&owner, kind, "f", bytes), &none)
                    .await,
            );
            assert_eq!(got, code);
        }
        assert!(
            documents::list_for_owner(&t.db, owner.as_str())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            files(&area.0).is_empty(),
            "refused uploads left files: {:?}",
            files(&area.0)
        );
    }
}

/// A JPEG whose header check and decoder would read different frames: a marker without a
/// length (TEM) that the decoder reads a length after, a frame header of 700 × 900 (a valid
/// photo) that the decoder skips with that length, then the headers of `hidden`.
fn jpeg_with_two_readings(hidden: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0x01];
    // SOF0: length 17, 8 bits, height 900, width 700, three components.
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x03, 0x84, 0x02, 0xBC, 0x03]);
    out.extend_from_slice(&[0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    // The decoder takes FF C0 as the TEM's length (65,472) and skips that far, then looks
    // for the next marker: the hidden image's, after its SOI.
    out.resize(0xFFC0 + 8, 0);
    out.extend_from_slice(&hidden[2..]);
    out
}

#[tokio::test]
async fn an_image_read_two_ways_is_refused_before_it_is_decoded() {
    let hidden = jpeg(1000, 1000);
    let bytes = jpeg_with_two_readings(&hidden);
    // The decoder does find the hidden frame: without the checks, this upload was taken as
    // a 700 × 900 photo and decoded as the other image.
    let decoder =
        image::ImageReader::with_format(std::io::Cursor::new(&bytes), image::ImageFormat::Jpeg)
            .into_decoder()
            .unwrap();
    assert_eq!(image::ImageDecoder::dimensions(&decoder), (1000, 1000));
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "frames@example.org").await;
        let got = refused(
            documents::store_upload(
                &t.db,
                &uploads,
                upload(&owner, DocumentKind::Photo, "photo.jpg", bytes.clone()),
                &ScanConfig::none(),
            )
            .await,
        );
        assert_eq!(got, "document_unreadable");
        assert!(files(&area.0).is_empty(), "{:?}", files(&area.0));
    }
}

#[tokio::test]
async fn the_same_content_is_stored_once_and_purged_when_unused() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let uploads = Uploads::new(&area.0);
        let a = user(&t.db, "a@example.org").await;
        let b = user(&t.db, "b@example.org").await;
        let paris = mission(&t.db).await;
        let none = ScanConfig::none();
        let photo = jpeg_with_exif(700, 900, None);
        let first = documents::store_upload(
            &t.db,
            &uploads,
            upload(&a, DocumentKind::Photo, "a.jpg", photo.clone()),
            &none,
        )
        .await
        .unwrap();
        let second = documents::store_upload(
            &t.db,
            &uploads,
            upload(&b, DocumentKind::Photo, "b.jpg", photo),
            &none,
        )
        .await
        .unwrap();
        assert_ne!(first.id, second.id);
        assert_eq!(first.sha256, second.sha256);
        let stored = files(&area.0);
        assert_eq!(stored.len(), 1, "{stored:?}");
        let expected = area
            .0
            .join("sha256")
            .join(&first.sha256[..2])
            .join(&first.sha256[2..4])
            .join(&first.sha256);
        assert_eq!(
            std::fs::canonicalize(&stored[0]).unwrap(),
            std::fs::canonicalize(expected).unwrap()
        );

        let mut tx = t.db.begin().await.unwrap();
        documents::attach_to_case(&mut tx, first.id.as_str(), "case-1", &paris)
            .await
            .unwrap();
        documents::attach_to_case(&mut tx, second.id.as_str(), "case-2", &paris)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let listed = documents::list_for_case(&t.db, "case-1").await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].mission_id.as_ref(), Some(&paris));

        assert_eq!(
            documents::purge_for_case(&t.db, &uploads, "case-1")
                .await
                .unwrap(),
            1
        );
        assert_eq!(files(&area.0).len(), 1, "still used by case-2");
        assert!(documents::find(&t.db, first.id.as_str()).await.is_err());
        assert_eq!(
            documents::read_bytes(&uploads, &second)
                .await
                .unwrap()
                .len() as i64,
            second.size_bytes
        );

        let mut tx = t.db.begin().await.unwrap();
        documents::mark_deleted(&mut tx, second.id.as_str())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            documents::list_for_case(&t.db, "case-2")
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(files(&area.0).len(), 1, "marked deleted, not yet purged");
        assert_eq!(
            documents::purge_for_case(&t.db, &uploads, "case-2")
                .await
                .unwrap(),
            1
        );
        assert!(files(&area.0).is_empty());
    }
}

/// An upload for a draft that went while it was checked and scanned (discarded in another
/// tab, expired) is given back to its owner alone, like the draft's other documents, instead of
/// naming a case nobody can reach it by.
#[tokio::test]
async fn an_upload_whose_draft_went_meanwhile_is_the_owners_alone() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads-gone");
        let uploads = Uploads::new(&area.0);
        let a = user(&t.db, "a@example.org").await;
        let paris = mission(&t.db).await;
        let doc = documents::store_upload(
            &t.db,
            &uploads,
            NewUpload {
                mission_id: Some(paris),
                case_id: Some("discarded-draft".to_owned()),
                ..upload(
                    &a,
                    DocumentKind::Photo,
                    "p.jpg",
                    jpeg_with_exif(700, 900, None),
                )
            },
            &ScanConfig::none(),
        )
        .await
        .unwrap();
        assert_eq!((doc.case_id, doc.mission_id), (None, None));
        let stored = documents::find(&t.db, doc.id.as_str()).await.unwrap();
        assert_eq!((stored.case_id, stored.mission_id), (None, None));
    }
}

/// A file whose record went while its removal did not happen (a crash between the two, a
/// storage error) is removed by the sweep once a day old, as are temporary files of writes
/// that never finished; a file a document names (again), or a new one, stays.
#[tokio::test]
async fn files_no_document_names_are_swept_once_old() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads-sweep");
        let uploads = Uploads::new(&area.0);
        let a = user(&t.db, "a@example.org").await;
        let none = ScanConfig::none();
        let store = |w: u32| {
            documents::store_upload(
                &t.db,
                &uploads,
                upload(
                    &a,
                    DocumentKind::Photo,
                    "p.jpg",
                    jpeg_with_exif(w, 900, None),
                ),
                &none,
            )
        };
        let kept = store(700).await.unwrap();
        let orphan = store(701).await.unwrap();
        let young = store(702).await.unwrap();
        let again = store(703).await.unwrap();
        for d in [&orphan, &young, &again] {
            safir_store::with_pool!(t.db.write(), p => {
                sqlx::query("DELETE FROM documents WHERE id = $1")
                    .bind(d.id.as_str())
                    .execute(p)
                    .await
                    .map(|r| r.rows_affected())
            })
            .unwrap();
        }
        let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
        let path = |sha: &str| uploads.path_for(sha).unwrap();
        let dir = path(&kept.sha256).parent().unwrap().to_path_buf();
        let unfinished = dir.join(format!(".{}.x.tmp", kept.sha256));
        std::fs::write(&unfinished, b"half").unwrap();
        for p in [
            path(&kept.sha256),
            path(&orphan.sha256),
            path(&again.sha256),
            unfinished.clone(),
        ] {
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(two_days_ago)
                .unwrap();
        }
        // The same bytes uploaded again: named again.
        let back = store(703).await.unwrap();
        assert_eq!(back.sha256, again.sha256);
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(
            documents::sweep_unreferenced(&t.db, &uploads, day)
                .await
                .unwrap(),
            2
        );
        assert!(path(&kept.sha256).is_file(), "a document names it");
        assert!(!path(&orphan.sha256).exists(), "no document names it");
        assert!(path(&young.sha256).is_file(), "too young");
        assert!(path(&again.sha256).is_file(), "named again");
        assert!(!unfinished.exists());
    }
}

/// An upload the scanner finds infected is refused as infected even when its file cannot be
/// removed then (here the database goes away while the scanner runs, so nobody can tell
/// whether another document holds the same bytes): it used to end as an internal error, as if
/// the upload had failed for another reason. The file stays for the sweep of files no
/// document names.
#[tokio::test]
async fn an_infected_upload_is_refused_as_such_when_its_file_cannot_be_removed() {
    use std::os::unix::fs::PermissionsExt;
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let tools = TempDir::new("safir-scanners");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "outage@example.org").await;
        // A scanner that says when it has started, waits to be let go, then finds a virus.
        let (started, go) = (tools.0.join("started"), tools.0.join("go"));
        let script = tools.0.join("scan-slow.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\ntest -f \"$1\" || exit 9\ntouch '{}'\n\
                 while [ ! -f '{}' ]; do sleep 0.02; done\nexit 1\n",
                started.display(),
                go.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let scan = ScanConfig::from_command(&script.display().to_string(), Duration::from_secs(30));

        let stored = documents::store_upload(
            &t.db,
            &uploads,
            upload(
                &owner,
                DocumentKind::Other,
                "a.pdf",
                b"%PDF-1.7\n% outage\n%%EOF\n".to_vec(),
            ),
            &scan,
        );
        let outage = async {
            while !started.exists() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            t.db.close().await;
            std::fs::write(&go, b"").unwrap();
        };
        let (result, ()) = tokio::join!(stored, outage);
        assert!(
            matches!(result, Err(UploadError::Infected)),
            "{:?}: {result:?}",
            t.backend()
        );
        assert_eq!(files(&area.0).len(), 1, "left for the sweep");
    }
}

#[tokio::test]
async fn the_scanner_decides_clean_infected_or_failed() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let tools = TempDir::new("safir-scanners");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "scan@example.org").await;
        let pdf = |n: u8| format!("%PDF-1.7\n% {n}\n%%EOF\n").into_bytes();

        let clean = documents::store_upload(
            &t.db,
            &uploads,
            upload(&owner, DocumentKind::Other, "a.pdf", pdf(1)),
            &scanner(&tools.0, 0),
        )
        .await
        .unwrap();
        assert_eq!(clean.scan_status, ScanStatus::Clean);
        assert!(clean.scanned_at.is_some());

        assert!(matches!(
            documents::store_upload(
                &t.db,
                &uploads,
                upload(&owner, DocumentKind::Other, "b.pdf", pdf(2)),
                &scanner(&tools.0, 1)
            )
            .await,
            Err(UploadError::Infected)
        ));
        assert_eq!(files(&area.0).len(), 1, "the infected file is removed");

        // The same bytes as a stored document: refused, but the other document keeps them.
        assert!(matches!(
            documents::store_upload(
                &t.db,
                &uploads,
                upload(&owner, DocumentKind::Other, "c.pdf", pdf(1)),
                &scanner(&tools.0, 1)
            )
            .await,
            Err(UploadError::Infected)
        ));
        assert_eq!(
            documents::read_bytes(&uploads, &clean).await.unwrap(),
            pdf(1)
        );

        let failed = documents::store_upload(
            &t.db,
            &uploads,
            upload(&owner, DocumentKind::Other, "d.pdf", pdf(3)),
            &scanner(&tools.0, 2),
        )
        .await
        .unwrap();
        assert_eq!(failed.scan_status, ScanStatus::Failed);
        let missing =
            ScanConfig::from_command("/nonexistent/scanner --flag", ScanConfig::DEFAULT_TIMEOUT);
        let failed = documents::store_upload(
            &t.db,
            &uploads,
            upload(&owner, DocumentKind::Other, "e.pdf", pdf(4)),
            &missing,
        )
        .await
        .unwrap();
        assert_eq!(failed.scan_status, ScanStatus::Failed);

        let statuses: Vec<ScanStatus> = documents::list_for_owner(&t.db, owner.as_str())
            .await
            .unwrap()
            .iter()
            .map(|d| d.scan_status)
            .collect();
        // The document scanned clean before holds the bytes found infected since.
        assert_eq!(
            statuses,
            [ScanStatus::Failed, ScanStatus::Failed, ScanStatus::Infected]
        );
    }
}

/// A scanner script that finds a virus in a file holding `EICAR`, and none in another.
fn signature_scanner(dir: &Path) -> ScanConfig {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("scan-signatures.sh");
    std::fs::write(
        &path,
        "#!/bin/sh
test -f \"$1\" || exit 9
grep -q EICAR \"$1\" && exit 1
exit 0
",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    ScanConfig::from_command(&path.display().to_string(), ScanConfig::DEFAULT_TIMEOUT)
}

/// Another account's upload of the same bytes found infected: the copies stored before
/// (unscanned, or scanned clean with older signatures) used to stay as they were and be
/// served; they are marked infected, keep their file, and are no longer taken for clean.
#[tokio::test]
async fn an_infected_upload_marks_the_stored_copies_of_its_file() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let tools = TempDir::new("safir-scanners");
        let uploads = Uploads::new(&area.0);
        let (a, b, c) = (
            user(&t.db, "a@example.org").await,
            user(&t.db, "b@example.org").await,
            user(&t.db, "c@example.org").await,
        );
        let x = b"%PDF-1.7\n% EICAR\n%%EOF\n".to_vec();
        let unscanned = documents::store_upload(
            &t.db,
            &uploads,
            upload(&a, DocumentKind::Other, "x.pdf", x.clone()),
            &ScanConfig::none(),
        )
        .await
        .unwrap();
        let clean = documents::store_upload(
            &t.db,
            &uploads,
            upload(&c, DocumentKind::Supporting, "x.pdf", x.clone()),
            &scanner(&tools.0, 0),
        )
        .await
        .unwrap();
        assert_eq!(unscanned.scan_status, ScanStatus::NotScanned);
        assert_eq!(clean.scan_status, ScanStatus::Clean);
        let other = documents::store_upload(
            &t.db,
            &uploads,
            upload(
                &a,
                DocumentKind::Other,
                "y.pdf",
                b"%PDF-1.7\n% y\n%%EOF\n".to_vec(),
            ),
            &ScanConfig::none(),
        )
        .await
        .unwrap();

        let refused = documents::store_upload(
            &t.db,
            &uploads,
            upload(&b, DocumentKind::Other, "x.pdf", x.clone()),
            &signature_scanner(&tools.0),
        )
        .await;
        assert!(matches!(refused, Err(UploadError::Infected)), "{refused:?}");
        for doc in [&unscanned, &clean] {
            let now = documents::find(&t.db, doc.id.as_str()).await.unwrap();
            assert_eq!(now.scan_status, ScanStatus::Infected, "{:?}", t.backend());
            assert!(now.scanned_at.is_some());
        }
        let other = documents::find(&t.db, other.id.as_str()).await.unwrap();
        assert_eq!(other.scan_status, ScanStatus::NotScanned, "other bytes");
        assert!(
            documents::list_for_owner(&t.db, b.as_str())
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            files(&area.0).len(),
            2,
            "the marked documents keep their file"
        );
    }
}

/// Documents whose scan failed, or stored before a scanner was configured, were never
/// scanned again: a re-scan records each file's verdict on every document holding it.
#[tokio::test]
async fn a_rescan_records_the_verdict_of_failed_and_unscanned_documents() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let tools = TempDir::new("safir-scanners");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "rescan@example.org").await;
        let pdf = |text: &str| format!("%PDF-1.7\n% {text}\n%%EOF\n").into_bytes();
        let store = |name: &'static str, bytes: Vec<u8>, scan: ScanConfig| {
            let (db, uploads, owner) = (t.db.clone(), uploads.clone(), owner.clone());
            // Each its own kind: the same bytes filed again at once would be the same document.
            let kind = if name.ends_with("-again.pdf") {
                DocumentKind::Supporting
            } else {
                DocumentKind::Other
            };
            async move {
                documents::store_upload(&db, &uploads, upload(&owner, kind, name, bytes), &scan)
                    .await
                    .unwrap()
            }
        };
        let failed = store("failed.pdf", pdf("one"), scanner(&tools.0, 2)).await;
        let unscanned = store("unscanned.pdf", pdf("two"), ScanConfig::none()).await;
        let threat = store("threat.pdf", pdf("EICAR"), ScanConfig::none()).await;
        // The same bytes, scanned clean with older signatures.
        let threat_clean = store("threat-again.pdf", pdf("EICAR"), scanner(&tools.0, 0)).await;
        let lost = store("lost.pdf", pdf("three"), scanner(&tools.0, 2)).await;
        let clean = store("clean.pdf", pdf("four"), scanner(&tools.0, 0)).await;
        std::fs::remove_file(uploads.path_for(&lost.sha256).unwrap()).unwrap();

        // Without a scanner nothing can be scanned.
        let none = documents::rescan(&t.db, &uploads, &ScanConfig::none())
            .await
            .unwrap();
        assert_eq!(none, documents::Rescanned::default());

        let done = documents::rescan(&t.db, &uploads, &signature_scanner(&tools.0))
            .await
            .unwrap();
        assert_eq!(
            (done.files, done.clean, done.failed, done.missing),
            (3, 2, 0, 1)
        );
        let mut infected = done.infected.clone();
        infected.sort_by(|x, y| x.as_str().cmp(y.as_str()));
        let mut expected = vec![threat.id.clone(), threat_clean.id.clone()];
        expected.sort_by(|x, y| x.as_str().cmp(y.as_str()));
        assert_eq!(infected, expected, "{:?}", t.backend());
        let status = |id: &safir_domain::ids::DocumentId| {
            let db = t.db.clone();
            let id = id.clone();
            async move { documents::find(&db, id.as_str()).await.unwrap().scan_status }
        };
        assert_eq!(status(&failed.id).await, ScanStatus::Clean);
        assert_eq!(status(&unscanned.id).await, ScanStatus::Clean);
        assert_eq!(status(&threat.id).await, ScanStatus::Infected);
        assert_eq!(status(&threat_clean.id).await, ScanStatus::Infected);
        assert_eq!(
            status(&lost.id).await,
            ScanStatus::Failed,
            "its file is gone"
        );
        assert_eq!(status(&clean.id).await, ScanStatus::Clean);

        // A scanner that cannot answer leaves them failed; the next run scans them again.
        let again = documents::rescan(&t.db, &uploads, &scanner(&tools.0, 2))
            .await
            .unwrap();
        assert_eq!((again.files, again.failed, again.missing), (0, 0, 1));
    }
}

/// Uploads of one account had no bound: a script could fill the disk with distinct files.
/// Under a quota, the upload that would pass it is refused and its file not kept; the same
/// file sent again at once (a double click) is still the document it recorded; another
/// account is not held back, and a deleted document makes room again.
#[tokio::test]
async fn uploads_past_the_owners_quota_are_refused() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "quota@example.org").await;
        let other = user(&t.db, "other@example.org").await;
        let pdf = |n: u32| format!("%PDF-1.7\n% {n:04}\n%%EOF\n").into_bytes();
        let size = pdf(0).len() as u64;
        let quota = documents::UploadQuota {
            documents: 2,
            bytes: 1024 * 1024,
        };
        let send = |who: &UserId, n: u32, quota: documents::UploadQuota| {
            let (db, uploads, who) = (t.db.clone(), uploads.clone(), who.clone());
            async move {
                documents::store_upload_within(
                    &db,
                    &uploads,
                    upload(&who, DocumentKind::Other, "a.pdf", pdf(n)),
                    &ScanConfig::none(),
                    &quota,
                )
                .await
            }
        };
        send(&owner, 1, quota).await.unwrap();
        let second = send(&owner, 2, quota).await.unwrap();
        let third = send(&owner, 3, quota).await;
        assert!(
            matches!(
                third,
                Err(UploadError::OverQuota(documents::QuotaReached::Documents(
                    2
                )))
            ),
            "{:?}: {third:?}",
            t.backend()
        );
        assert_eq!(refused(third), "document_quota_documents");
        assert_eq!(files(&area.0).len(), 2, "the refused file is not kept");
        assert_eq!(send(&owner, 2, quota).await.unwrap().id, second.id);
        send(&other, 3, quota).await.unwrap();

        documents::delete_unfiled(&t.db, &uploads, owner.as_str(), second.id.as_str())
            .await
            .unwrap();
        send(&owner, 3, quota).await.unwrap();

        // The bytes too: room for one more file of this size, not two.
        let by_size = documents::UploadQuota {
            documents: 10,
            bytes: 3 * size + size / 2,
        };
        send(&owner, 4, by_size).await.unwrap();
        let over = send(&owner, 5, by_size).await;
        assert!(
            matches!(
                over,
                Err(UploadError::OverQuota(documents::QuotaReached::Bytes(_)))
            ),
            "{over:?}"
        );
        let error = over.unwrap_err().user_error().unwrap();
        assert_eq!(error.code, "document_quota_size");
        assert_eq!(error.counts, [("max", 0)]);
    }
}

/// The quota counts what the owner can still act on: documents filed under no application,
/// and those of an application the mission has not decided. Once decided, an application's
/// documents stay until its case is purged, which the owner cannot hasten: counted, they
/// would keep someone with past applications from filing for a new one.
#[tokio::test]
async fn the_quota_leaves_out_the_documents_of_decided_applications() {
    for t in TestDb::all().await {
        let area = TempDir::new("safir-uploads");
        let uploads = Uploads::new(&area.0);
        let owner = user(&t.db, "decided@example.org").await;
        let mut tx = t.db.begin().await.unwrap();
        let paris = missions::create(&mut tx, &crate::missions::paris())
            .await
            .unwrap();
        let service = safir_store::consular::services::create(
            &mut tx,
            paris.as_str(),
            &crate::consular_cases::passport_service(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let case = crate::consular_overdue::submitted_case(
            &t.db,
            paris.as_str(),
            service.as_str(),
            owner.as_str(),
            chrono::Duration::days(5),
        )
        .await;
        let quota = documents::UploadQuota {
            documents: 2,
            bytes: 1024 * 1024,
        };
        let pdf = |n: u32| format!("%PDF-1.7\n% {n:04}\n%%EOF\n").into_bytes();
        let send = |n: u32, case_id: Option<&str>| {
            let mut new = upload(&owner, DocumentKind::Other, "a.pdf", pdf(n));
            new.mission_id = case_id.map(|_| paris.clone());
            new.case_id = case_id.map(str::to_owned);
            let (db, uploads) = (t.db.clone(), uploads.clone());
            async move {
                documents::store_upload_within(&db, &uploads, new, &ScanConfig::none(), &quota)
                    .await
            }
        };
        send(1, Some(&case)).await.unwrap();
        send(2, Some(&case)).await.unwrap();
        // Filed under an application still in hand, they count.
        assert_eq!(refused(send(3, None).await), "document_quota_documents");
        // Refused by the mission, the application keeps them out of the owner's hands.
        with_pool!(t.db.write(), p => {
            sqlx::query("UPDATE cases SET state = 'rejected' WHERE id = $1")
                .bind(&case)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        send(3, None).await.unwrap();
        send(4, None).await.unwrap();
        assert_eq!(refused(send(5, None).await), "document_quota_documents");
    }
}
