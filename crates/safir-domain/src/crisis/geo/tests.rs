use proptest::prelude::*;

use super::*;
use crate::Lang;

fn pt(lat: f64, lon: f64) -> Point {
    Point { lat, lon }
}

fn square() -> Polygon {
    Polygon::parse_cap("10,10 10,20 20,20 20,10 10,10").unwrap()
}

fn sd() -> CountryCode {
    CountryCode::parse("SD").unwrap()
}

#[test]
fn points_out_of_range_are_refused_naming_the_coordinate() {
    assert_eq!(Point::new(91.0, 0.0).unwrap_err().code(), "latitude-range");
    assert_eq!(
        Point::new(0.0, -180.5).unwrap_err().code(),
        "longitude-range"
    );
    assert_eq!(
        Point::new(f64::NAN, 0.0).unwrap_err().code(),
        "latitude-range"
    );
    assert!(Point::new(-90.0, 180.0).is_ok());
}

#[test]
fn an_unclosed_ring_names_its_last_point() {
    let err = Polygon::parse_cap("10,10 10,20 20,20 20,10").unwrap_err();
    assert_eq!(err, GeoError::NotClosed { last: 4 });
    assert_eq!(err.code(), "not-closed");
    assert_eq!(err.point(), Some(4));
    assert!(err.to_string().contains("point 4"), "{err}");
}

#[test]
fn fewer_than_four_points_are_refused() {
    let err = Polygon::parse_cap("10,10 10,20 10,10").unwrap_err();
    assert_eq!(err, GeoError::TooFewPoints { found: 3 });
    assert_eq!(err.code(), "too-few-points");
}

#[test]
fn too_many_points_are_refused() {
    let mut points: Vec<Point> = (0..MAX_POLYGON_POINTS)
        .map(|i| {
            let a = i as f64 / MAX_POLYGON_POINTS as f64 * std::f64::consts::TAU;
            pt(10.0 * a.sin(), 10.0 * a.cos())
        })
        .collect();
    points.push(points[0]);
    let err = Polygon::new(points).unwrap_err();
    assert_eq!(
        err,
        GeoError::TooManyPoints {
            found: MAX_POLYGON_POINTS + 1,
            max: MAX_POLYGON_POINTS
        }
    );
}

#[test]
fn a_polygon_of_the_maximum_size_is_accepted() {
    let mut points: Vec<Point> = (0..MAX_POLYGON_POINTS - 1)
        .map(|i| {
            let a = i as f64 / (MAX_POLYGON_POINTS - 1) as f64 * std::f64::consts::TAU;
            pt(10.0 * a.sin(), 10.0 * a.cos())
        })
        .collect();
    points.push(points[0]);
    let polygon = Polygon::new(points).unwrap();
    assert!(polygon.contains(pt(0.0, 0.0)));
    assert!(!polygon.contains(pt(9.99, 9.99)));
}

#[test]
fn a_bow_tie_names_the_crossing_edges() {
    // Edges 1 (p1→p2) and 3 (p3→p4) cross.
    let err = Polygon::parse_cap("0,0 10,10 0,10 10,0 0,0").unwrap_err();
    assert_eq!(
        err,
        GeoError::SelfIntersection {
            first: 1,
            second: 3
        }
    );
    assert_eq!(err.code(), "self-intersection");
    assert_eq!(err.point(), Some(1));
    assert!(
        err.to_string().contains("point 1 to 2") && err.to_string().contains("point 3 to 4"),
        "{err}"
    );
}

#[test]
fn a_ring_touching_itself_or_folding_back_is_refused() {
    // Point 4 lies on edge 1.
    let touch = Polygon::parse_cap("0,0 0,10 10,10 0,5 -5,5 0,0").unwrap_err();
    assert_eq!(touch.code(), "self-intersection");
    // A spike that runs back along the previous edge.
    let spike = Polygon::parse_cap("0,0 0,10 0,5 5,5 0,0").unwrap_err();
    assert_eq!(spike.code(), "self-intersection");
    // Three collinear points: no area.
    let flat = Polygon::parse_cap("0,0 0,5 0,10 0,0").unwrap_err();
    assert_eq!(flat.code(), "self-intersection");
}

