//! GeoJSON (RFC 7946) in and out. Positions are `[longitude, latitude]`. Countries and regions
//! travel as features without geometry whose properties name them, so a target survives the
//! round trip whole.

use serde_json::{Map, Value, json};

use super::{Circle, GeoError, Point, Polygon, Region, Target};
use crate::CountryCode;

fn invalid(element: impl Into<String>, reason: &'static str) -> GeoError {
    GeoError::InvalidGeoJson {
        element: element.into(),
        reason,
    }
}

fn member(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

impl Target {
    /// A Polygon, MultiPolygon, GeometryCollection, Feature or FeatureCollection. A Point
    /// feature with a numeric `radius_km` property is a circle; a feature without geometry
    /// whose properties hold `country` (and optionally `region`) targets that country or region.
    pub fn parse_geojson(text: &str) -> Result<Target, GeoError> {
        let value: Value = serde_json::from_str(text).map_err(|_| invalid("", "not valid JSON"))?;
        let mut target = Target::default();
        add_object(&value, "", &mut target)?;
        if target.is_empty() {
            return Err(invalid("", "no area in the document"));
        }
        Ok(target)
    }

    /// The target as a FeatureCollection that `parse_geojson` reads back.
    pub fn to_geojson(&self) -> Value {
        let mut features = Vec::new();
        for c in &self.countries {
            features.push(
                json!({"type": "Feature", "geometry": null, "properties": {"country": c.as_str()}}),
            );
        }
        for r in &self.regions {
            features.push(json!({
                "type": "Feature", "geometry": null,
                "properties": {"country": r.country.as_str(), "region": r.name},
            }));
        }
        for c in &self.circles {
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.center.lon, c.center.lat]},
                "properties": {"radius_km": c.radius_km},
            }));
        }
        for p in &self.polygons {
            let ring: Vec<Value> = p.points.iter().map(|pt| json!([pt.lon, pt.lat])).collect();
            features.push(json!({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {},
            }));
        }
        json!({"type": "FeatureCollection", "features": features})
    }
}

fn kind<'a>(v: &'a Value, path: &str) -> Result<&'a str, GeoError> {
    if !v.is_object() {
        return Err(invalid(path, "expected an object"));
    }
    v.get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(member(path, "type"), "missing or not a string"))
}

fn array<'a>(v: &'a Value, path: &str, name: &str) -> Result<&'a Vec<Value>, GeoError> {
    v.get(name)
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(member(path, name), "missing or not an array"))
}

fn add_object(v: &Value, path: &str, t: &mut Target) -> Result<(), GeoError> {
    match kind(v, path)? {
        "FeatureCollection" => {
            for (i, f) in array(v, path, "features")?.iter().enumerate() {
                let p = format!("{}[{i}]", member(path, "features"));
                match kind(f, &p)? {
                    "Feature" => add_feature(f, &p, t)?,
                    _ => return Err(invalid(member(&p, "type"), "expected \"Feature\"")),
                }
            }
            Ok(())
        }
        "Feature" => add_feature(v, path, t),
        _ => add_geometry(v, path, t),
    }
}

fn add_feature(f: &Value, path: &str, t: &mut Target) -> Result<(), GeoError> {
    let empty = Map::new();
    let props = match f.get("properties") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(invalid(
                member(path, "properties"),
                "expected an object or null",
            ));
        }
    };
    let geometry = f.get("geometry").filter(|g| !g.is_null());
    let Some(geometry) = geometry else {
        return add_named_area(props, &member(path, "properties"), t);
    };
    let gpath = member(path, "geometry");
    if kind(geometry, &gpath)? == "Point" {
        let radius = props
            .get("radius_km")
            .and_then(Value::as_f64)
            .ok_or_else(|| {
                invalid(
                    member(path, "properties.radius_km"),
                    "a Point needs a numeric radius_km",
                )
            })?;
        let center = position(
            geometry.get("coordinates"),
            &member(&gpath, "coordinates"),
            None,
        )?;
        let circle = Circle::new(center, radius).map_err(|e| e.within(gpath.clone()))?;
        t.circles.push(circle);
        return Ok(());
    }
    add_geometry(geometry, &gpath, t)
}

