//! The statistics behind trend detection: the seasonal baseline, the Poisson
//! tail and Kleinberg's two-state burst automaton.

/// Natural log of `n!`: exact sum below 32, Stirling's series above (error
/// under 1e-13).
pub fn ln_factorial(n: u32) -> f64 {
    if n < 32 {
        return (2..=n).map(|k| f64::from(k).ln()).sum();
    }
    let n = f64::from(n);
    let (n2, n3) = (n * n, n * n * n);
    n * n.ln() - n + 0.5 * (2.0 * std::f64::consts::PI * n).ln() + 1.0 / (12.0 * n)
        - 1.0 / (360.0 * n3)
        + 1.0 / (1260.0 * n3 * n2)
}

/// Natural log of the one-sided Poisson tail `P(X ≥ x)` for `X ~ Poisson(lambda)`.
///
/// Computed in log space, so tails far below `f64::MIN_POSITIVE` keep their
/// order of magnitude (they rank spikes).
pub fn ln_poisson_tail(x: u32, lambda: f64) -> f64 {
    if x == 0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let ln_pmf = |k: u32| f64::from(k) * lambda.ln() - lambda - ln_factorial(k);
    if f64::from(x) > lambda {
        // Upper sum from x: the terms shrink by lambda / k < 1.
        let (mut sum, mut term, mut k) = (1.0, 1.0, x);
        loop {
            k += 1;
            term *= lambda / f64::from(k);
            sum += term;
            if term < sum * 1e-17 || k == u32::MAX {
                break;
            }
        }
        ln_pmf(x) + sum.ln()
    } else {
        // 1 - P(X ≤ x - 1), the lower sum running down from x - 1 (terms shrink by k / lambda).
        let top = x - 1;
        let (mut sum, mut term) = (1.0, 1.0);
        let mut k = top;
        while k > 0 {
            term *= f64::from(k) / lambda;
            sum += term;
            if term < sum * 1e-17 {
                break;
            }
            k -= 1;
        }
        let cdf = (ln_pmf(top) + sum.ln()).exp();
        (1.0 - cdf).max(0.0).ln()
    }
}

/// `P(X ≥ x)` for `X ~ Poisson(lambda)`.
pub fn poisson_tail(x: u32, lambda: f64) -> f64 {
    ln_poisson_tail(x, lambda).exp()
}

/// Expected count of each bucket from the buckets before it.
///
/// With `P` buckets per day, `k = min(season_days, t / P)` earlier days at the
/// same time of day, their mean `S_t`, and `E_t` the exponentially weighted
/// moving average of the earlier buckets (`E_1 = x_0`,
/// `E_t = a·x_{t-1} + (1 - a)·E_{t-1}`):
///
/// `baseline_t = w·S_t + (1 - w)·E_t` with `w = k / season_days`
///
/// so the baseline is purely seasonal once `season_days` of history exist and
/// purely the moving average when there is none.
pub fn seasonal_baseline(x: &[u32], period: usize, season_days: usize, ewma: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    let mut e = 0.0;
    for t in 0..x.len() {
        if t == 1 {
            e = f64::from(x[0]);
        } else if t > 1 {
            e = ewma * f64::from(x[t - 1]) + (1.0 - ewma) * e;
        }
        let k = t
            .checked_div(period)
            .map_or(0, |days| season_days.min(days));
        let b = if k == 0 {
            e
        } else {
            let s = (1..=k).map(|j| f64::from(x[t - j * period])).sum::<f64>() / k as f64;
            let w = k as f64 / season_days as f64;
            w * s + (1.0 - w) * e
        };
        out.push(b);
    }
    out
}

/// A burst: buckets `start..=end` in the high state, and its weight (the cost
/// saved by the high state over the interval, in nats: the log-likelihood ratio
/// of the burst rate against the base rate there).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    pub start: usize,
    pub end: usize,
    pub weight: f64,
}