#[test]
fn repeated_consecutive_points_and_concave_rings_are_accepted() {
    assert!(Polygon::parse_cap("10,10 10,10 10,20 20,20 20,10 10,10").is_ok());
    let l_shape = Polygon::parse_cap("0,0 0,10 5,10 5,5 10,5 10,0 0,0").unwrap();
    assert!(l_shape.contains(pt(2.0, 8.0)));
    assert!(!l_shape.contains(pt(8.0, 8.0)));
}

#[test]
fn cap_points_out_of_range_or_garbled_are_named() {
    let err = Polygon::parse_cap("10,10 10,200 20,20 10,10").unwrap_err();
    assert_eq!(
        err,
        GeoError::LongitudeOutOfRange {
            point: Some(2),
            value: 200.0
        }
    );
    assert!(
        err.to_string().starts_with("point 2: longitude 200"),
        "{err}"
    );
    let err = Polygon::parse_cap("10,10 10;20 20,20 10,10").unwrap_err();
    assert_eq!(err.code(), "cap-syntax");
    assert_eq!(err.point(), Some(2));
    let err = Polygon::parse_cap("10,10 10,20 -95,20 10,10").unwrap_err();
    assert_eq!(err.point(), Some(3));
}

#[test]
fn cap_circles_parse_and_print() {
    let c = Circle::parse_cap(" 32.9525,-115.5527 12.5 ").unwrap();
    assert_eq!(
        c,
        Circle {
            center: pt(32.9525, -115.5527),
            radius_km: 12.5
        }
    );
    assert_eq!(Circle::parse_cap(&c.to_cap()).unwrap(), c);
    // In a CAP document read in, a point, as in the CAP 1.2 specification's example; typed
    // as a target, a radius of 0 reaches no one and is refused. A negative one is no circle.
    assert_eq!(
        Circle::parse_cap("32.9,-115.5 0").unwrap_err().code(),
        "radius-range"
    );
    let point = Circle::parse_cap_element("32.9525,-115.5527 0").unwrap();
    assert_eq!(point.radius_km, 0.0);
    assert!(point.contains(pt(32.9525, -115.5527)) && !point.contains(pt(32.96, -115.5527)));
    assert_eq!(
        Circle::parse_cap_element("32.9,-115.5 -1")
            .unwrap_err()
            .code(),
        "radius-range"
    );
    assert_eq!(
        Circle::parse_cap("32.9,-115.5 20001").unwrap_err().code(),
        "radius-range"
    );
    assert_eq!(
        Circle::parse_cap("32.9,-115.5").unwrap_err().code(),
        "cap-syntax"
    );
    assert_eq!(
        Circle::parse_cap("32.9,-215.5 3").unwrap_err().code(),
        "longitude-range"
    );
    assert_eq!(Polygon::parse_cap(&square().to_cap()).unwrap(), square());
}

#[test]
fn circles_measure_great_circle_distance() {
    // Khartoum to Omdurman is about 8 km; to Port Sudan about 675 km.
    let khartoum = Circle::new(pt(15.5007, 32.5599), 20.0).unwrap();
    assert!(khartoum.contains(pt(15.6445, 32.4777)));
    assert!(!khartoum.contains(pt(19.6158, 37.2164)));
    let d = pt(15.5007, 32.5599).distance_km(pt(19.6158, 37.2164));
    assert!((660.0..690.0).contains(&d), "{d}");
}

