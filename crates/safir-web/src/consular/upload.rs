//! Forms with files: a `multipart/form-data` body read into text fields and files, each file
//! capped on its own, so a form whose file is refused comes back with everything typed and
//! an error on the file's field.
//!
//! Upload routes need a body limit above the site-wide one; raise it on the route only:
//!
//! ```text
//! r.add(Method::POST, "/cases/new", Access::SignedIn,
//!       post(submit).layer(DefaultBodyLimit::max(state.config.upload_body_limit)))
//! ```
//!
//! and put the form token first in the form (`{% call forms::csrf(csrf_token) %}` right
//! after `<form … enctype="multipart/form-data">`): the CSRF check reads only the first part.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::header::CONTENT_DISPOSITION;
use axum::http::{HeaderMap, StatusCode};
use safir_domain::consular::documents::DocumentKind;

use crate::error::{AppError, FieldError, FieldErrors};

const MIB: usize = 1024 * 1024;

/// Body limit of upload routes: a few of the largest documents plus the text fields.
pub const DEFAULT_UPLOAD_BODY_LIMIT: usize = 32 * MIB;

/// What one multipart form may hold.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Largest file, per file field.
    pub max_file_bytes: usize,
    /// Files beyond this many are refused.
    pub max_files: usize,
    /// Largest text field.
    pub max_text_bytes: usize,
}

impl UploadLimits {
    /// Limits for forms carrying consular documents: the largest any kind accepts (each
    /// kind's own limit is checked when the document is stored).
    pub fn documents() -> Self {
        Self {
            max_file_bytes: DocumentKind::ALL
                .iter()
                .map(|k| k.max_bytes())
                .max()
                .unwrap_or(10 * MIB),
            max_files: 10,
            max_text_bytes: 64 * 1024,
        }
    }
}

/// A file as sent: the field it came in, the client's name for it, its bytes.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub field: String,
    /// For display only; the type comes from the bytes.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A read multipart form. `errors` holds the files refused while reading (too large, too
/// many), keyed by their field, for the handler to merge with its own checks.
#[derive(Debug, Default)]
pub struct MultipartForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
    pub errors: FieldErrors,
}

impl MultipartForm {
    /// The first value of a text field, or "" when absent.
    pub fn text(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Takes the first file sent in `field`.
    pub fn take_file(&mut self, field: &str) -> Option<UploadedFile> {
        let at = self.files.iter().position(|f| f.field == field)?;
        Some(self.files.remove(at))
    }
}

/// The file name of a part that gives it only the RFC 5987 way (`filename*=UTF-8''…`), which
/// RFC 7578 asks senders not to use and the multipart parser does not read: without it, the
/// file would be taken for a text field. UTF-8 and ISO-8859-1, the two charsets RFC 5987 names.
fn extended_file_name(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_DISPOSITION)?.to_str().ok()?;
    let ext = value.split(';').find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("filename*")
            .then_some(value.trim())
    })?;
    let (charset, rest) = ext.split_once('\'')?;
    let (_language, encoded) = rest.split_once('\'')?;
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

fn refused(e: MultipartError) -> AppError {
    tracing::debug!(error = %e, "multipart body refused");
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::BadRequest,
    }
}

/// The largest file a form may send: its document kind's limit when it names one (5 MB for a
/// photo), within the form's cap.
fn file_limit(kind: &str, limits: &UploadLimits) -> usize {
    DocumentKind::parse(kind.trim()).map_or(limits.max_file_bytes, |k| {
        k.max_bytes().min(limits.max_file_bytes)
    })
}

/// Whether the body went over the route's limit: what was read is kept, the part being read
/// when it stopped refused as too large.
fn body_too_large(e: &MultipartError) -> bool {
    let too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
    if too_large {
        tracing::debug!(error = %e, "multipart body over the limit");
    }
    too_large
}

/// The field a body cut between two parts is refused on: the forms that take files send
/// theirs as `file`.
const FILE_FIELD: &str = "file";

