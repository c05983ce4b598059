//! The areas alerts target: countries, regions, circles and polygons, and the test of whether
//! a registered place falls inside.

use serde::{Deserialize, Serialize};

use crate::CountryCode;

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