#[test]
fn targets_match_by_country_region_or_shape() {
    let eg = CountryCode::parse("EG").unwrap();
    let target = Target {
        countries: vec![eg],
        regions: vec![Region {
            country: sd(),
            name: " Khartoum ".into(),
        }],
        circles: vec![],
        polygons: vec![square()],
    };
    let place = |country, region, city, point| Place {
        country,
        region,
        city,
        point,
    };
    assert!(target.matches(&place(eg, "", "", None)));
    assert!(target.matches(&place(sd(), "KHARTOUM", "", None)));
    assert!(target.matches(&place(sd(), "", "khartoum", None)));
    let arabic = Target {
        regions: vec![Region {
            country: sd(),
            name: "الخرطوم".into(),
        }],
        ..Target::default()
    };
    assert!(arabic.matches(&place(sd(), " الخرطوم ", "", None)));
    let accented = Target {
        regions: vec![Region {
            country: sd(),
            name: "ÉCOLE".into(),
        }],
        ..Target::default()
    };
    assert!(accented.matches(&place(sd(), "école", "", None)));
    assert!(!target.matches(&place(sd(), "Kassala", "", None)));
    assert!(target.matches(&place(sd(), "Kassala", "", Some(pt(15.0, 15.0)))));
    assert!(!target.matches(&place(sd(), "Kassala", "", Some(pt(25.0, 15.0)))));
    // A region of the same name in another country does not match.
    let fr = CountryCode::parse("FR").unwrap();
    assert!(!target.matches(&place(fr, "Khartoum", "", None)));
    assert!(!target.is_empty());
    assert!(Target::default().is_empty());
}

#[test]
fn target_bbox_covers_every_shape() {
    assert_eq!(Target::default().bbox(), None);
    let only_countries = Target {
        countries: vec![sd()],
        ..Target::default()
    };
    assert_eq!(only_countries.bbox(), None);
    let t = Target {
        circles: vec![Circle::new(pt(0.0, 0.0), 111.195).unwrap()],
        polygons: vec![square()],
        ..Target::default()
    };
    let (a, b, c, d) = t.bbox().unwrap();
    assert!(
        (a + 1.0).abs() < 1e-3 && (b + 1.0).abs() < 0.01 && c == 20.0 && d == 20.0,
        "{a} {b} {c} {d}"
    );
    // Near the antimeridian the box spans every longitude rather than wrapping.
    let wrap = Circle::new(pt(0.0, 179.9), 100.0).unwrap().bbox();
    assert_eq!((wrap.1, wrap.3), (-180.0, 180.0));
}

#[test]
fn targets_describe_themselves_in_each_language() {
    let t = Target {
        countries: vec![sd()],
        regions: vec![],
        circles: vec![Circle::new(pt(15.5, 32.5), 50.0).unwrap()],
        polygons: vec![],
    };
    assert_eq!(t.describe(Lang::En), "Sudan; a circle of 50 km");
    assert!(
        t.describe(Lang::Ar).contains("السودان"),
        "{}",
        t.describe(Lang::Ar)
    );
    assert_eq!(Target::default().describe(Lang::En), "no area");
}

#[test]
fn geojson_round_trips_every_kind_of_part() {
    let target = Target {
        countries: vec![sd()],
        regions: vec![Region {
            country: CountryCode::parse("EG").unwrap(),
            name: "Cairo".into(),
        }],
        circles: vec![Circle::new(pt(15.5, 32.5), 50.0).unwrap()],
        polygons: vec![square()],
    };
    let text = target.to_geojson().to_string();
    assert_eq!(Target::parse_geojson(&text).unwrap(), target);
}

#[test]
fn geojson_geometries_and_multipolygons_are_read_lon_first() {
    let t = Target::parse_geojson(
        r#"{"type":"MultiPolygon","coordinates":[[[[10,20],[11,20],[11,21],[10,20]]],[[[0,0],[1,0],[1,1],[0,0]]]]}"#,
    )
    .unwrap();
    assert_eq!(t.polygons.len(), 2);
    assert_eq!(t.polygons[0].points[1], pt(20.0, 11.0));
}

