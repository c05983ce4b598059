//! Translations: the Fluent catalogs embedded in the binary, the `Lang` the
//! interface speaks, and how a request's language is chosen (`negotiate`).

mod negotiate;

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
use rustc_hash::FxHashMap;
use unic_langid::LanguageIdentifier;

pub use fluent_bundle::{FluentArgs, FluentValue};
pub use negotiate::{
    LANG_COOKIE, PreferredLang, chosen_lang, negotiate, negotiate_language, query_lang,
};

/// A language of the interface. Arabic is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ar,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ar, Lang::En];

    /// BCP 47 code, as used in `<html lang>`, `hreflang` and the `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    /// Text direction for `<html dir>`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En => "ltr",
        }
    }

    /// The arrow from what was to what came of it, pointing the way the language reads:
    /// arrows are not mirrored in right-to-left text, so Arabic takes the left-pointing one.
    pub fn arrow(self) -> &'static str {
        match self {
            Lang::Ar => "←",
            Lang::En => "→",
        }
    }

    /// The language a switcher offers from this one.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ar => Lang::En,
            Lang::En => Lang::Ar,
        }
    }

    /// Parses a language tag, accepting regional variants (`ar-EG`, `en-GB`).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        if primary.eq_ignore_ascii_case("ar") {
            Some(Lang::Ar)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::Ar => 0,
            Lang::En => 1,
        }
    }
}

/// One Fluent file per context, in both languages: `locales/{ar,en}/<name>.ftl`.
macro_rules! catalogs {
    ($($name:literal),* $(,)?) => {
        [$((
            include_str!(concat!("../../locales/ar/", $name, ".ftl")),
            include_str!(concat!("../../locales/en/", $name, ".ftl")),
        )),*]
    };
}

const CATALOGS: &[(&str, &str)] = &catalogs![
    "main",
    "accounts",
    "admin",
    "staff",
    "api",
    "email",
    "consular",
    "consular_staff",
    "advice",
    "appointments",
    "evisa",
    "documents",
    "crisis_alerts",
    "crisis_board",
    "crisis_registration",
    "crisis_delivery",
];

/// A language's catalog: its context files joined.
fn source(lang: Lang) -> String {
    let mut out = String::new();
    for (ar, en) in CATALOGS {
        out.push_str(match lang {
            Lang::Ar => ar,
            Lang::En => en,
        });
        out.push('\n');
    }
    out
}

fn sources() -> [(Lang, String); 2] {
    [(Lang::Ar, source(Lang::Ar)), (Lang::En, source(Lang::En))]
}

/// The loaded catalogs. Cheap to share: use [`I18n::global`].
pub struct I18n {
    bundles: [FluentBundle<FluentResource>; 2],
    /// Per language, every message that reads the same whatever the arguments (no variable,
    /// no selector on one), formatted once: [`I18n::t`] copies it out instead of formatting
    /// it again. Pages ask for dozens of these on every view.
    plain: [FxHashMap<Box<str>, Box<str>>; 2],
}

static GLOBAL: LazyLock<I18n> = LazyLock::new(|| {
    I18n::from_sources(sources()).unwrap_or_else(|e| panic!("embedded Fluent catalog: {e}"))
});

/// The plural form of a count in Arabic, by CLDR's rules: `zero`, `one`, `two`, `few`
/// (3–10 and 103–110, 203–210 …), `many` (11–99, 111–199 …) or `other` (100–102, 200 …,
/// and fractions). The Arabic catalog selects with `{ PLURAL($count) -> … }` rather than
/// on the number itself: the plural rules Fluent uses compare the whole number with 3–10 and
/// 11–99 where CLDR compares its last two digits, so from 100 on every count came out
/// `other` ("آخر 365 يوم" for «آخر 365 يومًا»).
pub fn arabic_plural(n: f64) -> &'static str {
    let n = n.abs();
    if n.fract() != 0.0 || !n.is_finite() {
        return "other";
    }
    let last_two = n % 100.0;
    if n == 0.0 {
        "zero"
    } else if n == 1.0 {
        "one"
    } else if n == 2.0 {
        "two"
    } else if (3.0..=10.0).contains(&last_two) {
        "few"
    } else if (11.0..=99.0).contains(&last_two) {
        "many"
    } else {
        "other"
    }
}

