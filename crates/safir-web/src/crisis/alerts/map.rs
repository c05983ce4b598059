//! A server-drawn preview of an area: its polygons and circles on a plain latitude/longitude
//! grid (equirectangular), zoomed to the area. No map tiles and no script: the page works
//! offline and without JavaScript; staff paste GeoJSON or CAP text to draw.

use fluent_bundle::FluentArgs;
use safir_domain::crisis::geo::{Circle, Point, Target};

use crate::i18n::{I18n, Lang};

/// Degrees to SVG units: x = (lon + 180) × S, y = (90 − lat) × S.
const S: f64 = 4.0;

pub struct GridLine {
    pub x1: String,
    pub y1: String,
    pub x2: String,
    pub y2: String,
    pub label: String,
}

pub struct MapView {
    pub view_box: String,
    /// `points` attributes, one per polygon or circle outline.
    pub shapes: Vec<String>,
    pub grid: Vec<GridLine>,
    pub stroke: String,
    /// The shapes' southernmost, northernmost, westernmost and easternmost degrees, and the
    /// grid's step: the figure says in words where the area is, which the grid alone, zoomed
    /// to the area, does not (an area drawn with latitude and longitude swapped looks the same).
    extent: Option<([f64; 4], f64)>,
}

fn xy(p: Point) -> (f64, f64) {
    ((p.lon + 180.0) * S, (90.0 - p.lat) * S)
}

/// The circle's outline as 72 points (great-circle destinations from the centre).
fn circle_outline(c: &Circle) -> Vec<Point> {
    let r = c.radius_km / 6371.0088;
    let (lat1, lon1) = (c.center.lat.to_radians(), c.center.lon.to_radians());
    (0..=72)
        .map(|i| {
            let b = f64::from(i) * 5.0_f64.to_radians();
            let lat2 = (lat1.sin() * r.cos() + lat1.cos() * r.sin() * b.cos()).asin();
            let lon2 =
                lon1 + (b.sin() * r.sin() * lat1.cos()).atan2(r.cos() - lat1.sin() * lat2.sin());
            let lon = (lon2.to_degrees() + 540.0) % 360.0 - 180.0;
            Point {
                lat: lat2.to_degrees(),
                lon,
            }
        })
        .collect()
}

