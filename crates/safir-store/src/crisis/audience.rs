//! Who an alert reaches: verified people whose registered place matches the target and whose
//! dates cover the moment, plus active travel-advice subscribers of the targeted countries,
//! plus the partner webhooks that want those countries.
//!
//! The database narrows the places by country (index `crisis_places_country`) and by the
//! bounding box of each circle and polygon (index `crisis_places_lat_lon`); the exact test is
//! `Target::matches` in Rust, on rows streamed one at a time, so a million registrations are
//! never held in memory at once.
//!
//! On SQLite the indexes are used only when the prefilter keeps a small share of the places:
//! each place found through an index costs one more random read of the table, and a target
//! that covers many of them (a polygon around a capital) reads faster in one pass over the
//! table. At 1,000,000 places with 550,000 in the polygon's box, the query took 3.7 s through
//! the `(lat, lon)` index and 0.75 s in one pass. PostgreSQL's planner makes that choice from
//! its statistics.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use safir_domain::CountryCode;
use safir_domain::crisis::geo::{Place, Point, Target};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::name_key::name_key;
use crate::{Db, Pool, StoreError};

/// One message to send: a person on one channel, a subscriber, or a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The registration, subscription or webhook id.
    pub id: String,
    /// registration | subscription | webhook
    pub kind: String,
    /// email | sms | webhook
    pub channel: String,
    /// The email address, the phone number (E.164) or the URL.
    pub address: String,
    /// ar | en
    pub lang: String,
    /// The registration (for the check-in), when the recipient is one.
    pub registration_id: Option<String>,
}

/// How many an alert reaches: people (registrations) and messages per channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudienceCounts {
    #[serde(default)]
    pub people: u64,
    #[serde(default)]
    pub email: u64,
    #[serde(default)]
    pub sms: u64,
    #[serde(default)]
    pub webhook: u64,
}

impl AudienceCounts {
    /// Every message (what the approval threshold compares).
    pub fn messages(&self) -> u64 {
        self.email + self.sms + self.webhook
    }

