//! What every HTML page shares: language, title, navigation, flash messages
//! and the language switcher. Page templates hold a `page: Page` field and
//! extend `base.html`, which reads only from it.

use std::borrow::Cow;

use askama::Template;
use axum::http::Uri;
use axum::response::Html;
use fluent_bundle::FluentArgs;

use crate::assets;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::{I18n, Lang};

#[derive(Debug, Clone)]
pub struct Page {
    pub lang: Lang,
    /// This page's own title; `base.html` appends the site name.
    pub title: String,
    /// The current address in the other language, for the switcher.
    pub switch_href: String,
    pub nav: Vec<NavItem>,
    pub flashes: Vec<Flash>,
    /// The signed-in user's display name and the form token for the sign-out button.
    pub account: Option<AccountBar>,
}

/// What the header shows to a signed-in user.
#[derive(Debug, Clone)]
pub struct AccountBar {
    pub display_name: String,
    pub csrf_token: String,
}

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: Cow<'static, str>,
    pub current: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Info,
    Warning,
    Error,
}

/// A one-off message shown above the page content, already translated.
#[derive(Debug, Clone)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

impl FlashKind {
    pub fn css_class(self) -> &'static str {
        match self {
            FlashKind::Success => "flash flash-success",
            FlashKind::Info => "flash flash-info",
            FlashKind::Warning => "flash flash-warning",
            FlashKind::Error => "flash flash-error",
        }
    }
}

impl Page {
    /// A page titled by the message `title_key`, with the public navigation.
    pub fn new(lang: Lang, uri: &Uri, title_key: &str) -> Page {
        let path = uri.path();
        let i18n = I18n::global();
        // Room for a signed-in staff member's links too (`for_viewer`).
        let mut nav = Vec::with_capacity(7);
        nav.extend([
            NavItem {
                href: "/",
                label: i18n.text(lang, "nav-home"),
                current: path == "/",
            },
            NavItem {
                href: "/consular",
                label: i18n.text(lang, "nav-consular"),
                current: under(path, "/consular"),
            },
            NavItem {
                href: "/travel-advice",
                label: i18n.text(lang, "advice-title"),
                current: under(path, "/travel-advice"),
            },
        ]);
        Page {
            lang,
            title: I18n::global().t(lang, title_key),
            switch_href: switch_href(uri, lang.other()),
            nav,
            flashes: Vec::new(),
            account: None,
        }
    }

    /// A page for whoever is asking: the public navigation, plus for a signed-in user their
    /// workspace links (by permission) and the sign-out button. Someone who has given the
    /// password but not yet the second factor gets the sign-out button alone: every workspace
    /// link would only lead back to the code page.
    pub fn for_viewer(
        lang: Lang,
        uri: &Uri,
        title_key: &str,
        viewer: &Viewer,
        csrf_token: String,
    ) -> Page {
        let mut page = Page::new(lang, uri, title_key);
        let Some(user) = viewer.user() else {
            let path = uri.path();
            for (href, key) in [("/sign-in", "nav-sign-in"), ("/sign-up", "nav-sign-up")] {
                page.nav.push(NavItem {
                    href,
                    label: I18n::global().text(lang, key),
                    current: path == href,
                });
            }
            return page;
        };
        page.account = Some(AccountBar {
            display_name: user.user.display_name.clone(),
            csrf_token,
        });
        if user.needs_second_factor() {
            return page;
        }
        let path = uri.path();
        // Each link is shown to those its route's rule admits.
        let staff = crate::staff::WORKSPACE_ACCESS.admits(&user.grants, None);
        let admin = crate::admin::ADMIN_ACCESS.admits(&user.grants, None);
        let items = [
            ("/account/cases", "nav-cases", true),
            ("/account", "nav-account", true),
            ("/staff", "nav-staff", staff),
            ("/admin", "nav-admin", admin),
        ];
        for (href, key, shown) in items {
            if !shown {
                continue;
            }
            page.nav.push(NavItem {
                href,
                label: I18n::global().text(lang, key),
                // "My applications" is under the account's address but has its own link.
                current: under(path, href)
                    && !(href == "/account" && under(path, "/account/cases")),
            });
        }
        page
    }