impl MapView {
    pub fn new(target: &Target) -> MapView {
        let mut outlines: Vec<Vec<Point>> =
            target.polygons.iter().map(|p| p.points.clone()).collect();
        outlines.extend(target.circles.iter().map(circle_outline));
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in outlines.iter().flatten() {
            let (x, y) = xy(*p);
            min_x = min_x.min(x);
            min_y = min_y.min(y);
            max_x = max_x.max(x);
            max_y = max_y.max(y);
        }
        if outlines.is_empty() {
            (min_x, min_y, max_x, max_y) = (0.0, 0.0, 360.0 * S, 180.0 * S);
        }
        // At least 2 degrees across, with a margin of a fifth on every side.
        let w = (max_x - min_x).max(2.0 * S);
        let h = (max_y - min_y).max(2.0 * S);
        let (cx, cy) = ((min_x + max_x) / 2.0, (min_y + max_y) / 2.0);
        let (w, h) = (w * 1.4, h * 1.4);
        let (x0, y0) = (cx - w / 2.0, cy - h / 2.0);
        let shapes = outlines
            .iter()
            .map(|o| {
                o.iter()
                    .map(|p| {
                        let (x, y) = xy(*p);
                        format!("{x:.2},{y:.2}")
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        // Grid lines at a step that gives a handful across the view.
        let span = (w / S).max(h / S);
        let step = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0]
            .into_iter()
            .find(|s| span / s <= 12.0)
            .unwrap_or(30.0);
        let mut grid = Vec::new();
        // Only the lines inside the view: the picture is wider than the view on a wide
        // screen, and a line beyond it would stick out past the others.
        let lon_from = ((x0 / S - 180.0) / step).ceil() as i64;
        let lon_to = (((x0 + w) / S - 180.0) / step).floor() as i64;
        for i in lon_from..=lon_to {
            let lon = i as f64 * step;
            let x = (lon + 180.0) * S;
            grid.push(GridLine {
                x1: format!("{x:.2}"),
                y1: format!("{y0:.2}"),
                x2: format!("{x:.2}"),
                y2: format!("{:.2}", y0 + h),
                label: format!("{lon}°"),
            });
        }
        let lat_from = ((90.0 - (y0 + h) / S) / step).ceil() as i64;
        let lat_to = ((90.0 - y0 / S) / step).floor() as i64;
        for i in lat_from..=lat_to {
            let lat = i as f64 * step;
            let y = (90.0 - lat) * S;
            grid.push(GridLine {
                x1: format!("{x0:.2}"),
                y1: format!("{y:.2}"),
                x2: format!("{:.2}", x0 + w),
                y2: format!("{y:.2}"),
                label: format!("{lat}°"),
            });
        }
        let extent = (!outlines.is_empty()).then(|| {
            let (south, north) = (90.0 - max_y / S, 90.0 - min_y / S);
            let (west, east) = (min_x / S - 180.0, max_x / S - 180.0);
            ([south, north, west, east], step)
        });
        MapView {
            view_box: format!("{x0:.2} {y0:.2} {w:.2} {h:.2}"),
            shapes,
            grid,
            stroke: format!("{:.3}", w / 300.0),
            extent,
        }
    }

    /// Where the area lies, in words: "between latitudes 1.51° S and 1.07° S and longitudes
    /// 36.60° E and 37.04° E", with the grid's step.
    pub fn extent_text(&self, lang: &Lang) -> Option<String> {
        let lang = *lang;
        let ([south, north, west, east], step) = self.extent?;
        let i18n = I18n::global();
        let degrees = |value: f64, positive: &str, negative: &str| {
            let mut args = FluentArgs::new();
            // Two decimals: about a kilometre, and never "-0.00".
            let value = (value * 100.0).round() / 100.0;
            args.set("value", format!("{:.2}", value.abs()));
            i18n.t_args(lang, if value < 0.0 { negative } else { positive }, &args)
        };
        let latitude = |v| degrees(v, "crisis-map-north", "crisis-map-south");
        let longitude = |v| degrees(v, "crisis-map-east", "crisis-map-west");
        let mut args = FluentArgs::new();
        args.set("south", latitude(south));
        args.set("north", latitude(north));
        args.set("west", longitude(west));
        args.set("east", longitude(east));
        args.set("step", step.to_string());
        Some(i18n.t_args(lang, "crisis-map-extent", &args))
    }

    pub fn has_shapes(&self) -> bool {
        !self.shapes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_is_drawn_around_its_centre() {
        let c = Circle {
            center: Point {
                lat: 10.0,
                lon: 20.0,
            },
            radius_km: 111.2,
        };
        let outline = circle_outline(&c);
        assert_eq!(outline.len(), 73);
        let north = outline[0];
        assert!((north.lat - 11.0).abs() < 0.01, "{north:?}");
        let target = Target {
            circles: vec![c],
            ..Target::default()
        };
        let map = MapView::new(&target);
        assert!(map.has_shapes());
        assert!(!map.grid.is_empty());
    }

    /// Nairobi, 25 km around: south of the equator, east of Greenwich.
    fn nairobi() -> Target {
        Target {
            circles: vec![Circle {
                center: Point {
                    lat: -1.29,
                    lon: 36.82,
                },
                radius_km: 25.0,
            }],
            ..Target::default()
        }
    }

    #[test]
    fn the_figure_says_where_the_area_lies() {
        let map = MapView::new(&nairobi());
        assert_eq!(
            map.extent_text(&Lang::En).unwrap(),
            "The area lies between latitudes 1.51° S and 1.07° S and longitudes 36.60° E and \
             37.04° E; grid lines every 0.25°."
        );
        let ar = map.extent_text(&Lang::Ar).unwrap();
        assert!(ar.contains("1.51 درجة جنوبًا"), "{ar}");
        assert!(ar.contains("37.04 درجة شرقًا"), "{ar}");
        // Manhattan, north and west; the same square with its coordinates swapped is
        // somewhere else, which the words say where the drawing cannot.
        let square = |points: [(f64, f64); 5]| Target {
            polygons: vec![safir_domain::crisis::geo::Polygon {
                points: points.map(|(lat, lon)| Point { lat, lon }).to_vec(),
            }],
            ..Target::default()
        };
        let corners = [
            (40.70, -74.02),
            (40.70, -73.93),
            (40.80, -73.93),
            (40.80, -74.02),
            (40.70, -74.02),
        ];
        let text = MapView::new(&square(corners))
            .extent_text(&Lang::En)
            .unwrap();
        assert!(
            text.contains("latitudes 40.70° N and 40.80° N and longitudes 74.02° W and 73.93° W"),
            "{text}"
        );
        let swapped = MapView::new(&square(corners.map(|(lat, lon)| (lon, lat))))
            .extent_text(&Lang::En)
            .unwrap();
        assert!(
            swapped
                .contains("latitudes 74.02° S and 73.93° S and longitudes 40.70° E and 40.80° E"),
            "{swapped}"
        );
        assert!(
            MapView::new(&Target::default())
                .extent_text(&Lang::En)
                .is_none()
        );
    }

    #[test]
    fn the_grid_stays_inside_the_view() {
        let map = MapView::new(&nairobi());
        let view: Vec<f64> = map
            .view_box
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        let (x0, y0, x1, y1) = (view[0], view[1], view[0] + view[2], view[1] + view[3]);
        let inside = |x: &str, y: &str| {
            let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
            (x0 - 0.01..=x1 + 0.01).contains(&x) && (y0 - 0.01..=y1 + 0.01).contains(&y)
        };
        assert!(map.grid.len() >= 4, "{}", map.grid.len());
        for g in &map.grid {
            assert!(
                inside(&g.x1, &g.y1) && inside(&g.x2, &g.y2),
                "{} outside {}",
                g.label,
                map.view_box
            );
        }
    }
}
