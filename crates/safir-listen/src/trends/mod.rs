//! Emerging trends: terms (hashtags, keywords, URLs, accounts) whose count per
//! time bucket jumps above a seasonal baseline, confirmed by a Kleinberg burst.
//!
//! A bucket is flagged when its count `x` passes three tests against the
//! baseline `b` (see [`stats::seasonal_baseline`]) with `λ = b + prior`:
//! the Poisson tail `P(X ≥ x | λ) < alpha`, the z-score `(x - λ) / √λ ≥ z_min`
//! and `x ≥ min_count`. A term is emerging when a flagged bucket lies inside
//! one of its Kleinberg bursts (two states, rate ratio `s`, cost `gamma`, on its
//! count out of all messages per bucket); it is ranked by that burst's weight.

mod count;
pub mod stats;

pub use count::{
    MAX_SERIES_BYTES, TermCounts, TermKind, TermScratch, TermSeries, count_terms,
    count_terms_within, text_terms,
};
pub use stats::{Burst, kleinberg_bursts, ln_poisson_tail, poisson_tail, seasonal_baseline};

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrendError {
    #[error("the bucket width must be positive and divide a day, got {0} ms")]
    Bucket(i64),
    #[error(
        "the archive spans {buckets} buckets, more than {max}: use wider buckets or drop the stray timestamps"
    )]
    TooManyBuckets { buckets: usize, max: usize },
    #[error(
        "following {terms} terms over {buckets} buckets takes {}, more than the {} allowed: \
         use wider buckets (--bucket) or follow fewer terms (a higher --min-total)",
        size(*bytes),
        size(*max)
    )]
    TooMuchMemory {
        terms: usize,
        buckets: usize,
        bytes: usize,
        max: usize,
    },
    #[error("{0}")]
    Param(&'static str),
}

/// An amount of memory as read: `1.0 GiB`, `6.5 GiB`, `12.0 MiB`, `480 bytes`.
fn size(bytes: usize) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB * KIB {
        format!("{:.1} GiB", b / (KIB * KIB * KIB))
    } else if b >= KIB * KIB {
        format!("{:.1} MiB", b / (KIB * KIB))
    } else if b >= KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Everything that decides what is counted and what is flagged.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendParams {
    /// Bucket width in milliseconds; must divide a day (buckets align to UTC midnight).
    pub bucket_ms: i64,
    pub kinds: Vec<TermKind>,
    /// Terms in fewer messages get no series (memory).
    pub min_total: u32,
    /// Days of same-time-of-day history for the seasonal baseline.
    pub season_days: usize,
    /// Weight of the latest bucket in the moving average, in (0, 1].
    pub ewma: f64,
    /// Added to the baseline before the tests, so a term never seen is not
    /// "infinitely" surprising.
    pub prior: f64,
    /// Largest Poisson tail probability flagged (per bucket and term; no multiple-test correction).
    pub alpha: f64,
    pub z_min: f64,
    pub min_count: u32,
    /// Buckets of history before the first test.
    pub warmup: usize,
    /// Kleinberg: burst rate = `burst_s` × base rate; entering a burst costs `burst_gamma`·ln T.
    pub burst_s: f64,
    pub burst_gamma: f64,
    /// Only buckets starting at or after this time (epoch ms) are tested; earlier
    /// ones are history.
    pub since_ms: Option<i64>,
    /// Largest number of buckets the archive may span (series take 4 bytes per
    /// bucket and term followed).
    pub max_buckets: usize,
    /// Largest memory the series may take, in bytes (4 per bucket and term followed);
    /// a run that would take more fails before making them.
    pub max_series_bytes: usize,
}

impl Default for TrendParams {
    fn default() -> Self {
        Self {
            bucket_ms: 3_600_000,
            kinds: TermKind::ALL.to_vec(),
            min_total: 10,
            season_days: 7,
            ewma: 0.25,
            prior: 1.0,
            alpha: 1e-4,
            z_min: 3.0,
            min_count: 5,
            warmup: 6,
            burst_s: 2.0,
            burst_gamma: 2.0,
            since_ms: None,
            max_buckets: 50_000,
            max_series_bytes: MAX_SERIES_BYTES,
        }
    }
}

impl TrendParams {
    fn check(&self) -> Result<(), TrendError> {
        if self.bucket_ms <= 0 || DAY_MS % self.bucket_ms != 0 {
            return Err(TrendError::Bucket(self.bucket_ms));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(TrendError::Param("alpha must be in (0, 1)"));
        }
        if !(self.ewma > 0.0 && self.ewma <= 1.0) {
            return Err(TrendError::Param(
                "the moving-average weight must be in (0, 1]",
            ));
        }
        if self.prior.is_nan() || self.prior <= 0.0 {
            return Err(TrendError::Param("the prior must be positive"));
        }
        if self.burst_s.is_nan()
            || self.burst_s <= 1.0
            || self.burst_gamma.is_nan()
            || self.burst_gamma < 0.0
        {
            return Err(TrendError::Param(
                "the burst rate ratio must exceed 1 and gamma must not be negative",
            ));
        }
        Ok(())
    }

    /// Buckets per day: the season's period.
    pub fn period(&self) -> usize {
        (DAY_MS / self.bucket_ms.max(1)) as usize
    }
}

