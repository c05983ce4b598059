//! Names of roles, mission kinds, countries and content languages in the interface
//! language, shared by the staff and admin pages.

use std::sync::OnceLock;

use safir_domain::CountryCode;
use safir_domain::mission::MissionKind;
use safir_domain::roles::Role;

use crate::i18n::{I18n, Lang};

/// The content language matching an interface language.
pub fn content_lang(lang: Lang) -> safir_domain::Lang {
    match lang {
        Lang::Ar => safir_domain::Lang::Ar,
        Lang::En => safir_domain::Lang::En,
    }
}

/// A stored role name, translated; an unknown one is shown as stored.
pub fn role(lang: Lang, stored: &str) -> String {
    match Role::parse(stored) {
        Ok(r) => I18n::global().t(lang, &format!("role-{}", r.as_str().replace('_', "-"))),
        Err(_) => stored.to_owned(),
    }
}

pub fn mission_kind(lang: Lang, stored: &str) -> String {
    match MissionKind::parse(stored) {
        Ok(k) => I18n::global().t(
            lang,
            &format!("mission-kind-{}", k.as_str().replace('_', "-")),
        ),
        Err(_) => stored.to_owned(),
    }
}

pub fn country(lang: Lang, stored: &str) -> String {
    match CountryCode::parse(stored) {
        Ok(c) => c.name(content_lang(lang)).to_owned(),
        Err(_) => stored.to_owned(),
    }
}

/// Every country as (code, name in the interface language), in the order of the names: the
/// choices of the forms that ask for a country.
pub fn countries_by_name(lang: Lang) -> Vec<(CountryCode, &'static str)> {
    // Sorted once per language: the crisis registration form draws this list for every
    // citizen who opens it.
    static SORTED: [OnceLock<Vec<(CountryCode, &'static str)>>; 2] =
        [OnceLock::new(), OnceLock::new()];
    let slot = match lang {
        Lang::Ar => &SORTED[0],
        Lang::En => &SORTED[1],
    };
    slot.get_or_init(|| {
        let content = content_lang(lang);
        let mut all: Vec<(CountryCode, &'static str)> =
            CountryCode::all().map(|c| (c, c.name(content))).collect();
        all.sort_by_cached_key(|(_, name)| sort_key(name));
        all
    })
    .clone()
}

/// Where a name goes in a list shown to people, Arabic or English: by its search key (lower
/// case; أ إ آ ٱ read as ا, ى as ي, ة as ه; no marks or tatweel), then as written. So the
/// names that begin with any form of alef are in one run, in the order of their next letters
/// (إسبانيا before أستراليا, as an Arabic dictionary has them), rather than grouped by
/// which alef they begin with, as the order of the code points would put them.
pub fn sort_key(name: &str) -> (String, String) {
    (safir_store::name_key::name_key(name), name.to_owned())
}

/// A content language code (`ar`, `en`, `fr`) by name.
pub fn content_language(lang: Lang, code: &str) -> String {
    match safir_domain::Lang::parse(code) {
        Ok(l) => I18n::global().t(lang, &format!("content-language-{}", l.code())),
        Err(_) => code.to_owned(),
    }
}

/// The space-separated language list of a mission, by name.
pub fn content_languages(lang: Lang, stored: &str) -> String {
    let sep = match lang {
        Lang::Ar => "، ",
        Lang::En => ", ",
    };
    stored
        .split_whitespace()
        .map(|c| content_language(lang, c))
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_kind_and_language_has_a_name_in_both_languages() {
        for lang in Lang::ALL {
            for r in Role::ALL {
                assert_ne!(role(lang, r.as_str()), r.as_str());
            }
            for k in MissionKind::ALL {
                assert_ne!(mission_kind(lang, k.as_str()), k.as_str());
            }
        }
        assert_eq!(content_languages(Lang::En, "ar fr"), "Arabic, French");
        assert_eq!(content_languages(Lang::Ar, "ar en"), "العربية، الإنجليزية");
        assert_eq!(country(Lang::En, "FR"), "France");
        assert_eq!(role(Lang::Ar, "consular_officer"), "موظف قنصلي");
    }

    #[test]
    fn names_are_listed_in_dictionary_order() {
        let mut names = vec![
            "أستراليا",
            "إيطاليا",
            "آيسلندا",
            "إسبانيا",
            "اليمن",
            "ألمانيا",
            "بلجيكا",
        ];
        names.sort_by_cached_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "إسبانيا",
                "أستراليا",
                "ألمانيا",
                "اليمن",
                "آيسلندا",
                "إيطاليا",
                "بلجيكا"
            ]
        );
        let ar = countries_by_name(Lang::Ar);
        let at = |code: &str| ar.iter().position(|(c, _)| c.as_str() == code).unwrap();
        // Spain, Australia and Germany among the alef names, not after every other one.
        assert!(at("ES") < at("AU") && at("AU") < at("DE") && at("DE") < at("IT"));
        let en = countries_by_name(Lang::En);
        assert_eq!(en.first().map(|(c, _)| c.as_str()), Some("AF"));
    }
}
