use std::borrow::Cow;
use std::collections::BTreeSet;

use super::*;

fn count(n: i64) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    args.set("count", n);
    args
}

#[test]
fn arabic_uses_all_six_plural_forms() {
    let i18n = I18n::global();
    let forms: Vec<String> = [0, 1, 2, 3, 11, 100]
        .into_iter()
        .map(|n| i18n.t_args(Lang::Ar, "missions-count", &count(n)))
        .collect();
    assert_eq!(
        forms,
        [
            "لا توجد بعثات",
            "بعثة واحدة",
            "بعثتان",
            "3 بعثات",
            "11 بعثة",
            "100 بعثة"
        ]
    );
    let distinct: BTreeSet<&String> = forms.iter().collect();
    assert_eq!(distinct.len(), 6, "each count must select a different form");
}

/// Hundreds take the form of their last two digits (CLDR: 365 is "many", like 65).
#[test]
fn arabic_plural_forms_past_a_hundred() {
    let i18n = I18n::global();
    let window = |n| i18n.t_args(Lang::Ar, "officer-sla-window-days", &count(n));
    assert_eq!(window(30), "آخر 30 يومًا");
    assert_eq!(window(365), "آخر 365 يومًا");
    assert_eq!(window(103), "آخر 103 أيام");
    assert_eq!(window(100), "آخر 100 يوم");
    let forms: Vec<&str> = [
        0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 99.0, 100.0, 102.0, 103.0, 111.0, 1011.0, 2.5,
    ]
    .into_iter()
    .map(super::arabic_plural)
    .collect();
    assert_eq!(
        forms,
        [
            "zero", "one", "two", "few", "few", "many", "many", "other", "other", "few", "many",
            "many", "other"
        ]
    );
}

/// Every Arabic message that chooses a plural form chooses it through `PLURAL`: selecting on
/// the number itself goes wrong from 100 on (see `arabic_plural`).
#[test]
fn arabic_plurals_are_chosen_by_cldr_rules() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/ar");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.trim_end().ends_with("->") || line.contains("PLURAL(") {
                continue;
            }
            let categories = ["[zero]", "[one]", "[two]", "[few]", "[many]", "[other]"];
            let by_category = lines[i + 1..]
                .iter()
                .take_while(|l| !l.trim_start().starts_with('}'))
                .any(|l| {
                    categories
                        .iter()
                        .any(|c| l.trim_start().trim_start_matches('*').starts_with(c))
                        && !l.contains("[other]")
                });
            assert!(!by_category, "{}:{}: {line}", path.display(), i + 1);
        }
    }
}

/// Counts the pages show in Arabic, at the numbers whose forms differ (CLDR: 1, 2, 3–10,
/// 11–99, 100–102).
#[test]
fn arabic_counts_take_their_forms() {
    let i18n = I18n::global();
    let days = |n: i64| {
        let mut a = FluentArgs::new();
        a.set("days", n);
        i18n.t_args(Lang::Ar, "consular-processing-days", &a)
    };
    assert_eq!(days(1), "يوم واحد");
    assert_eq!(days(2), "يومان");
    assert_eq!(days(5), "5 أيام");
    assert_eq!(days(30), "30 يومًا");
    assert_eq!(days(100), "100 يوم");
    let wait = |n: i64, lang: Lang| {
        let mut a = FluentArgs::new();
        a.set("seconds", n);
        i18n.t_args(lang, "crisis-presence-resend-too-soon", &a)
    };
    assert!(wait(1, Lang::Ar).contains("ثانية واحدة"));
    assert!(wait(2, Lang::Ar).contains("ثانيتين"));
    assert!(wait(5, Lang::Ar).contains("5 ثوانٍ"));
    assert!(wait(30, Lang::Ar).contains("30 ثانية"));
    assert!(wait(1, Lang::En).contains("one second"));
    assert!(wait(30, Lang::En).contains("30 seconds"));
}

#[test]
fn english_plural_forms() {
    let i18n = I18n::global();
    assert_eq!(
        i18n.t_args(Lang::En, "missions-count", &count(1)),
        "One mission"
    );
    assert_eq!(
        i18n.t_args(Lang::En, "missions-count", &count(5)),
        "5 missions"
    );
}

#[test]
fn missing_key_returns_the_key() {
    assert_eq!(t(Lang::Ar, "no-such-message"), "no-such-message");
    assert_eq!(
        t_args(Lang::En, "no-such-message", &count(2)),
        "no-such-message"
    );
}

