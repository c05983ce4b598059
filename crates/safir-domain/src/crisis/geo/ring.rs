//! The no-self-intersection rule for polygon rings, in the lon/lat plane.

use super::Point;

/// The first pair of crossing or touching edges (1-based; edge `i` joins points `i` and `i+1`).
/// Edges that share a point only count when they run back over each other.
pub(super) fn first_crossing(points: &[Point]) -> Option<(usize, usize)> {
    // Repeated consecutive points add zero-length edges; leave them out, keep the numbering.
    let mut edges: Vec<(usize, Point, Point)> = Vec::with_capacity(points.len());
    for (i, w) in points.windows(2).enumerate() {
        if w[0] != w[1] {
            edges.push((i + 1, w[0], w[1]));
        }
    }
    let n = edges.len();
    if n < 3 {
        // Fewer than three distinct points: a degenerate ring runs back over itself.
        return Some((1, points.len() - 1));
    }
    for i in 0..n {
        for j in i + 1..n {
            let (ei, a, b) = edges[i];
            let (ej, c, d) = edges[j];
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            let bad = if adjacent {
                // Shared vertex: b == c (or d == a for the closing pair).
                let (shared, p, q) = if j == i + 1 { (b, a, d) } else { (a, b, c) };
                folds_back(shared, p, q)
            } else {
                segments_touch(a, b, c, d)
            };
            if bad {
                return Some((ei, ej));
            }
        }
    }
    None
}

fn orient(a: Point, b: Point, c: Point) -> f64 {
    (b.lon - a.lon) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lon - a.lon)
}

fn sign(v: f64) -> i8 {
    if v > 0.0 {
        1
    } else if v < 0.0 {
        -1
    } else {
        0
    }
}

/// `c` lies within the box of `a`–`b` (used once the three are known to be collinear).
fn on_segment(a: Point, b: Point, c: Point) -> bool {
    c.lon >= a.lon.min(b.lon)
        && c.lon <= a.lon.max(b.lon)
        && c.lat >= a.lat.min(b.lat)
        && c.lat <= a.lat.max(b.lat)
}

fn segments_touch(a: Point, b: Point, c: Point, d: Point) -> bool {
    let (o1, o2) = (sign(orient(a, b, c)), sign(orient(a, b, d)));
    let (o3, o4) = (sign(orient(c, d, a)), sign(orient(c, d, b)));
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return true;
    }
    (o1 == 0 && on_segment(a, b, c))
        || (o2 == 0 && on_segment(a, b, d))
        || (o3 == 0 && on_segment(c, d, a))
        || (o4 == 0 && on_segment(c, d, b))
}

/// Two edges from `shared` towards `p` and `q` overlap when they are collinear and point the
/// same way.
fn folds_back(shared: Point, p: Point, q: Point) -> bool {
    let dot =
        (p.lon - shared.lon) * (q.lon - shared.lon) + (p.lat - shared.lat) * (q.lat - shared.lat);
    sign(orient(shared, p, q)) == 0 && dot > 0.0
}