    pub fn with_flash(mut self, kind: FlashKind, message: String) -> Page {
        self.flashes.push(Flash { kind, message });
        self
    }

    pub fn t(&self, key: &str) -> String {
        I18n::global().t(self.lang, key)
    }

    /// [`Page::t`] without the copy, for the frame every page draws (`base.html`).
    pub fn text(&self, key: &str) -> Cow<'static, str> {
        I18n::global().text(self.lang, key)
    }

    /// A message whose plural form depends on `count`.
    pub fn t_count(&self, key: &str, count: i64) -> String {
        crate::i18n::t_count(self.lang, key, count)
    }

    pub fn t_args(&self, key: &str, args: &FluentArgs) -> String {
        I18n::global().t_args(self.lang, key, args)
    }

    /// The versioned URL of an embedded static file.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    pub fn switch_lang(&self) -> Lang {
        self.lang.other()
    }

    /// The other language's name, written in that language.
    pub fn switch_label(&self) -> Cow<'static, str> {
        let key = match self.lang.other() {
            Lang::Ar => "language-name-ar",
            Lang::En => "language-name-en",
        };
        self.text(key)
    }
}

/// Renders a page template; a failure is an internal error with a reference.
pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    template.render().map(Html).map_err(AppError::internal)
}

/// Renders a page template into a buffer of `capacity` bytes (a large page drawn in one
/// allocation instead of growing by doubling).
pub fn render_sized(template: &impl Template, capacity: usize) -> Result<Html<String>, AppError> {
    let mut out = String::with_capacity(capacity);
    template.render_into(&mut out).map_err(AppError::internal)?;
    Ok(Html(out))
}