#[test]
fn geojson_errors_name_the_member() {
    let err = |text: &str| Target::parse_geojson(text).unwrap_err();
    let e = err("{not json");
    assert_eq!(e.code(), "geojson-invalid");
    let e = err(r#"{"type":"FeatureCollection"}"#);
    assert_eq!(e.element(), Some("features"));
    let e = err(
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}}]}"#,
    );
    assert_eq!(e.element(), Some("features[0].properties.radius_km"));
    let e = err(
        r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0,0],[1,0],[1,1],[0,0]]]}"#,
    );
    assert_eq!(e.element(), Some("coordinates[1]"));
    let e = err(r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],["x",1],[0,0]]]}"#);
    assert_eq!(e.element(), Some("coordinates[0][2]"));
    let e = err(r#"{"type":"LineString","coordinates":[]}"#);
    assert_eq!(e.element(), Some("type"));
    let e = err(r#"{"type":"FeatureCollection","features":[]}"#);
    assert_eq!(e.code(), "geojson-invalid");
    // A region's name the regions field would refuse when the draft is saved again.
    for name in ["Beirut\\nsouth", &"x".repeat(121)] {
        let e = err(&format!(
            r#"{{"type":"Feature","geometry":null,"properties":{{"country":"LB","region":"{name}"}}}}"#
        ));
        assert_eq!(e.element(), Some("properties.region"), "{name}");
    }
    assert!(
        Target::parse_geojson(
            r#"{"type":"Feature","geometry":null,"properties":{"country":"LB","region":"Beirut"}}"#
        )
        .is_ok()
    );
}

#[test]
fn geojson_shape_errors_name_the_ring_and_point() {
    let e = Target::parse_geojson(
        r#"{"type":"Feature","properties":null,"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}"#,
    )
    .unwrap_err();
    assert_eq!(e.code(), "not-closed");
    assert_eq!(e.element(), Some("geometry.coordinates[0]"));
    assert_eq!(e.point(), Some(4));
    let e =
        Target::parse_geojson(r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,95],[0,0]]]}"#)
            .unwrap_err();
    assert_eq!((e.code(), e.point()), ("latitude-range", Some(3)));
    assert!(
        e.to_string()
            .starts_with("coordinates[0]: point 3: latitude 95"),
        "{e}"
    );
}

#[test]
fn geojson_unknown_countries_are_named() {
    let e = Target::parse_geojson(
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"country":"SD"}},{"type":"Feature","geometry":null,"properties":{"country":"XX"}}]}"#,
    )
    .unwrap_err();
    assert_eq!(e.code(), "country-unknown");
    assert_eq!(e.element(), Some("features[1].properties.country"));
    assert!(e.to_string().contains("\"XX\""), "{e}");
}

#[test]
fn cap_polygon_becomes_a_target() {
    let t = Target::from_cap_polygon("10,10 10,20 20,20 20,10 10,10").unwrap();
    assert_eq!(t.polygons, vec![square()]);
    assert_eq!(
        Target::from_cap_polygon("10,10 10,20 20,20")
            .unwrap_err()
            .code(),
        "too-few-points"
    );
}

prop_compose! {
    /// A convex polygon: points on an ellipse at increasing angles, closed.
    fn convex()(lat in -60.0f64..60.0, lon in -155.0f64..155.0, ry in 0.1f64..20.0, rx in 0.1f64..9.0,
                mut angles in prop::collection::vec(0.0f64..1.0, 3..40)) -> (Point, f64, f64, Polygon) {
        angles.sort_by(f64::total_cmp);
        angles.dedup_by(|a, b| (*a - *b).abs() < 1e-3);
        let mut points: Vec<Point> = angles.iter().map(|t| {
            let a = t * std::f64::consts::TAU;
            pt(lat + rx * a.sin(), lon + ry * a.cos())
        }).collect();
        if let Some(first) = points.first().copied() { points.push(first); }
        (pt(lat, lon), rx, ry, Polygon { points })
    }
}