/// Kleinberg's two-state automaton on batched counts (Kleinberg 2002, §4):
/// `r[t]` relevant items out of `d[t]` in bucket `t`.
///
/// Base rate `p0 = Σr / Σd`, burst rate `p1 = s·p0` (capped below 1); the cost
/// of state `i` in bucket `t` is `-ln(p_i^r (1 - p_i)^(d - r))` (the binomial
/// coefficient is the same in both states and drops out); entering the burst
/// state costs `gamma·ln T` over `T` buckets, leaving it is free; the automaton
/// starts in the base state. The cheapest state sequence (Viterbi) is exact.
pub fn kleinberg_bursts(r: &[u32], d: &[u32], s: f64, gamma: f64) -> Vec<Burst> {
    assert_eq!(r.len(), d.len(), "one total per bucket");
    let n = r.len();
    let (rs, ds): (f64, f64) = r.iter().zip(d).fold((0.0, 0.0), |(a, b), (&x, &y)| {
        (a + f64::from(x), b + f64::from(y))
    });
    if n == 0 || rs == 0.0 || ds == 0.0 {
        return Vec::new();
    }
    let p0 = (rs / ds).min(1.0 - 1e-9);
    let p1 = (s * p0).min(1.0 - 1e-9);
    let cost = |p: f64, t: usize| {
        let (r, d) = (f64::from(r[t]), f64::from(d[t]));
        -(r * p.ln() + (d - r).max(0.0) * (1.0 - p).ln())
    };
    let enter = gamma * (n as f64).ln();
    // from1[t]: whether the best path into state j at t came from state 1.
    let mut from1 = vec![[false; 2]; n];
    let (mut c0, mut c1) = (cost(p0, 0), enter + cost(p1, 0));
    for (t, back) in from1.iter_mut().enumerate().skip(1) {
        let (stay0, up) = (c0, c0 + enter);
        let (down, stay1) = (c1, c1);
        *back = [down < stay0, stay1 <= up];
        let n0 = stay0.min(down) + cost(p0, t);
        let n1 = up.min(stay1) + cost(p1, t);
        (c0, c1) = (n0, n1);
    }
    let mut state = usize::from(c1 < c0);
    let mut states = vec![0u8; n];
    for t in (0..n).rev() {
        states[t] = state as u8;
        if t > 0 {
            state = usize::from(from1[t][state]);
        }
    }
    let mut bursts = Vec::new();
    let mut t = 0;
    while t < n {
        if states[t] == 1 {
            let start = t;
            let mut weight = 0.0;
            while t < n && states[t] == 1 {
                weight += cost(p0, t) - cost(p1, t);
                t += 1;
            }
            bursts.push(Burst {
                start,
                end: t - 1,
                weight,
            });
        } else {
            t += 1;
        }
    }
    bursts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stirling_agrees_with_the_exact_sum() {
        for n in [32u32, 40, 100, 1000] {
            let exact: f64 = (2..=n).map(|k| f64::from(k).ln()).sum();
            assert!((ln_factorial(n) - exact).abs() < 1e-9 * exact, "{n}");
        }
        assert_eq!(ln_factorial(0), 0.0);
        assert!((ln_factorial(5) - 120f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn poisson_tail_matches_exact_sums() {
        // P(X >= x | lambda), summed exactly with 80-digit decimals.
        let known = [
            (1, 1.0, 6.321205588285577e-1),
            (5, 1.0, 3.659846827343712e-3),
            (10, 2.0, 4.64980750172638e-5),
            (3, 5.0, 8.753479805169189e-1),
            (5, 5.0, 5.595067149347875e-1),
            (30, 10.0, 2.509951201527908e-7),
            (100, 50.0, 3.200065324585125e-10),
            (20, 0.5, 2.435465429925314e-25),
            (50, 2.0, 5.214301903317168e-51),
            (1000, 500.0, 3.2982727970671e-86),
        ];
        for (x, lambda, p) in known {
            let got = poisson_tail(x, lambda);
            assert!(
                (got - p).abs() <= 1e-9 * p,
                "P(X >= {x} | {lambda}) = {got}, not {p}"
            );
        }
        assert_eq!(poisson_tail(0, 3.0), 1.0);
        assert_eq!(poisson_tail(4, 0.0), 0.0);
        // Far beyond f64's range the log keeps the order of magnitude.
        let ln = ln_poisson_tail(5000, 10.0);
        assert!(ln.is_finite() && ln < -20_000.0, "{ln}");
    }

    #[test]
    fn baseline_is_the_moving_average_without_history_and_seasonal_with_it() {
        // Two buckets per "day", a season of two days.
        let x = [4, 0, 8, 0, 6, 0];
        let b = seasonal_baseline(&x, 2, 2, 0.5);
        assert_eq!(b[0], 0.0);
        assert_eq!(b[1], 4.0);
        // t = 2: one day of history, w = 1/2: 0.5·x0 + 0.5·E_2 (E_2 = 0.5·0 + 0.5·4 = 2).
        assert!((b[2] - (0.5 * 4.0 + 0.5 * 2.0)).abs() < 1e-12);
        // t = 4: two days, purely seasonal: mean(x2, x0) = 6.
        assert!((b[4] - 6.0).abs() < 1e-12);
        assert!((b[5] - 0.0).abs() < 1e-12);
    }
}
