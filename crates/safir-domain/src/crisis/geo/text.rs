//! A target in a few words, for lists, previews and messages.

use super::Target;
use crate::Lang;

impl Target {
    /// A short text naming the countries and regions and counting the shapes, e.g.
    /// "Sudan; Khartoum (Egypt); 1 circle (50 km)".
    pub fn describe(&self, lang: Lang) -> String {
        let mut parts: Vec<String> = Vec::new();
        let countries: Vec<&str> = self.countries.iter().map(|c| c.name(lang)).collect();
        if !countries.is_empty() {
            parts.push(countries.join(list_sep(lang)));
        }
        for r in &self.regions {
            parts.push(format!("{} ({})", r.name.trim(), r.country.name(lang)));
        }
        match self.circles.as_slice() {
            [] => {}
            [c] => parts.push(match lang {
                Lang::Ar => format!("دائرة نصف قطرها {} كم", km(c.radius_km)),
                Lang::En => format!("a circle of {} km", km(c.radius_km)),
                Lang::Fr => format!("un cercle de {} km", km(c.radius_km)),
            }),
            many => parts.push(match lang {
                Lang::Ar => format!("عدد الدوائر: {}", many.len()),
                Lang::En => format!("{} circles", many.len()),
                Lang::Fr => format!("{} cercles", many.len()),
            }),
        }
        match self.polygons.len() {
            0 => {}
            1 => parts.push(
                match lang {
                    Lang::Ar => "منطقة محددة على الخريطة",
                    Lang::En => "an area drawn on the map",
                    Lang::Fr => "une zone tracée sur la carte",
                }
                .to_owned(),
            ),
            n => parts.push(match lang {
                Lang::Ar => format!("عدد المناطق المحددة على الخريطة: {n}"),
                Lang::En => format!("{n} areas drawn on the map"),
                Lang::Fr => format!("{n} zones tracées sur la carte"),
            }),
        }
        if parts.is_empty() {
            return match lang {
                Lang::Ar => "لا منطقة",
                Lang::En => "no area",
                Lang::Fr => "aucune zone",
            }
            .to_owned();
        }
        parts.join(match lang {
            Lang::Ar => "؛ ",
            _ => "; ",
        })
    }
}

fn list_sep(lang: Lang) -> &'static str {
    match lang {
        Lang::Ar => "، ",
        _ => ", ",
    }
}

/// Whole kilometres when the radius is whole, else one decimal.
fn km(r: f64) -> String {
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}