/// What the detector says about one series, in bucket indices.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The burst that confirms the spike.
    pub burst: Burst,
    /// First flagged bucket inside the burst.
    pub first_flagged: usize,
    /// Bucket with the largest count in the burst (the first of equals).
    pub peak: usize,
    pub peak_count: u32,
    pub baseline_at_peak: f64,
    /// Tail probability and z-score of the first flagged bucket.
    pub p_value: f64,
    pub z: f64,
}

/// Flags of one series against its baseline: for each bucket, `Some((p, z))`
/// when the spike test passes.
pub fn spike_flags(
    x: &[u32],
    baseline: &[f64],
    params: &TrendParams,
    first_tested: usize,
) -> Vec<Option<(f64, f64)>> {
    let ln_alpha = params.alpha.ln();
    x.iter()
        .zip(baseline)
        .enumerate()
        .map(|(t, (&count, &b))| {
            if t < params.warmup.max(first_tested) || count < params.min_count {
                return None;
            }
            let lambda = b + params.prior;
            let z = (f64::from(count) - lambda) / lambda.sqrt();
            if z < params.z_min {
                return None;
            }
            let ln_p = ln_poisson_tail(count, lambda);
            (ln_p < ln_alpha).then(|| (ln_p.exp(), z))
        })
        .collect()
}

/// Runs the spike test and the burst confirmation on one series `x` (counts of
/// the term) with `d` (all messages per bucket); tests start at bucket
/// `first_tested`. `None` when no flagged bucket lies inside a burst.
pub fn detect(x: &[u32], d: &[u32], params: &TrendParams, first_tested: usize) -> Option<Finding> {
    let baseline = seasonal_baseline(x, params.period(), params.season_days, params.ewma);
    let flags = spike_flags(x, &baseline, params, first_tested);
    if flags.iter().all(Option::is_none) {
        return None;
    }
    kleinberg_bursts(x, d, params.burst_s, params.burst_gamma)
        .into_iter()
        .filter_map(|burst| {
            let first = (burst.start..=burst.end).find(|&t| flags[t].is_some())?;
            let (p_value, z) = flags[first]?;
            let peak = (burst.start..=burst.end)
                .rev()
                .max_by_key(|&t| x[t])
                .unwrap_or(first);
            Some(Finding {
                burst,
                first_flagged: first,
                peak,
                peak_count: x[peak],
                baseline_at_peak: baseline[peak],
                p_value,
                z,
            })
        })
        .max_by(|a, b| a.burst.weight.total_cmp(&b.burst.weight))
}

/// An emerging topic, with times in epoch milliseconds (bucket starts).
#[derive(Debug, Clone, PartialEq)]
pub struct Emerging {
    pub kind: TermKind,
    pub term: String,
    /// Ranking score: the confirming burst's weight (log-likelihood ratio, nats).
    pub score: f64,
    /// Messages with the term in the whole archive.
    pub total: u32,
    pub first_flagged_ms: i64,
    pub peak_ms: i64,
    pub peak_count: u32,
    pub baseline_at_peak: f64,
    /// `peak_ms - first_flagged_ms`: how early the topic was flagged.
    pub lead_ms: i64,
    pub burst_start_ms: i64,
    /// End of the burst's last bucket (exclusive).
    pub burst_end_ms: i64,
    pub p_value: f64,
    pub z: f64,
}

/// The detector's answer on one archive.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendReport {
    pub bucket_ms: i64,
    /// Start of the first bucket and number of buckets.
    pub first_bucket_ms: i64,
    pub buckets: usize,
    /// Terms that got a series (in at least `min_total` messages).
    pub series: usize,
    /// Ranked, best first.
    pub emerging: Vec<Emerging>,
}

/// Counts the table's terms and ranks its emerging topics.
pub fn emerging(
    table: &crate::table::MessageTable,
    params: &TrendParams,
) -> Result<TrendReport, TrendError> {
    params.check()?;
    let counts = count_terms_within(
        table,
        &params.kinds,
        params.bucket_ms,
        params.min_total,
        params.max_buckets,
        params.max_series_bytes,
    )?;
    Ok(rank(&counts, params))
}

/// Ranks the emerging topics of counted series.
pub fn rank(counts: &TermCounts, params: &TrendParams) -> TrendReport {
    let first_tested = params.since_ms.map_or(0, |since| {
        let b =
            since.div_euclid(counts.bucket_ms) + i64::from(since.rem_euclid(counts.bucket_ms) != 0);
        usize::try_from(b - counts.first_bucket).unwrap_or(0)
    });
    let at = |i: usize| counts.bucket_start_ms(i);
    let mut found: Vec<Emerging> = counts
        .series
        .iter()
        .filter_map(|s| {
            let f = detect(&s.counts, &counts.totals, params, first_tested)?;
            Some(Emerging {
                kind: s.kind,
                term: s.term.clone(),
                score: f.burst.weight,
                total: s.total,
                first_flagged_ms: at(f.first_flagged),
                peak_ms: at(f.peak),
                peak_count: f.peak_count,
                baseline_at_peak: f.baseline_at_peak,
                lead_ms: at(f.peak) - at(f.first_flagged),
                burst_start_ms: at(f.burst.start),
                burst_end_ms: at(f.burst.end + 1),
                p_value: f.p_value,
                z: f.z,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.term.cmp(&b.term))
    });
    TrendReport {
        bucket_ms: counts.bucket_ms,
        first_bucket_ms: counts.bucket_start_ms(0),
        buckets: counts.totals.len(),
        series: counts.series.len(),
        emerging: found,
    }
}
