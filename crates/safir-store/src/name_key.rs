//! Names as the searches of staff compare them: the consular queue's applicants, the crisis
//! board's registered people and the admin's users. Each table keeps, beside the name, its key: the text engine's
//! normalization, which lowercases every script, folds the Arabic letter variants
//! (أ إ آ ٱ → ا, ى → ي, ة → ه) and Arabic-Indic digits, and drops diacritics and tatweel; then
//! the accents of Latin, Greek and Cyrillic letters (é → e, ç → c, ά → α), which staff often
//! leave out when they type a name. The words searched are folded the same way, so "احمد"
//! finds "أحمد" and "elodie" finds "Élodie" on both backends (SQLite's `LOWER` folds ASCII
//! only). Migration 0018 added the keys; [`fill`] writes them for the rows from before, and
//! migrations that change the folding empty the keys it changes so that [`fill`] writes them
//! again (0022, 0023).

use sqlx::AssertSqlSafe;
use unicode_normalization::UnicodeNormalization;

use crate::{Db, StoreError, Tx, with_pool};

/// A name's search key. A name that folds to nothing (tatweel or marks alone) keeps itself,
/// so that every name has a key and [`fill`] never finds it again.
pub fn name_key(name: &str) -> String {
    let key = without_accents(safir_text::normalize(name));
    if key.is_empty() { name.to_owned() } else { key }
}

/// The combining accents of Latin, Greek and Cyrillic letters (U+0300–U+036F) taken off:
/// "élodie" → "elodie", "çağla" → "cagla". Arabic marks were dropped by the normalization;
/// other scripts' marks are letters' vowels and stay.
fn without_accents(key: String) -> String {
    let accented = |c: char| ('\u{300}'..='\u{36f}').contains(&c);
    if key.is_ascii() || !key.nfd().any(accented) {
        return key;
    }
    key.nfd().filter(|&c| !accented(c)).nfc().collect()
}

/// The `LIKE` pattern (with `ESCAPE '\'`) that finds `words` anywhere in a key.
pub fn contains_pattern(words: &str) -> String {
    format!("%{}%", like_literal(&name_key(words)))
}

/// The `LIKE` pattern (with `ESCAPE '\'`) that finds a phone number typed as people write
/// it: its digits (Arabic-Indic ones read as ASCII) without the spaces, dots, dashes, slashes
/// and brackets between them, and without leading zeros, the national trunk prefix or the
/// `00` before a country code, so `+33 6 00 00 00 02`, `06 00 00 00 02` and `0033600000002`
/// all find `+33600000002` as numbers are stored. A search with other characters, or with
/// fewer than three digits, is matched as [`contains_pattern`] matches it.
pub fn phone_pattern(typed: &str) -> String {
    let key = name_key(typed);
    let separators = |c: char| c.is_whitespace() || matches!(c, '+' | '.' | '-' | '/' | '(' | ')');
    if !key.chars().all(|c| c.is_ascii_digit() || separators(c)) {
        return contains_pattern(typed);
    }
    let digits: String = key.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_start_matches('0');
    if digits.len() < 3 {
        return contains_pattern(typed);
    }
    format!("%{digits}%")
}

/// The most words of a search that each add a condition.
pub const MAX_WORDS: usize = 8;

/// One `LIKE` pattern per word of `words` (at most [`MAX_WORDS`]; the rest join the last):
/// a key that matches all of them holds every word, in any order, so "haddad nour" finds
/// "Nour Haddad".
pub fn word_patterns(words: &str) -> Vec<String> {
    let key = name_key(words);
    let mut parts: Vec<&str> = key.split_whitespace().collect();
    if parts.len() > MAX_WORDS {
        let rest = parts.split_off(MAX_WORDS - 1);
        let joined = rest.join(" ");
        return parts
            .iter()
            .map(|w| format!("%{}%", like_literal(w)))
            .chain(std::iter::once(format!("%{}%", like_literal(&joined))))
            .collect();
    }
    parts
        .iter()
        .map(|w| format!("%{}%", like_literal(w)))
        .collect()
}

/// SQL that holds when the key in `column` holds every word of `words`, in any order (never,
/// for a search of no words); `bind` adds an argument and gives its placeholder.
pub fn all_words(column: &str, words: &str, mut bind: impl FnMut(String) -> String) -> String {
    let conditions: Vec<String> = word_patterns(words)
        .into_iter()
        .map(|w| format!("{column} LIKE {} ESCAPE '\\'", bind(w)))
        .collect();
    if conditions.is_empty() {
        "1 = 0".to_owned()
    } else {
        conditions.join(" AND ")
    }
}

/// `text` with `LIKE`'s `%`, `_` and the escape `\` escaped, so that they match themselves.
pub(crate) fn like_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}

