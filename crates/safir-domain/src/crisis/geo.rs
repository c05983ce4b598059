//! The areas alerts target: countries, regions, circles and polygons, and the test of whether
//! a registered place falls inside.
//!
//! Geometry is planar in longitude/latitude for polygons (as CAP and GeoJSON define them) and
//! great-circle for circles. A polygon edge across the antimeridian is refused (`CrossesAntimeridian`): draw two.

mod error;
mod geojson;
mod ring;
mod text;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::CountryCode;

pub use error::GeoError;

/// Mean Earth radius (IUGG), in kilometres.
const EARTH_RADIUS_KM: f64 = 6371.0088;
/// Kilometres per degree of latitude on that sphere.
const KM_PER_DEGREE: f64 = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;
/// The most points a polygon may have; keeps the O(n²) crossing check and the matching cheap.
pub const MAX_POLYGON_POINTS: usize = 2000;
/// Half the Earth's circumference: a larger circle would cover everything.
pub const MAX_RADIUS_KM: f64 = 20_000.0;

/// A WGS 84 position in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

/// A closed ring (first point repeated last), at least four points, no self-intersection.
/// Holes are not supported: CAP polygons have none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Polygon {
    pub points: Vec<Point>,
}

/// A circle: centre and radius in kilometres (CAP's unit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Circle {
    pub center: Point,
    pub radius_km: f64,
}

/// A named region of a country (a governorate, a city) as registrants type it; matched
/// case-insensitively after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub country: CountryCode,
    pub name: String,
}

/// What an alert targets: the union of its parts. A place matches when it is in one of the
/// countries, one of the regions, or (when it has coordinates) inside a circle or polygon.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Target {
    #[serde(default)]
    pub countries: Vec<CountryCode>,
    #[serde(default)]
    pub regions: Vec<Region>,
    #[serde(default)]
    pub circles: Vec<Circle>,
    #[serde(default)]
    pub polygons: Vec<Polygon>,
}

/// A registered place as the audience resolution sees it.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub country: CountryCode,
    pub region: &'a str,
    pub city: &'a str,
    pub point: Option<Point>,
}

/// `(min_lat, min_lon, max_lat, max_lon)`.
pub type BBox = (f64, f64, f64, f64);

impl Point {
    /// A position, latitude in [-90, 90] and longitude in [-180, 180].
    pub fn new(lat: f64, lon: f64) -> Result<Point, GeoError> {
        Self::at(lat, lon, None)
    }

    /// Like `new`, naming the point's 1-based place in a list when it fails.
    fn at(lat: f64, lon: f64, index: Option<usize>) -> Result<Point, GeoError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(GeoError::LatitudeOutOfRange {
                point: index,
                value: lat,
            });
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(GeoError::LongitudeOutOfRange {
                point: index,
                value: lon,
            });
        }
        Ok(Point { lat, lon })
    }

    /// Great-circle distance in kilometres (haversine).
    pub fn distance_km(self, other: Point) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }

    /// CAP's `lat,lon`, the `index`-th (1-based) point of its element.
    fn parse_cap(pair: &str, index: usize) -> Result<Point, GeoError> {
        let syntax = || GeoError::CapSyntax {
            point: Some(index),
            text: pair.to_owned(),
        };
        let (lat, lon) = pair.split_once(',').ok_or_else(syntax)?;
        let lat: f64 = lat.trim().parse().map_err(|_| syntax())?;
        let lon: f64 = lon.trim().parse().map_err(|_| syntax())?;
        Point::at(lat, lon, Some(index))
    }
}

/// `p` lies on the segment from `a` to `b` (within a billionth of a degree).
fn on_edge(p: Point, a: Point, b: Point) -> bool {
    let within = |v: f64, x: f64, y: f64| x.min(y) - 1e-9 <= v && v <= x.max(y) + 1e-9;
    if !within(p.lon, a.lon, b.lon) || !within(p.lat, a.lat, b.lat) {
        return false;
    }
    let cross = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
    let length = (b.lon - a.lon).hypot(b.lat - a.lat);
    cross.abs() <= 1e-9 * length.max(1.0)
}

impl Polygon {
    /// Validates the ring: 4 to 2,000 points in range, closed, no edge across the 180th
    /// meridian, not crossing itself.
    pub fn new(points: Vec<Point>) -> Result<Polygon, GeoError> {
        for (i, p) in points.iter().enumerate() {
            Point::at(p.lat, p.lon, Some(i + 1))?;
        }
        if points.len() < 4 {
            return Err(GeoError::TooFewPoints {
                found: points.len(),
            });
        }
        if points.len() > MAX_POLYGON_POINTS {
            return Err(GeoError::TooManyPoints {
                found: points.len(),
                max: MAX_POLYGON_POINTS,
            });
        }
        if points.first() != points.last() {
            return Err(GeoError::NotClosed { last: points.len() });
        }
        if let Some(edge) = points
            .windows(2)
            .position(|w| (w[1].lon - w[0].lon).abs() > 180.0)
        {
            return Err(GeoError::CrossesAntimeridian { edge: edge + 1 });
        }
        if let Some((first, second)) = ring::first_crossing(&points) {
            return Err(GeoError::SelfIntersection { first, second });
        }
        Ok(Polygon { points })
    }

    /// CAP's `<polygon>`: space-separated `lat,lon` pairs.
    pub fn parse_cap(text: &str) -> Result<Polygon, GeoError> {
        let points = text
            .split_whitespace()
            .enumerate()
            .map(|(i, pair)| Point::parse_cap(pair, i + 1))
            .collect::<Result<Vec<_>, _>>()?;
        Polygon::new(points)
    }