/// An address (an email, a domain) in the pieces a narrow column may break it between: after
/// its `@` and before each dot, as addresses are written over two lines, rather than at any
/// letter. A template joins them with `<wbr>`.
pub fn address_parts(address: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in address.char_indices() {
        let cut = match c {
            '.' => i,
            '@' => i + 1,
            _ => continue,
        };
        if cut > start {
            parts.push(&address[start..cut]);
            start = cut;
        }
    }
    parts.push(&address[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

/// A phone number as typed (spaces, dashes, brackets, dots) as a `tel:` link that a phone
/// dials, or `None` when it does not hold a number worth dialling (fewer than six digits, or
/// a `+` anywhere but first).
pub fn tel_href(phone: &str) -> Option<String> {
    let phone = phone.trim();
    let (plus, rest) = match phone.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", phone),
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || " -().".contains(c))
    {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6).then(|| format!("tel:{plus}{digits}"))
}

/// A telephone as stored (a mission's, say) to show and to dial: as written, trimmed, and its
/// `tel:` link when it holds a number; `None` when there is none.
pub fn phone_to_dial(phone: Option<&str>) -> Option<(String, Option<String>)> {
    phone
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| (p.to_owned(), tel_href(p)))
}

/// Whether `path` is `section` or an address below it.
fn under(path: &str, section: &str) -> bool {
    path.strip_prefix(section)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `uri` with its `lang` parameter set to `lang`, other parameters kept but the notice of
/// something just done (`notice`, `done`): it was said once, in the language it was done in,
/// and switching the language does not do it again.
///
/// The link stays on the site: a path that starts with `//` or `/\` (a mistyped or crafted
/// address, drawn as "page not found") would make a link to another host, so its leading
/// slashes are one. Parameter names are read decoded (`%6Eotice` is `notice`).
fn switch_href(uri: &Uri, lang: Lang) -> String {
    let mut query: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| {
            let raw = pair.split('=').next().unwrap_or("");
            let key = form_urlencoded::parse(raw.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            !pair.is_empty()
                && key != "lang"
                && !crate::security::csrf::NOTICE_PARAMS.contains(&key.as_str())
        })
        .collect();
    let lang_pair = format!("lang={}", lang.code());
    query.push(&lang_pair);
    let path = format!("/{}", uri.path().trim_start_matches(['/', '\\']));
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_breaks_after_its_at_and_before_its_dots() {
        assert_eq!(
            address_parts("consul.paris@demo.safir.example"),
            ["consul", ".paris@", "demo", ".safir", ".example"]
        );
        // Nothing is lost or doubled, whatever the address holds.
        for a in [
            "",
            "@",
            ".",
            "a@@b..c",
            ".lead@x.",
            "no-separator",
            "عربي@مثال.عرب",
        ] {
            assert_eq!(address_parts(a).concat(), a, "{a}");
            assert!(address_parts(a).iter().all(|p| !p.is_empty()), "{a}");
        }
    }

    #[test]
    fn a_phone_number_becomes_a_number_to_dial() {
        assert_eq!(
            tel_href("+254 711 000-111").as_deref(),
            Some("tel:+254711000111")
        );
        assert_eq!(
            tel_href(" (01) 42.12.34.56 ").as_deref(),
            Some("tel:0142123456")
        );
        assert_eq!(tel_href("12345"), None);
        assert_eq!(tel_href("+33 6 12 +34"), None);
        assert_eq!(tel_href("call me at 0612345678"), None);
        assert_eq!(tel_href(""), None);
        assert_eq!(
            phone_to_dial(Some(" +33 1 99 00 12 34 ")),
            Some((
                "+33 1 99 00 12 34".to_owned(),
                Some("tel:+33199001234".to_owned())
            ))
        );
        assert_eq!(
            phone_to_dial(Some("ask the desk")),
            Some(("ask the desk".to_owned(), None))
        );
        assert_eq!(phone_to_dial(Some("  ")), None);
        assert_eq!(phone_to_dial(None), None);
    }

    #[test]
    fn switcher_keeps_the_address_and_other_parameters() {
        let uri: Uri = "/cases?page=2&lang=ar&q=x".parse().unwrap();
        let page = Page::new(Lang::Ar, &uri, "home-title");
        assert_eq!(page.switch_href, "/cases?page=2&q=x&lang=en");
        assert_eq!(page.switch_label(), "English");
        let page = Page::new(Lang::En, &"/".parse().unwrap(), "home-title");
        assert_eq!(page.switch_href, "/?lang=ar");
        // A notice of something just done is not carried into the other language.
        let uri: Uri = "/account/cases/1?notice=withdrawn&x=1&done=1"
            .parse()
            .unwrap();
        let page = Page::new(Lang::En, &uri, "home-title");
        assert_eq!(page.switch_href, "/account/cases/1?x=1&lang=ar");
        assert_eq!(page.switch_label(), "العربية");
        // However its name is written.
        let uri: Uri = "/account?%6Eotice=password-changed&x=1".parse().unwrap();
        let page = Page::new(Lang::En, &uri, "home-title");
        assert_eq!(page.switch_href, "/account?x=1&lang=ar");
        // An address whose path would make the link another site's stays on this one.
        for (path, href) in [
            ("//evil.example/x", "/evil.example/x?lang=ar"),
            ("/\\evil.example/x", "/evil.example/x?lang=ar"),
        ] {
            let page = Page::new(Lang::En, &path.parse().unwrap(), "home-title");
            assert_eq!(page.switch_href, href, "{path}");
        }
    }

    #[test]
    fn a_section_link_is_current_on_its_own_pages_only() {
        assert!(under("/consular", "/consular"));
        assert!(under("/consular/services", "/consular"));
        assert!(!under("/consularx", "/consular"));
        assert!(!under("/", "/consular"));
        assert!(under("/", "/"));
    }

    #[test]
    fn title_and_navigation_are_translated() {
        let page = Page::new(Lang::Ar, &"/".parse().unwrap(), "home-title");
        assert_eq!(page.title, "الرئيسية");
        assert!(page.nav[0].current);
    }
}