#[test]
fn no_bidi_isolation_marks() {
    let text = t_args(Lang::Ar, "missions-count", &count(3));
    assert!(!text.contains(['\u{2068}', '\u{2069}']), "{text:?}");
}

#[test]
fn catalogs_have_the_same_keys() {
    let i18n = I18n::global();
    let ar: BTreeSet<String> = i18n.keys(Lang::Ar).into_iter().collect();
    let en: BTreeSet<String> = i18n.keys(Lang::En).into_iter().collect();
    assert!(ar.len() > 10);
    let only_ar: Vec<_> = ar.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&ar).collect();
    assert!(
        only_ar.is_empty() && only_en.is_empty(),
        "only in ar: {only_ar:?}; only in en: {only_en:?}"
    );
}

#[test]
fn every_message_formats_without_errors() {
    let i18n = I18n::global();
    let mut args = FluentArgs::new();
    for name in [
        "count",
        "seconds",
        "min",
        "max",
        "status",
        "minutes",
        "days",
        "hours",
        "done",
        "skipped",
        "level",
        "line",
        "column",
        "found",
        "expected",
        "added",
        // People of a PFIF import whose newer answer updated the board.
        "updated",
        "matches",
        "threshold",
        "cooldown",
        // Where an imported file stops being UTF-8.
        "offset",
        // How many cases a cut CSV export holds.
        "rows",
        // The audit trail's newest record; the decimals a currency takes.
        "seq",
        "decimals",
    ] {
        args.set(name, 3);
    }
    args.set("reference", "ERR-TEST");
    // Citizens abroad: presence codes and unsubscribe links.
    args.set("code", "123456");
    args.set("left", 3);
    args.set("unsubscribe", "https://safir.example/unsubscribe/x");
    for (name, value) in [
        ("name", "Layla"),
        ("link", "https://safir.example/x"),
        ("time", "14:05 UTC"),
        ("service", "Passport renewal"),
        ("date", "2027-01-31"),
        ("state", "Submitted"),
        ("note", "Please send a clearer photo."),
        ("mission", "PAR"),
        ("country", "France"),
        ("category", "Arrest or detention"),
        ("location", "Nairobi"),
        ("phone", "+254 700 000 000"),
        ("when", "Monday 2026-06-08 09:00"),
        ("zone", "Europe/Paris"),
        ("reason", "National day"),
        ("message", "Please send a photograph."),
        ("type", "Update"),
        ("element", "pfif:person"),
        ("detail", "unexpected end of file"),
        ("headline", "Flooding in the north"),
        ("description", "Rivers are rising."),
        ("instruction", "Move to higher ground."),
        // Listening monitors' alerts.
        ("monitor", "peace-tag"),
        ("dataset", "gulf-2026"),
        ("start", "2026-03-01T11:00:00.000Z"),
        ("end", "2026-03-01T12:00:00.000Z"),
        ("samples", "- 2026-03-01T11:59:00.000Z @a: #peace"),
        // A field named in its own message (a NUL refused at the edge).
        ("field", "surname"),
        // The earliest date of birth a form takes.
        ("earliest", "1900-01-01"),
        // A document's type and size.
        ("format", "PDF"),
        ("size", "1.5"),
        // A revoked e-visa's number.
        ("visa", "PAR-V-2026-000123"),
        // A decision letter's page, of how many.
        ("page", "2"),
        ("pages", "3"),
        // Where a crisis's area lies, and its map's grid.
        ("south", "1.51° S"),
        ("north", "1.07° S"),
        ("west", "36.60° E"),
        ("east", "37.04° E"),
        ("step", "0.25"),
        ("value", "1.51"),
        // Who gave an officer a case, and whether its applicant waits for an answer.
        ("by", "Test User"),
        ("waiting", "yes"),
        // Why the e-visa's checks refused an approval.
        ("why", "The name is too long."),
        // A fee's currency.
        ("currency", "KWD"),
        // The people of a number registered for several, and their emergency cases.
        ("people", "1 Layla Haddad, 2 Sami Haddad"),
        ("references", "PAR-E-1, PAR-E-2"),
        // What an escalation mail tells its recipient, and who holds the case now.
        ("told", "informed"),
        ("held", "yes"),
        ("officer", "Test Officer"),
    ] {
        args.set(name, value);
    }
    for lang in Lang::ALL {
        let bundle = &i18n.bundles[lang.index()];
        for key in i18n.keys(lang) {
            let message = bundle.get_message(&key).expect("listed key exists");
            let pattern = message.value().expect("message has a value");
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(errors.is_empty(), "{}:{key}: {errors:?}", lang.code());
            assert!(!text.trim().is_empty(), "{}:{key} is empty", lang.code());
        }
    }
}