/// Reads every part. A file over the limit is read to its end and dropped, with an error on
/// its field, so the fields after it still arrive; a file input left empty is no file. A body
/// over the route's limit keeps the fields read before it stopped, the part it stopped in
/// refused as too large (`document_too_large`), so the form comes back as for a large file.
pub async fn read_multipart(
    mut multipart: Multipart,
    limits: &UploadLimits,
) -> Result<MultipartForm, AppError> {
    let mut form = MultipartForm::default();
    // Files over the cap, named once every field is read: the limit to state is the document
    // kind's when the form names one (5 MB for a photo), and the kind may come after the file.
    let mut oversize: Vec<String> = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if body_too_large(&e) => {
                oversize.push(FILE_FIELD.to_owned());
                break;
            }
            Err(e) => return Err(refused(e)),
        };
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field
            .file_name()
            .map(str::to_owned)
            .or_else(|| extended_file_name(field.headers()));
        let cap = if file_name.is_some() {
            limits.max_file_bytes
        } else {
            limits.max_text_bytes
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        let mut cut = false;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) if body_too_large(&e) => {
                    cut = true;
                    break;
                }
                Err(e) => return Err(refused(e)),
            };
            if too_large || bytes.len() + chunk.len() > cap {
                too_large = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        if cut {
            // Nothing after it arrives: the part is refused, whatever it was.
            oversize.push(name);
            break;
        }
        match file_name {
            Some(file_name) => {
                if too_large {
                    oversize.push(name);
                } else if file_name.is_empty() && bytes.is_empty() {
                    // No file chosen.
                } else if form.files.len() >= limits.max_files {
                    form.errors.push(&name, "upload_too_many_files");
                } else {
                    form.files.push(UploadedFile {
                        field: name,
                        file_name,
                        bytes,
                    });
                }
            }
            None if too_large => {
                form.errors
                    .add(FieldError::new(&name, "too_long").with_arg("max", limits.max_text_bytes));
            }
            None => {
                let text = String::from_utf8(bytes).map_err(|_| AppError::BadRequest)?;
                if text.contains('\0') {
                    // As the edge refuses it in other forms (`security::nul`).
                    return Err(crate::security::nul::refusal(&name));
                }
                form.fields.push((name, text));
            }
        }
    }
    let max = file_limit(form.text("kind"), limits);
    for name in oversize {
        form.errors
            .add(FieldError::new(&name, "document_too_large").with_arg("max", max / MIB));
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::extract::FromRequest;
    use axum::http::Request;

    use super::*;

    fn body(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, file, bytes) in parts {
            out.extend(b"--B0UND\r\n");
            match file {
                Some(f) => out.extend(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => out.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
            }
            out.extend(*bytes);
            out.extend(b"\r\n");
        }
        out.extend(b"--B0UND--\r\n");
        out
    }

    async fn read(bytes: Vec<u8>, limits: UploadLimits) -> Result<MultipartForm, AppError> {
        let req = Request::builder()
            .method("POST")
            .header("content-type", "multipart/form-data; boundary=B0UND")
            .body(Body::from(bytes))
            .unwrap();
        let mp = Multipart::from_request(req, &()).await.unwrap();
        read_multipart(mp, &limits).await
    }

    const SMALL: UploadLimits = UploadLimits {
        max_file_bytes: 10,
        max_files: 2,
        max_text_bytes: 20,
    };

    #[tokio::test]
    async fn a_refused_file_keeps_every_typed_field() {
        let form = read(
            body(&[
                ("name", None, "ليلى".as_bytes()),
                ("passport", Some("scan.pdf"), b"%PDF-1.7 far too long"),
                ("note", None, b"after the file"),
                ("photo", Some("me.jpg"), b"\xFF\xD8\xFF small"),
                ("empty", Some(""), b""),
            ]),
            SMALL,
        )
        .await
        .unwrap();
        assert_eq!(form.text("name"), "ليلى");
        assert_eq!(form.text("note"), "after the file");
        assert_eq!(form.errors.len(), 1);
        let error = form.errors.for_field("passport").unwrap();
        assert_eq!(error.code, "document_too_large");
        assert_eq!(form.files.len(), 1);
        assert_eq!(form.files[0].field, "photo");
        assert_eq!(form.files[0].file_name, "me.jpg");
        assert_eq!(form.files[0].bytes, b"\xFF\xD8\xFF small");
    }

    /// A photo over the cap is told the photo's limit (5 MB), not the largest kind's (10 MB).
    #[test]
    fn an_oversized_file_is_told_its_kinds_limit() {
        let limits = UploadLimits::documents();
        assert_eq!(file_limit("photo", &limits) / MIB, 5);
        assert_eq!(file_limit(" passport_scan ", &limits) / MIB, 10);
        assert_eq!(file_limit("", &limits), limits.max_file_bytes);
        assert_eq!(file_limit("photo", &SMALL), SMALL.max_file_bytes);
    }

    /// The kind may come after the file in the form: the file's error is written once every
    /// field is read.
    #[tokio::test]
    async fn the_kind_after_an_oversized_file_still_counts() {
        let form = read(
            body(&[
                ("file", Some("a.pdf"), b"%PDF-1.7 far too long"),
                ("kind", None, b"photo"),
            ]),
            SMALL,
        )
        .await
        .unwrap();
        let error = form.errors.for_field("file").unwrap();
        assert_eq!(error.code, "document_too_large");
        assert_eq!(form.text("kind"), "photo");
    }

    #[tokio::test]
    async fn too_many_files_long_text_and_broken_bodies_are_refused() {
        let form = read(
            body(&[
                ("a", Some("1"), b"1"),
                ("b", Some("2"), b"2"),
                ("c", Some("3"), b"3"),
                ("t", None, b"a text much longer than twenty bytes"),
            ]),
            SMALL,
        )
        .await
        .unwrap();
        assert_eq!(form.files.len(), 2);
        assert_eq!(
            form.errors.for_field("c").unwrap().code,
            "upload_too_many_files"
        );
        assert_eq!(form.errors.for_field("t").unwrap().code, "too_long");
        let broken =
            b"--B0UND\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end".to_vec();
        assert!(matches!(
            read(broken, SMALL).await,
            Err(AppError::BadRequest)
        ));
        let not_utf8 = body(&[("t", None, b"\xFF\xFE")]);
        assert!(matches!(
            read(not_utf8, SMALL).await,
            Err(AppError::BadRequest)
        ));
    }

    #[tokio::test]
    async fn a_file_named_only_the_rfc_5987_way_is_still_a_file() {
        let mut bytes = b"--B0UND\r\nContent-Disposition: form-data; name=\"photo\"; \
            filename*=UTF-8''%D8%AC%D9%88%D8%A7%D8%B2+1.png\r\n\r\n\x89PNG\xFF\r\n"
            .to_vec();
        bytes.extend_from_slice(
            b"--B0UND\r\nContent-Disposition: form-data; name=\"scan\"; \
            filename*=iso-8859-1'fr'caf%E9.pdf\r\n\r\n%PDF\r\n--B0UND--\r\n",
        );
        let form = read(bytes, SMALL).await.unwrap();
        let names: Vec<&str> = form.files.iter().map(|f| f.file_name.as_str()).collect();
        assert_eq!(names, ["جواز+1.png", "café.pdf"]);
        assert_eq!(form.files[0].bytes, b"\x89PNG\xFF");
        assert!(form.fields.is_empty());
    }

    #[tokio::test]
    async fn a_nul_in_a_text_field_is_refused_naming_the_field() {
        let with_nul = body(&[("name", None, b"ok"), ("case", None, b"x\0y")]);
        match read(with_nul, SMALL).await {
            Err(AppError::Validation(errors)) => {
                let error = errors.for_field("case").expect("the field is named");
                assert_eq!(error.code, crate::security::nul::CODE);
            }
            other => panic!("{other:?}"),
        }
        // In a file it is only bytes, which the file's own checks judge.
        let form = read(body(&[("f", Some("a.bin"), b"\0\0")]), SMALL)
            .await
            .unwrap();
        assert_eq!(form.files[0].bytes, b"\0\0");
    }
}