fn add_named_area(props: &Map<String, Value>, path: &str, t: &mut Target) -> Result<(), GeoError> {
    let code = props
        .get("country")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(path, "a feature needs a geometry or a country property"))?;
    let country = CountryCode::parse(code).map_err(|_| {
        GeoError::UnknownCountry {
            code: code.to_owned(),
        }
        .within(member(path, "country"))
    })?;
    match props.get("region").and_then(Value::as_str).map(str::trim) {
        // The regions field's rule, where the area is shown and saved again: one line of at
        // most 120 characters.
        Some(name) if name.chars().count() > 120 || name.chars().any(char::is_control) => {
            return Err(invalid(
                member(path, "region"),
                "a region's name is one line of at most 120 characters",
            ));
        }
        Some(name) if !name.is_empty() => t.regions.push(Region {
            country,
            name: name.to_owned(),
        }),
        _ => t.countries.push(country),
    }
    Ok(())
}

fn add_geometry(g: &Value, path: &str, t: &mut Target) -> Result<(), GeoError> {
    match kind(g, path)? {
        "Polygon" => {
            let rings = array(g, path, "coordinates")?;
            t.polygons
                .push(polygon(rings, &member(path, "coordinates"))?);
        }
        "MultiPolygon" => {
            let coords = member(path, "coordinates");
            for (i, rings) in array(g, path, "coordinates")?.iter().enumerate() {
                let p = format!("{coords}[{i}]");
                let rings = rings
                    .as_array()
                    .ok_or_else(|| invalid(p.clone(), "expected an array of rings"))?;
                t.polygons.push(polygon(rings, &p)?);
            }
        }
        "GeometryCollection" => {
            for (i, child) in array(g, path, "geometries")?.iter().enumerate() {
                add_geometry(child, &format!("{}[{i}]", member(path, "geometries")), t)?;
            }
        }
        "Point" => {
            return Err(invalid(
                member(path, "type"),
                "a Point is a circle only in a Feature with radius_km",
            ));
        }
        _ => return Err(invalid(member(path, "type"), "unsupported type")),
    }
    Ok(())
}

fn polygon(rings: &[Value], path: &str) -> Result<Polygon, GeoError> {
    match rings.len() {
        0 => return Err(invalid(path, "a polygon needs a ring")),
        1 => {}
        _ => return Err(invalid(format!("{path}[1]"), "holes are not supported")),
    }
    let ring_path = format!("{path}[0]");
    let positions = rings[0]
        .as_array()
        .ok_or_else(|| invalid(ring_path.clone(), "expected an array of positions"))?;
    let points = positions
        .iter()
        .enumerate()
        .map(|(i, p)| position(Some(p), &format!("{ring_path}[{i}]"), Some(i + 1)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| match e {
            GeoError::InvalidGeoJson { .. } => e,
            e => e.within(ring_path.clone()),
        })?;
    Polygon::new(points).map_err(|e| e.within(ring_path))
}

/// `[longitude, latitude]` (a third, altitude, is ignored).
fn position(v: Option<&Value>, path: &str, index: Option<usize>) -> Result<Point, GeoError> {
    let coords = v
        .and_then(Value::as_array)
        .filter(|a| a.len() >= 2)
        .ok_or_else(|| invalid(path, "a position is [longitude, latitude]"))?;
    let (Some(lon), Some(lat)) = (coords[0].as_f64(), coords[1].as_f64()) else {
        return Err(invalid(path, "a position is [longitude, latitude]"));
    };
    match index {
        Some(_) => Point::at(lat, lon, index),
        None => Point::at(lat, lon, None).map_err(|e| e.within(path)),
    }
}
