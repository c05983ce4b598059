//! A page sent as pieces: what was drawn for this request, and between its parts the parts
//! kept drawn for many requests (the case queue's rows and filter form, see
//! `consular::read_cache`), each sent from where it is kept instead of copied into the page.
//!
//! The template writes a [`Slot`] where a kept part goes; [`render`] draws it, cuts the
//! drawing at the slots and puts the kept parts in between. The body is the list of pieces
//! with its exact length, so the connection writes them in one vectored write and the gzip
//! layer (which needs the whole body) still sees a body of known size.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use askama::Template;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};

use crate::error::AppError;

/// What a slot writes into the drawing. It starts with `<`, which an escaped value never
/// contains, and with a control character no template writes: only a slot can produce it.
const MARK: &str = "<\u{1}kept\u{1}>";

/// Where a kept part goes in a template (written with `|safe`).
#[derive(Debug, Clone, Copy)]
pub struct Slot;

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MARK)
    }
}

/// An HTML page as a list of pieces.
#[derive(Debug)]
pub struct PiecedHtml {
    pieces: Vec<Bytes>,
}

#[cfg(test)]
impl PiecedHtml {
    /// The page in one string.
    fn joined(&self) -> String {
        let bytes: Vec<u8> = self.pieces.iter().flat_map(|p| p.iter().copied()).collect();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// A kept part, shared with the cache that keeps it.
struct Kept(Arc<str>);

impl AsRef<[u8]> for Kept {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Draws `template` into a buffer of `capacity` bytes and puts `kept`, in order, where it
/// wrote its slots. A template with another number of slots than `kept` is an internal
/// error: a part would go missing or land in the wrong place.
pub fn render<const N: usize>(
    template: &impl Template,
    capacity: usize,
    kept: [Arc<str>; N],
) -> Result<PiecedHtml, AppError> {
    let mut drawn = String::with_capacity(capacity);
    template
        .render_into(&mut drawn)
        .map_err(AppError::internal)?;
    let slots: Vec<usize> = drawn.match_indices(MARK).map(|(at, _)| at).collect();
    if slots.len() != N {
        return Err(AppError::internal(format!(
            "a page has {} slots for {N} kept parts",
            slots.len()
        )));
    }
    let drawn = Bytes::from(drawn);
    let mut pieces = Vec::with_capacity(2 * N + 1);
    let mut start = 0;
    for (at, part) in slots.into_iter().zip(kept) {
        pieces.push(drawn.slice(start..at));
        pieces.push(Bytes::from_owner(Kept(part)));
        start = at + MARK.len();
    }
    pieces.push(drawn.slice(start..));
    pieces.retain(|p| !p.is_empty());
    Ok(PiecedHtml { pieces })
}

impl IntoResponse for PiecedHtml {
    fn into_response(self) -> Response {
        let len = self.pieces.iter().map(|p| p.len() as u64).sum();
        let body = PiecesBody {
            pieces: self.pieces.into(),
            len,
        };
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            Body::new(body),
        )
            .into_response()
    }
}

/// The pieces as a response body: one frame each, and the length still to send.
struct PiecesBody {
    pieces: VecDeque<Bytes>,
    len: u64,
}

impl http_body::Body for PiecesBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let piece = self.pieces.pop_front();
        if let Some(p) = &piece {
            self.len -= p.len() as u64;
        }
        Poll::Ready(piece.map(|p| Ok(Frame::data(p))))
    }

    fn is_end_stream(&self) -> bool {
        self.pieces.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}

#[cfg(test)]
mod tests {
    use axum::body::{HttpBody, to_bytes};

    use super::*;

    #[derive(Template)]
    #[template(
        source = "<p>{{ name }}</p>{{ first|safe }}<hr>{{ second|safe }}{{ tail }}",
        ext = "html"
    )]
    struct Two<'a> {
        name: &'a str,
        first: Slot,
        second: Slot,
        tail: &'a str,
    }

    fn two<'a>(name: &'a str, tail: &'a str) -> Two<'a> {
        Two {
            name,
            first: Slot,
            second: Slot,
            tail,
        }
    }

    #[tokio::test]
    async fn kept_parts_land_in_their_slots_and_the_body_has_its_exact_length() {
        let page = render(
            &two("<\u{1}kept\u{1}>", "end"),
            64,
            [Arc::from("<ul>rows</ul>"), Arc::from("<form></form>")],
        )
        .unwrap();
        // A value that looks like the mark is escaped, so it is not taken for a slot.
        let want = "<p>&#60;\u{1}kept\u{1}&#62;</p><ul>rows</ul><hr><form></form>end";
        assert_eq!(page.joined(), want);
        let body = page.into_response().into_body();
        assert_eq!(body.size_hint().exact(), Some(want.len() as u64));
        let sent = to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(sent, want.as_bytes());
    }

    #[test]
    fn empty_pieces_are_left_out() {
        let page = render(&two("", ""), 64, [Arc::from(""), Arc::from("x")]).unwrap();
        assert_eq!(page.joined(), "<p></p><hr>x");
        assert_eq!(page.pieces.len(), 3);
    }

    #[test]
    fn a_template_with_another_number_of_slots_is_refused() {
        assert!(render(&two("a", "b"), 64, [Arc::from("only one")]).is_err());
        assert!(
            render(
                &two("a", "b"),
                64,
                [Arc::from("1"), Arc::from("2"), Arc::from("3")]
            )
            .is_err()
        );
    }

    #[test]
    fn the_page_is_sent_as_html() {
        let page = render(&two("a", "b"), 64, [Arc::from("1"), Arc::from("2")]).unwrap();
        let response = page.into_response();
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
    }
}