    /// The size the approval threshold is compared with: people, or messages when larger
    /// (subscribers and webhooks are not people but are reached all the same).
    pub fn size(&self) -> u64 {
        self.people.max(self.messages())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Audience {
    pub recipients: Vec<Recipient>,
    pub counts: AudienceCounts,
}

impl Audience {
    /// The registrations reached (each once), for the check-ins.
    pub fn registration_ids(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        self.recipients
            .iter()
            .filter_map(|r| r.registration_id.as_ref())
            .filter(|id| seen.insert(id.as_str()))
            .cloned()
            .collect()
    }
}

/// A latitude/longitude box `(min_lat, min_lon, max_lat, max_lon)`.
type Bbox = (f64, f64, f64, f64);

/// The countries named by the target (its countries and its regions' countries).
fn named_countries(target: &Target) -> Vec<CountryCode> {
    let mut out: Vec<CountryCode> = target.countries.clone();
    for r in &target.regions {
        if !out.contains(&r.country) {
            out.push(r.country);
        }
    }
    out
}

/// The SQL prefilter of the places: the named countries, or any box. Returns the condition
/// and the values to bind in order (country codes as text, then box corners as numbers).
fn prefilter(countries: &[CountryCode], boxes: &[Bbox], first: usize) -> (String, usize) {
    let mut terms = Vec::new();
    let mut n = first;
    if !countries.is_empty() {
        let list: Vec<String> = (0..countries.len())
            .map(|i| format!("${}", n + i))
            .collect();
        n += countries.len();
        terms.push(format!("p.country IN ({})", list.join(", ")));
    }
    for _ in boxes {
        terms.push(format!(
            "(p.lat BETWEEN ${} AND ${} AND p.lon BETWEEN ${} AND ${})",
            n,
            n + 1,
            n + 2,
            n + 3
        ));
        n += 4;
    }
    (terms.join(" OR "), n)
}

/// The most shapes whose boxes the prefilter names one by one. An area of more (a coast's
/// islands exported from a map) is narrowed by the box around them all: one condition per
/// shape nests a condition per shape in the query, and SQLite refuses an expression a
/// thousand deep. The exact test in Rust keeps only the places inside a shape either way.
const MAX_BOXES: usize = 32;

/// The audience of `target` at `at`.
pub async fn resolve(db: &Db, target: &Target, at: DateTime<Utc>) -> Result<Audience, StoreError> {
    let countries = named_countries(target);
    let mut boxes: Vec<Bbox> = target.polygons.iter().map(|p| p.bbox()).collect();
    boxes.extend(target.circles.iter().map(|c| c.bbox()));
    if boxes.len() > MAX_BOXES {
        boxes = target.bbox().into_iter().collect();
    }
    let mut audience = Audience::default();
    let mut seen_addresses: HashSet<(String, String)> = HashSet::new();
    if !countries.is_empty() || !boxes.is_empty() {
        people(
            db,
            target,
            at,
            &countries,
            &boxes,
            &mut audience,
            &mut seen_addresses,
        )
        .await?;
    }
    if !countries.is_empty() {
        subscribers(db, &countries, &mut audience, &mut seen_addresses).await?;
    }
    webhooks(db, &countries, &mut audience).await?;
    Ok(audience)
}

async fn people(
    db: &Db,
    target: &Target,
    at: DateTime<Utc>,
    countries: &[CountryCode],
    boxes: &[Bbox],
    audience: &mut Audience,
    seen_addresses: &mut HashSet<(String, String)>,
) -> Result<(), StoreError> {
    // A place's dates are the traveller's, in a zone not known here: the place counts while
    // `at` is within its days anywhere on Earth (a trip starting today in Tokyo, where it is
    // already tomorrow in UTC terms, or ending today in New York late in the evening).
    let (first, last) = safir_domain::crisis::registration::days_somewhere(at);
    let (first, last) = (
        first.format("%Y-%m-%d").to_string(),
        last.format("%Y-%m-%d").to_string(),
    );
    let (condition, _) = prefilter(countries, boxes, 3);
    let places = match db.read() {
        Pool::Sqlite(p) if sqlite_keeps_many(p, countries, boxes).await? => {
            "crisis_places p NOT INDEXED"
        }
        _ => "crisis_places p",
    };
    let sql = format!(
        "SELECT p.registration_id, p.country, p.region, p.city, p.lat, p.lon, r.email, r.phone, \
         r.lang, r.channels FROM {places} \
         JOIN crisis_registrations r ON r.id = p.registration_id \
         WHERE ({condition}) AND (p.starts_on IS NULL OR p.starts_on <= $1) \
         AND (p.ends_on IS NULL OR p.ends_on >= $2) AND r.verified_at IS NOT NULL"
    );
    // A registration may have several matching places: it is reached once.
    let mut seen: HashSet<String> = HashSet::new();
    let mut regions = RegionNames::new(target);
    macro_rules! run {
        ($p:expr) => {{
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(&last)
                .bind(&first);
            for c in countries {
                q = q.bind(c.as_str());
            }
            for b in boxes {
                q = q.bind(b.0).bind(b.2).bind(b.1).bind(b.3);
            }
            let mut rows = q.fetch($p);
            while let Some(row) = rows.try_next().await? {
                let registration_id: String = row.try_get(0)?;
                if seen.contains(&registration_id) {
                    continue;
                }
                let country: String = row.try_get(1)?;
                let Ok(country) = CountryCode::parse(&country) else {
                    continue;
                };
                let region: String = row.try_get(2)?;
                let city: String = row.try_get(3)?;
                let lat: Option<f64> = row.try_get(4)?;
                let lon: Option<f64> = row.try_get(5)?;
                let point = match (lat, lon) {
                    (Some(lat), Some(lon)) => Some(Point { lat, lon }),
                    _ => None,
                };
                let place = Place {
                    country,
                    region: &region,
                    city: &city,
                    point,
                };
                if !target.matches(&place) && !regions.match_folded(&place) {
                    continue;
                }
                let email: Option<String> = row.try_get(6)?;
                let phone: Option<String> = row.try_get(7)?;
                let lang: String = row.try_get(8)?;
                let channels: String = row.try_get(9)?;
                add_person(
                    audience,
                    seen_addresses,
                    &registration_id,
                    &channels,
                    email,
                    phone,
                    lang,
                );
                seen.insert(registration_id);
            }
        }};
    }
    match db.read() {
        Pool::Sqlite(p) => run!(p),
        Pool::Postgres(p) => run!(p),
    }
    Ok(())
}

/// The target's regions compared by their names' keys (`name_key`): a region or city
/// registered without the hamza ("الاسكندرية" for "الإسكندرية"), with ه for ة, or without
/// an accent ("Ile-de-France") is the region the alert names. The keys of the places' names
/// are kept as they are met: a country's registrations name few places, many times each.
struct RegionNames {
    wanted: Vec<(CountryCode, String)>,
    keys: HashMap<String, String>,
}

impl RegionNames {
    fn new(target: &Target) -> Self {
        Self {
            wanted: target
                .regions
                .iter()
                .map(|r| (r.country, name_key(r.name.trim())))
                .filter(|(_, key)| !key.is_empty())
                .collect(),
            keys: HashMap::new(),
        }
    }

    /// Whether the place's region or city, folded, is a targeted region of its country.
    fn match_folded(&mut self, place: &Place<'_>) -> bool {
        if !self.wanted.iter().any(|(c, _)| *c == place.country) {
            return false;
        }
        let Self { wanted, keys } = self;
        let mut key_of = |name: &str| -> String {
            let name = name.trim();
            if name.is_empty() {
                return String::new();
            }
            keys.entry(name.to_owned())
                .or_insert_with(|| name_key(name))
                .clone()
        };
        let (region, city) = (key_of(place.region), key_of(place.city));
        wanted
            .iter()
            .any(|(c, key)| *c == place.country && (*key == region || *key == city))
    }
}

/// A prefilter keeping at least one place in this many is read in one pass over the table.
const ONE_PASS_SHARE: i64 = 10;

/// Whether one pass is to be preferred: the prefilter keeps at least one place in
/// [`ONE_PASS_SHARE`]. Both counts read indexes only, and the second stops at that share.
async fn sqlite_keeps_many(
    pool: &sqlx::SqlitePool,
    countries: &[CountryCode],
    boxes: &[Bbox],
) -> Result<bool, StoreError> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM crisis_places")
        .fetch_one(pool)
        .await?;
    Ok(wide(
        total,
        sqlite_candidates(pool, countries, boxes, total).await?,
    ))
}

/// How many places the prefilter keeps, counted up to the one-pass share of `total`.
async fn sqlite_candidates(
    pool: &sqlx::SqlitePool,
    countries: &[CountryCode],
    boxes: &[Bbox],
    total: i64,
) -> Result<i64, StoreError> {
    let (condition, limit) = prefilter(countries, boxes, 1);
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM crisis_places p WHERE {condition} LIMIT ${limit})"
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()));
    for c in countries {
        q = q.bind(c.as_str());
    }
    for b in boxes {
        q = q.bind(b.0).bind(b.2).bind(b.1).bind(b.3);
    }
    Ok(q.bind(one_pass_threshold(total)).fetch_one(pool).await?)
}