    /// The `<polygon>` text of CAP.
    pub fn to_cap(&self) -> String {
        let pairs: Vec<String> = self
            .points
            .iter()
            .map(|p| format!("{},{}", p.lat, p.lon))
            .collect();
        pairs.join(" ")
    }

    /// Ray casting in the lon/lat plane; a point on an edge is inside (as a circle holds the
    /// points on its rim).
    pub fn contains(&self, p: Point) -> bool {
        let pts = &self.points;
        if pts.windows(2).any(|w| on_edge(p, w[0], w[1])) {
            return true;
        }
        let mut inside = false;
        for w in pts.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a.lat > p.lat) != (b.lat > p.lat) {
                let lon_at = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
                if p.lon < lon_at {
                    inside = !inside;
                }
            }
        }
        inside
    }

    pub fn bbox(&self) -> BBox {
        self.points.iter().fold(
            (
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ),
            |(a, b, c, d), p| (a.min(p.lat), b.min(p.lon), c.max(p.lat), d.max(p.lon)),
        )
    }
}

impl Circle {
    /// A circle whose radius is more than 0 and at most 20,000 km.
    pub fn new(center: Point, radius_km: f64) -> Result<Circle, GeoError> {
        let center = Point::new(center.lat, center.lon)?;
        if !radius_km.is_finite() || radius_km <= 0.0 || radius_km > MAX_RADIUS_KM {
            return Err(GeoError::RadiusOutOfRange { value: radius_km });
        }
        Ok(Circle { center, radius_km })
    }

    /// CAP's `<circle>` notation, `lat,lon radius` (radius in km), as staff type a target.
    pub fn parse_cap(text: &str) -> Result<Circle, GeoError> {
        Circle::parse_cap_text(text, false)
    }

    /// A `<circle>` of a CAP document read in: there a radius of 0 marks a point, as in the
    /// CAP 1.2 specification's own example (`32.9525,-115.5527 0`).
    pub fn parse_cap_element(text: &str) -> Result<Circle, GeoError> {
        Circle::parse_cap_text(text, true)
    }

    fn parse_cap_text(text: &str, point: bool) -> Result<Circle, GeoError> {
        let syntax = || GeoError::CapSyntax {
            point: None,
            text: text.trim().to_owned(),
        };
        let mut parts = text.split_whitespace();
        let (Some(center), Some(radius), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(syntax());
        };
        let center = Point::parse_cap(center, 1)?;
        let radius: f64 = radius.parse().map_err(|_| syntax())?;
        if point && radius == 0.0 {
            return Ok(Circle {
                center,
                radius_km: 0.0,
            });
        }
        Circle::new(center, radius)
    }

    /// The `<circle>` text of CAP.
    pub fn to_cap(&self) -> String {
        format!("{},{} {}", self.center.lat, self.center.lon, self.radius_km)
    }

    /// On or within the radius, by great-circle distance.
    pub fn contains(&self, p: Point) -> bool {
        self.center.distance_km(p) <= self.radius_km
    }

    /// A box around the circle, never too small; the full longitude range near the poles or
    /// across the antimeridian.
    pub fn bbox(&self) -> BBox {
        let dlat = self.radius_km / KM_PER_DEGREE;
        let min_lat = (self.center.lat - dlat).max(-90.0);
        let max_lat = (self.center.lat + dlat).min(90.0);
        let widest = self.center.lat.abs() + dlat;
        if widest >= 89.0 {
            return (min_lat, -180.0, max_lat, 180.0);
        }
        let dlon = dlat / widest.to_radians().cos();
        let (min_lon, max_lon) = (self.center.lon - dlon, self.center.lon + dlon);
        if min_lon < -180.0 || max_lon > 180.0 {
            return (min_lat, -180.0, max_lat, 180.0);
        }
        (min_lat, min_lon, max_lat, max_lon)
    }
}

impl Target {
    /// CAP's `<polygon>` text as a target of one polygon.
    pub fn from_cap_polygon(text: &str) -> Result<Target, GeoError> {
        Ok(Target {
            polygons: vec![Polygon::parse_cap(text)?],
            ..Target::default()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
            && self.regions.is_empty()
            && self.circles.is_empty()
            && self.polygons.is_empty()
    }

    /// Whether the place is in a targeted country or region, or its point in a shape.
    pub fn matches(&self, place: &Place<'_>) -> bool {
        if self.countries.contains(&place.country) {
            return true;
        }
        if self.regions.iter().any(|r| {
            r.country == place.country
                && (same_name(&r.name, place.region) || same_name(&r.name, place.city))
        }) {
            return true;
        }
        place.point.is_some_and(|p| {
            self.circles.iter().any(|c| c.contains(p))
                || self.polygons.iter().any(|g| g.contains(p))
        })
    }

    /// The box around the circles and polygons, `None` when there are none.
    pub fn bbox(&self) -> Option<BBox> {
        self.circles
            .iter()
            .map(Circle::bbox)
            .chain(self.polygons.iter().map(Polygon::bbox))
            .reduce(|(a, b, c, d), (e, f, g, h)| (a.min(e), b.min(f), c.max(g), d.max(h)))
    }
}

fn same_name(wanted: &str, given: &str) -> bool {
    let (w, g) = (wanted.trim(), given.trim());
    // Called for every candidate row of a large audience: compare without allocating.
    !w.is_empty()
        && (w.eq_ignore_ascii_case(g)
            || w.chars()
                .flat_map(char::to_lowercase)
                .eq(g.chars().flat_map(char::to_lowercase)))
}
