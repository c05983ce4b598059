//! What can be wrong with a target, naming the point (1-based) or the element.

use std::fmt;

/// A rejected coordinate, shape or area description. `code()` is stable (the message key is
/// `geo-<code>`); `point()` is the 1-based number of the offending point where there is one.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoError {
    LatitudeOutOfRange {
        point: Option<usize>,
        value: f64,
    },
    LongitudeOutOfRange {
        point: Option<usize>,
        value: f64,
    },
    /// Fewer than four points (a triangle needs its first point repeated last).
    TooFewPoints {
        found: usize,
    },
    TooManyPoints {
        found: usize,
        max: usize,
    },
    /// The last point (its number given) is not the first one again.
    NotClosed {
        last: usize,
    },
    /// Edge `first` (from point `first` to `first + 1`) crosses or touches edge `second`.
    SelfIntersection {
        first: usize,
        second: usize,
    },
    /// Edge `edge` (from point `edge` to `edge + 1`) spans more than 180° of longitude: it
    /// would cross the 180th meridian, which a ring in the lon/lat plane cannot express (read
    /// as drawn, it would go the long way round the world).
    CrossesAntimeridian {
        edge: usize,
    },
    RadiusOutOfRange {
        value: f64,
    },
    UnknownCountry {
        code: String,
    },
    /// CAP `lat,lon` pairs or `lat,lon radius` that do not read as numbers.
    CapSyntax {
        point: Option<usize>,
        text: String,
    },
    /// A GeoJSON member is missing or of the wrong kind; `element` is its path.
    InvalidGeoJson {
        element: String,
        reason: &'static str,
    },
    /// A shape error found inside a larger document (GeoJSON path, CAP element).
    In {
        element: String,
        source: Box<GeoError>,
    },
}

impl GeoError {
    /// The stable code; the innermost error's for errors wrapped in `In`.
    pub fn code(&self) -> &'static str {
        match self {
            GeoError::LatitudeOutOfRange { .. } => "latitude-range",
            GeoError::LongitudeOutOfRange { .. } => "longitude-range",
            GeoError::TooFewPoints { .. } => "too-few-points",
            GeoError::TooManyPoints { .. } => "too-many-points",
            GeoError::NotClosed { .. } => "not-closed",
            GeoError::SelfIntersection { .. } => "self-intersection",
            GeoError::CrossesAntimeridian { .. } => "crosses-antimeridian",
            GeoError::RadiusOutOfRange { .. } => "radius-range",
            GeoError::UnknownCountry { .. } => "country-unknown",
            GeoError::CapSyntax { .. } => "cap-syntax",
            GeoError::InvalidGeoJson { .. } => "geojson-invalid",
            GeoError::In { source, .. } => source.code(),
        }
    }

    /// The 1-based number of the offending point, where one point is to blame.
    pub fn point(&self) -> Option<usize> {
        match self {
            GeoError::LatitudeOutOfRange { point, .. }
            | GeoError::LongitudeOutOfRange { point, .. }
            | GeoError::CapSyntax { point, .. } => *point,
            GeoError::NotClosed { last } => Some(*last),
            GeoError::SelfIntersection { first, .. } => Some(*first),
            GeoError::CrossesAntimeridian { edge } => Some(*edge),
            GeoError::In { source, .. } => source.point(),
            _ => None,
        }
    }

    /// The element (GeoJSON path or CAP element) the error was found in, if known.
    pub fn element(&self) -> Option<&str> {
        match self {
            GeoError::InvalidGeoJson { element, .. } | GeoError::In { element, .. } => {
                Some(element)
            }
            _ => None,
        }
    }

    /// Places the error inside `element` (outermost last wins the front of the path).
    pub fn within(self, element: impl Into<String>) -> GeoError {
        let element = element.into();
        match self {
            GeoError::In {
                element: inner,
                source,
            } => GeoError::In {
                element: join(&element, &inner),
                source,
            },
            GeoError::InvalidGeoJson {
                element: inner,
                reason,
            } => GeoError::InvalidGeoJson {
                element: join(&element, &inner),
                reason,
            },
            other => GeoError::In {
                element,
                source: Box::new(other),
            },
        }
    }
}

fn join(outer: &str, inner: &str) -> String {
    if inner.is_empty() {
        outer.to_owned()
    } else if inner.starts_with('[') || outer.is_empty() {
        format!("{outer}{inner}")
    } else {
        format!("{outer}.{inner}")
    }
}

fn at(point: &Option<usize>) -> String {
    point.map(|n| format!("point {n}: ")).unwrap_or_default()
}

impl fmt::Display for GeoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeoError::LatitudeOutOfRange { point, value } => {
                write!(f, "{}latitude {value} is outside -90 to 90", at(point))
            }
            GeoError::LongitudeOutOfRange { point, value } => {
                write!(f, "{}longitude {value} is outside -180 to 180", at(point))
            }
            GeoError::TooFewPoints { found } => write!(
                f,
                "a polygon needs at least 4 points (the first repeated last), found {found}"
            ),
            GeoError::TooManyPoints { found, max } => {
                write!(f, "a polygon may have at most {max} points, found {found}")
            }
            GeoError::NotClosed { last } => write!(
                f,
                "the polygon is not closed: point {last} (the last) should repeat point 1"
            ),
            GeoError::SelfIntersection { first, second } => write!(
                f,
                "the polygon crosses itself: the edge from point {first} to {} meets the edge from point {second} to {}",
                first + 1,
                second + 1
            ),
            GeoError::CrossesAntimeridian { edge } => write!(
                f,
                "the edge from point {edge} to {} crosses the 180th meridian: draw the area as two polygons, one on each side",
                edge + 1
            ),
            GeoError::RadiusOutOfRange { value } => {
                write!(f, "radius {value} km must be more than 0 and at most 20000")
            }
            GeoError::UnknownCountry { code } => write!(f, "unknown country code {code:?}"),
            GeoError::CapSyntax { point, text } => {
                write!(
                    f,
                    "{}{text:?} is not \"lat,lon\" (or \"lat,lon radius\")",
                    at(point)
                )
            }
            GeoError::InvalidGeoJson { element, reason } => {
                if element.is_empty() {
                    write!(f, "invalid GeoJSON: {reason}")
                } else {
                    write!(f, "invalid GeoJSON at {element}: {reason}")
                }
            }
            GeoError::In { element, source } => write!(f, "{element}: {source}"),
        }
    }
}

impl std::error::Error for GeoError {}