/// The number of candidates from which one pass is preferred.
fn one_pass_threshold(total: i64) -> i64 {
    (total / ONE_PASS_SHARE).max(1)
}

fn wide(total: i64, candidates: i64) -> bool {
    total > 0 && candidates >= one_pass_threshold(total)
}

fn add_person(
    audience: &mut Audience,
    seen_addresses: &mut HashSet<(String, String)>,
    registration_id: &str,
    channels: &str,
    email: Option<String>,
    phone: Option<String>,
    lang: String,
) {
    audience.counts.people += 1;
    for channel in channels.split(',').map(str::trim) {
        let address = match channel {
            "email" => email.as_deref(),
            "sms" => phone.as_deref(),
            _ => None,
        };
        let Some(address) = address.map(str::trim).filter(|a| !a.is_empty()) else {
            continue;
        };
        match channel {
            "email" => audience.counts.email += 1,
            _ => audience.counts.sms += 1,
        }
        seen_addresses.insert((channel.to_owned(), address.to_lowercase()));
        audience.recipients.push(Recipient {
            id: registration_id.to_owned(),
            kind: "registration".to_owned(),
            channel: channel.to_owned(),
            address: address.to_owned(),
            lang: lang.clone(),
            registration_id: Some(registration_id.to_owned()),
        });
    }
}