#[test]
fn lang_codes_and_directions() {
    assert_eq!((Lang::Ar.code(), Lang::Ar.dir()), ("ar", "rtl"));
    assert_eq!((Lang::En.code(), Lang::En.dir()), ("en", "ltr"));
    assert_eq!(Lang::parse("EN-gb"), Some(Lang::En));
    assert_eq!(Lang::parse("fr"), None);
    assert_eq!(Lang::default(), Lang::Ar);
}

#[test]
fn plain_texts_read_as_formatting_them_does() {
    let i18n = I18n::global();
    for lang in [Lang::Ar, Lang::En] {
        let keys = i18n.keys(lang);
        let plain = &i18n.plain[lang.index()];
        // Most messages take no argument; those that do are left to Fluent.
        assert!(
            plain.len() * 2 > keys.len(),
            "{}: {}",
            lang.code(),
            plain.len()
        );
        assert!(!plain.contains_key("missions-count"));
        for key in &keys {
            assert_eq!(i18n.t(lang, key), i18n.format(lang, key, None), "{key}");
            assert_eq!(i18n.text(lang, key), i18n.t(lang, key), "{key}");
        }
        assert!(matches!(i18n.text(lang, "nav-home"), Cow::Borrowed(_)));
        assert!(matches!(i18n.text(lang, "missions-count"), Cow::Owned(_)));
    }
}

/// The audit actions named anywhere in the workspace's code: `AuditAction::new("…")`, and the
/// arms of an `AuditAction::new(match …)` (the consular workflow's moves).
fn audit_actions_in_the_code() -> BTreeSet<String> {
    fn literals_after(text: &str, marker: &str, into: &mut BTreeSet<String>) {
        for (at, _) in text.match_indices(marker) {
            let rest = &text[at + marker.len()..];
            // An action's code is `context.verb` (lower case, `_` inside words).
            let code = rest.find('"').map_or("", |end| &rest[..end]);
            let is_code = code.contains('.')
                && code.split('.').all(|w| {
                    !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                });
            if is_code {
                into.insert(code.to_owned());
            }
        }
    }
    fn walk(dir: &std::path::Path, into: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                literals_after(&text, "AuditAction::new(\"", into);
                if text.contains("AuditAction::new(match") {
                    literals_after(&text, "=> \"", into);
                }
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut actions = BTreeSet::new();
    walk(&crates, &mut actions);
    actions
}

#[test]
fn every_audit_action_has_a_label_in_both_languages() {
    use crate::admin::audit_log::{ACTIONS, action_label};
    let actions = audit_actions_in_the_code();
    // The scan finds them (the workflow's moves among them), and the audit page's filter
    // offers each of them and nothing else.
    assert!(actions.contains("case.start_review") && actions.contains("user.create"));
    let offered: BTreeSet<String> = ACTIONS.iter().map(|a| (*a).to_owned()).collect();
    assert_eq!(offered, actions, "the audit page's list of actions");
    let i18n = I18n::global();
    for lang in [Lang::Ar, Lang::En] {
        for action in &actions {
            let label = action_label(lang, action);
            assert!(label.is_some(), "{action} has no label in {}", lang.code());
        }
        // And no label is left for an action the code no longer records.
        for key in i18n.keys(lang) {
            if let Some(code) = key.strip_prefix("audit-action-") {
                assert!(
                    actions.iter().any(|a| a.replace(['.', '_'], "-") == code),
                    "{key} labels no action"
                );
            }
        }
    }
    assert_eq!(
        action_label(Lang::Ar, "case.read").as_deref(),
        Some("الاطلاع على طلب")
    );
    assert_eq!(action_label(Lang::En, "nothing.known"), None);
}

#[test]
fn dates_in_arabic_sentences_keep_their_order() {
    // After Arabic letters the digits of a date count as Arabic numbers, whose hyphens the
    // bidirectional algorithm does not join: without the marks, 2026-11-30 reads 30-11-2026.
    let heading = crate::consular::appointments::labels::day_heading(
        Lang::Ar,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    );
    assert_eq!(heading, "الاثنين \u{200E}2026-11-30\u{200E}");
    let english = crate::consular::appointments::labels::day_heading(
        Lang::En,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    );
    assert_eq!(english, "Monday 2026-11-30");
    assert_eq!(ltr(Lang::En, "10:00 UTC"), "10:00 UTC");
}