proptest! {
    #[test]
    fn convex_polygons_contain_their_centroid_and_not_far_points(
        (center, rx, ry, poly) in convex(),
        t in 0.0f64..1.0, k in 1.01f64..3.0,
    ) {
        prop_assume!(poly.points.len() >= 4);
        // Skip rings too thin to be valid polygons (3 points almost on a line).
        let Ok(poly) = Polygon::new(poly.points) else { return Ok(()); };
        let n = (poly.points.len() - 1) as f64;
        let c = poly.points[..poly.points.len() - 1].iter().fold(pt(0.0, 0.0), |acc, p| pt(acc.lat + p.lat / n, acc.lon + p.lon / n));
        prop_assert!(poly.contains(c));
        // Outside the ellipse the points are drawn on: never inside.
        let a = t * std::f64::consts::TAU;
        let far = pt(center.lat + k * rx * a.sin(), center.lon + k * ry * a.cos());
        prop_assert!(!poly.contains(far));
        // The bbox holds every vertex.
        let (a0, b0, c0, d0) = poly.bbox();
        prop_assert!(poly.points.iter().all(|p| p.lat >= a0 && p.lat <= c0 && p.lon >= b0 && p.lon <= d0));
    }

    #[test]
    fn convex_polygons_are_valid(( _c, _rx, _ry, poly) in convex()) {
        prop_assume!(poly.points.len() >= 5);
        // Four or more distinct points on an ellipse in angular order never cross.
        let result = Polygon::new(poly.points.clone());
        prop_assert!(result.is_ok(), "{:?}", result);
    }

    #[test]
    fn circles_contain_what_is_nearer_than_the_radius(
        lat in -80.0f64..80.0, lon in -179.0f64..179.0, r in 1.0f64..2000.0,
        blat in -89.0f64..89.0, blon in -180.0f64..180.0,
    ) {
        let c = Circle::new(pt(lat, lon), r).unwrap();
        let p = pt(blat, blon);
        prop_assert_eq!(c.contains(p), c.center.distance_km(p) <= r);
        prop_assert!(c.contains(c.center));
        // Every point within the radius falls in the box.
        if c.contains(p) {
            let (a, b, cc, d) = c.bbox();
            prop_assert!(p.lat >= a && p.lat <= cc && p.lon >= b && p.lon <= d, "{:?} {:?}", p, c.bbox());
        }
        // A point one degree of latitude further than the radius is outside.
        let beyond = (lat + r / KM_PER_DEGREE + 1.0).min(90.0);
        if beyond < 90.0 {
            prop_assert!(!c.contains(pt(beyond, lon)));
        }
    }
}

#[test]
fn an_edge_across_the_180th_meridian_is_refused_not_turned_inside_out() {
    // Around Fiji, drawn across 180: read as drawn it would cover the band of latitude
    // around the rest of the world.
    let err = Polygon::parse_cap("-16,179 -16,-179 -18,-179 -18,179 -16,179").unwrap_err();
    assert_eq!(err, GeoError::CrossesAntimeridian { edge: 1 });
    assert_eq!(err.code(), "crosses-antimeridian");
    assert_eq!(err.point(), Some(1));
    // Each side on its own is a polygon like any other.
    let east = Polygon::parse_cap("-16,179 -16,180 -18,180 -18,179 -16,179").unwrap();
    assert!(east.contains(pt(-17.0, 179.5)));
    assert!(!east.contains(pt(-17.0, 0.0)));
}

#[test]
fn the_points_on_every_edge_are_inside() {
    let square = Polygon::parse_cap("0,0 0,1 1,1 1,0 0,0").unwrap();
    for on_edge in [
        pt(0.0, 0.5),
        pt(1.0, 0.5),
        pt(0.5, 0.0),
        pt(0.5, 1.0),
        pt(1.0, 1.0),
    ] {
        assert!(square.contains(on_edge), "{on_edge:?}");
    }
    assert!(!square.contains(pt(1.000_001, 0.5)));
    assert!(!square.contains(pt(0.5, -0.000_001)));
}