/// Active subscribers of the named countries; one message per address and channel (a person
/// registered and subscribed, or subscribed to two of the countries, gets one).
async fn subscribers(
    db: &Db,
    countries: &[CountryCode],
    audience: &mut Audience,
    seen_addresses: &mut HashSet<(String, String)>,
) -> Result<(), StoreError> {
    let list: Vec<String> = (0..countries.len())
        .map(|i| format!("${}", i + 1))
        .collect();
    let sql = format!(
        "SELECT id, channel, address, lang FROM advice_subscriptions \
         WHERE status = 'active' AND country IN ({}) ORDER BY id",
        list.join(", ")
    );
    let rows: Vec<(String, String, String, String)> = crate::with_pool!(db.read(), p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
        for c in countries {
            q = q.bind(c.as_str());
        }
        q.fetch_all(p).await
    })?;
    for (id, channel, address, lang) in rows {
        if channel != "email" && channel != "sms" {
            continue;
        }
        if !seen_addresses.insert((channel.clone(), address.trim().to_lowercase())) {
            continue;
        }
        match channel.as_str() {
            "email" => audience.counts.email += 1,
            _ => audience.counts.sms += 1,
        }
        audience.recipients.push(Recipient {
            id,
            kind: "subscription".to_owned(),
            channel,
            address,
            lang,
            registration_id: None,
        });
    }
    Ok(())
}

/// Enabled webhooks that want every country, or one of the named countries.
async fn webhooks(
    db: &Db,
    countries: &[CountryCode],
    audience: &mut Audience,
) -> Result<(), StoreError> {
    let rows: Vec<(String, String, String)> = crate::with_pool!(db.read(), p => {
        sqlx::query_as("SELECT id, url, countries FROM crisis_webhooks WHERE enabled = $1 ORDER BY id")
            .bind(true)
            .fetch_all(p)
            .await
    })?;
    for (id, url, wanted) in rows {
        let wanted: Vec<&str> = wanted.split_whitespace().collect();
        let wants = wanted.is_empty()
            || wanted
                .iter()
                .any(|w| countries.iter().any(|c| c.as_str().eq_ignore_ascii_case(w)));
        if !wants {
            continue;
        }
        audience.counts.webhook += 1;
        audience.recipients.push(Recipient {
            id,
            kind: "webhook".to_owned(),
            channel: "webhook".to_owned(),
            address: url,
            lang: "en".to_owned(),
            registration_id: None,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefilter_names_countries_then_boxes() {
        let b = (33.0, 35.0, 34.0, 36.0);
        let (sql, next) = prefilter(&[CountryCode::parse("LB").unwrap()], &[b], 2);
        assert_eq!(
            sql,
            "p.country IN ($2) OR (p.lat BETWEEN $3 AND $4 AND p.lon BETWEEN $5 AND $6)"
        );
        assert_eq!(next, 7);
    }

    #[test]
    fn one_pass_from_a_tenth_of_the_places() {
        assert!(!wide(0, 0), "no places: nothing to choose");
        assert!(wide(5, 1), "a small table: any candidate is a large share");
        assert!(!wide(1_000_000, 99_999));
        assert!(wide(1_000_000, 100_000));
        assert!(wide(1_000_000, 550_014));
    }
}