impl I18n {
    /// The catalogs embedded in the binary, parsed on first use.
    pub fn global() -> &'static I18n {
        &GLOBAL
    }

    fn from_sources(sources: [(Lang, String); 2]) -> Result<I18n, String> {
        let mut built = Vec::with_capacity(2);
        for (lang, source) in sources {
            let resource = FluentResource::try_new(source)
                .map_err(|(_, errors)| format!("{}: {errors:?}", lang.code()))?;
            let id: LanguageIdentifier = lang
                .code()
                .parse()
                .map_err(|e| format!("{}: {e}", lang.code()))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Templates isolate user text themselves with <bdi> and dir="auto";
            // Fluent's invisible FSI/PDI marks would leak into attributes and e-mails.
            bundle.set_use_isolating(false);
            if lang == Lang::Ar {
                bundle
                    .add_function("PLURAL", |args, _| match args.first() {
                        Some(FluentValue::Number(n)) => arabic_plural(n.value).into(),
                        Some(other) => other.clone(),
                        None => FluentValue::Error,
                    })
                    .map_err(|e| format!("ar: {e:?}"))?;
            }
            let ids = message_ids(&resource);
            bundle
                .add_resource(resource)
                .map_err(|errors| format!("{}: {errors:?}", lang.code()))?;
            let plain = plain_messages(&bundle, ids);
            built.push((lang, bundle, plain));
        }
        built.sort_by_key(|(lang, _, _)| lang.index());
        let mut built = built.into_iter().map(|(_, b, p)| (b, p));
        let ((ar, ar_plain), (en, en_plain)) = match (built.next(), built.next()) {
            (Some(ar), Some(en)) => (ar, en),
            _ => return Err("both catalogs are required".to_owned()),
        };
        let plain = [ar_plain, en_plain];
        Ok(I18n {
            bundles: [ar, en],
            plain,
        })
    }

    /// The message `key` in `lang`.
    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.text(lang, key).into_owned()
    }

    /// [`I18n::t`] without the copy when the message reads the same whatever the arguments:
    /// for what every page draws (the header, the navigation).
    pub fn text(&self, lang: Lang, key: &str) -> Cow<'_, str> {
        match self.plain[lang.index()].get(key) {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(self.format(lang, key, None)),
        }
    }

    /// The message `key` in `lang` with arguments (counts select plural forms).
    pub fn t_args(&self, lang: Lang, key: &str, args: &FluentArgs) -> String {
        self.format(lang, key, Some(args))
    }

    /// Whether `key` names a message with a value in `lang`.
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundles[lang.index()]
            .get_message(key)
            .is_some_and(|m| m.value().is_some())
    }

    /// The ids of every message in `lang`'s catalog, in file order.
    pub fn keys(&self, lang: Lang) -> Vec<String> {
        match FluentResource::try_new(source(lang)) {
            Ok(resource) => message_ids(&resource),
            Err((resource, _)) => message_ids(&resource),
        }
    }

    fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = &self.bundles[lang.index()];
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            // A key is the code's, but may end in a value from outside: log a bounded part.
            let key_start: String = key.chars().take(80).collect();
            tracing::warn!(lang = lang.code(), key = key_start, "missing translation");
            return key.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                lang = lang.code(),
                key,
                ?errors,
                "translation formatted with errors"
            );
        }
        match text {
            Cow::Borrowed(s) => s.to_owned(),
            Cow::Owned(s) => s,
        }
    }
}

/// The messages of `bundle` whose text does not depend on arguments, formatted. A message
/// that needs an argument reports an error when formatted without one, and is left out.
fn plain_messages(
    bundle: &FluentBundle<FluentResource>,
    ids: Vec<String>,
) -> FxHashMap<Box<str>, Box<str>> {
    let mut plain = FxHashMap::default();
    for id in ids {
        let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) else {
            continue;
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, None, &mut errors);
        if errors.is_empty() {
            plain.insert(id.into_boxed_str(), Box::from(text.as_ref()));
        }
    }
    plain
}

fn message_ids(resource: &FluentResource) -> Vec<String> {
    use fluent_syntax::ast::Entry;
    resource
        .entries()
        .filter_map(|entry| match entry {
            Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// A value written left to right (a date, a time) as it goes into a sentence or a title in
/// `lang`. In Arabic it goes between two left-to-right marks (U+200E): after Arabic letters
/// the bidirectional algorithm takes digits for Arabic numbers, whose hyphens it does not
/// join, so `الاثنين 2026-11-30` would show as `30-11-2026`. The marks work in plain-text
/// e-mail too, where markup cannot isolate the value. English text is left unchanged.
pub fn ltr(lang: Lang, value: impl std::fmt::Display) -> String {
    match lang {
        Lang::Ar => format!("\u{200E}{value}\u{200E}"),
        Lang::En => value.to_string(),
    }
}

/// Shorthand for [`I18n::t`] on the global catalogs.
pub fn t(lang: Lang, key: &str) -> String {
    I18n::global().t(lang, key)
}

/// Shorthand for [`I18n::t_args`] on the global catalogs.
pub fn t_args(lang: Lang, key: &str, args: &FluentArgs) -> String {
    I18n::global().t_args(lang, key, args)
}

/// The message `key` in `lang` with its one argument `count` (which selects the plural form).
pub fn t_count(lang: Lang, key: &str, count: i64) -> String {
    let mut args = FluentArgs::new();
    args.set("count", count);
    t_args(lang, key, &args)
}

#[cfg(test)]
mod tests;