/// A table whose names have a key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keyed {
    pub table: &'static str,
    pub name: &'static str,
    pub key: &'static str,
}

pub(crate) const CASES: Keyed = Keyed {
    table: "cases",
    name: "applicant_name",
    key: "applicant_name_key",
};

pub(crate) const REGISTRATIONS: Keyed = Keyed {
    table: "crisis_registrations",
    name: "full_name",
    key: "full_name_key",
};

pub(crate) const USERS: Keyed = Keyed {
    table: "users",
    name: "display_name",
    key: "display_name_key",
};

/// Writes the key of every row of `t` that has a name but no key, a thousand rows a
/// transaction in id order; returns how many.
pub(crate) async fn fill(db: &Db, t: Keyed) -> Result<u64, StoreError> {
    let Keyed { table, name, key } = t;
    let mut after = String::new();
    let mut filled = 0;
    loop {
        let rows: Vec<(String, String)> = with_pool!(db.read(), p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT id, {name} FROM {table} WHERE {key} = '' AND {name} <> '' AND id > $1 \
                 ORDER BY id LIMIT 1000"
            )))
            .bind(&after)
            .fetch_all(p)
            .await
        })?;
        let Some((last, _)) = rows.last() else {
            return Ok(filled);
        };
        after = last.clone();
        let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
        let keys: Vec<String> = rows.iter().map(|(_, n)| name_key(n)).collect();
        let mut tx = db.begin().await?;
        match &mut tx {
            Tx::Sqlite(c) => {
                // Anonymous parameters in order: SQLite has no arrays to unnest.
                let values = vec!["(?, ?)"; rows.len()].join(", ");
                let mut q = sqlx::query(AssertSqlSafe(format!(
                    "UPDATE {table} SET {key} = v.k FROM \
                     (SELECT column1 AS id, column2 AS k FROM (VALUES {values})) AS v \
                     WHERE {table}.id = v.id"
                )));
                for (id, k) in ids.iter().zip(&keys) {
                    q = q.bind(*id).bind(k);
                }
                q.execute(&mut **c).await?;
            }
            Tx::Postgres(c) => {
                sqlx::query(AssertSqlSafe(format!(
                    "UPDATE {table} SET {key} = u.k \
                     FROM UNNEST($1::text[], $2::text[]) AS u(id, k) WHERE {table}.id = u.id"
                )))
                .bind(&ids)
                .bind(&keys)
                .execute(&mut **c)
                .await?;
            }
        }
        tx.commit().await?;
        filled += rows.len() as u64;
    }
}

/// [`fill`] for every keyed table (run by `Db::migrate`); returns how many rows it keyed.
pub async fn fill_all(db: &Db) -> Result<u64, StoreError> {
    Ok(fill(db, CASES).await? + fill(db, REGISTRATIONS).await? + fill(db, USERS).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_fold_like_keys_and_escape_like_syntax() {
        assert_eq!(name_key("أحـمـد الرّاشد"), name_key("احمد الراشد"));
        assert_eq!(name_key("ÉLODIE"), "elodie");
        assert_eq!(
            name_key("Çağla Müller-Lüdenscheidt"),
            "cagla muller-ludenscheidt"
        );
        assert_eq!(name_key("Ἀλέξανδρος"), name_key("αλεξανδρος"));
        assert_eq!(name_key("Фёдор"), "федор");
        // Vowel signs of other scripts are letters, not accents.
        assert_eq!(name_key("हिंदी"), "हिंदी");
        assert_eq!(name_key(&name_key("Élodie")), name_key("Élodie"));
        assert_eq!(name_key("ΟΔΥΣΣΕΥΣ"), name_key("Οδυσσευς"));
        // The crisis benchmark's loader writes this key itself (bench/crisis/gen_registrations.py).
        assert_eq!(name_key("Traveller 12"), "traveller 12");
        assert_eq!(contains_pattern("Élodie"), "%elodie%");
        assert_eq!(word_patterns("  Haddad   NOUR "), ["%haddad%", "%nour%"]);
        assert_eq!(word_patterns("أحـمـد"), [contains_pattern("احمد")]);
        assert_eq!(word_patterns("a_b"), ["%a\\_b%"]);
        let many = word_patterns("a b c d e f g h i j");
        assert_eq!(many.len(), MAX_WORDS);
        assert_eq!(many[MAX_WORDS - 1], "%h i j%");
        assert_eq!(contains_pattern("100%_\\"), "%100\\%\\_\\\\%");
        assert_eq!(contains_pattern("٠٥٠"), "%050%");
        assert_eq!(name_key("\u{640}\u{640}"), "\u{640}\u{640}");
    }
}
