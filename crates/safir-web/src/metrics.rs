//! Prometheus metrics in the text exposition format, without a metrics
//! library: request counts and latencies recorded by [`track`], and gauges
//! other parts of the system set (job queue depth, failed jobs).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Upper bounds of the latency buckets, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Label for requests no route matched, so scanners cannot explode the
/// number of series with made-up paths.
pub const UNMATCHED_ROUTE: &str = "unmatched";

#[derive(Default)]
struct Histogram {
    counts: [u64; LATENCY_BUCKETS.len()],
    sum: f64,
    count: u64,
}

struct Gauge {
    help: &'static str,
    values: BTreeMap<Vec<(String, String)>, f64>,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<(String, String), Histogram>,
    gauges: BTreeMap<&'static str, Gauge>,
}

/// The registry. Share it as `Arc<Metrics>`.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics::default())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn record_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut inner = self.lock();
        *inner
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let histogram = inner
            .latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        for (count, bound) in histogram.counts.iter_mut().zip(LATENCY_BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// Sets a gauge, e.g. `set_gauge("safir_jobs_queued", "Jobs waiting",
    /// &[("queue", "email")], 12.0)`. `name` must be a valid metric name.
    pub fn set_gauge(
        &self,
        name: &'static str,
        help: &'static str,
        labels: &[(&str, &str)],
        value: f64,
    ) {
        let labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.lock()
            .gauges
            .entry(name)
            .or_insert_with(|| Gauge {
                help,
                values: BTreeMap::new(),
            })
            .values
            .insert(labels, value);
    }

    /// Job queue depth by state (`queued`, `running`, `dead`).
    pub fn set_job_queue_depth(&self, state: &str, depth: u64) {
        self.set_gauge(
            "safir_job_queue_depth",
            "Jobs in the queue by state.",
            &[("state", state)],
            depth as f64,
        );
    }

    /// Jobs that have failed at least once and not yet succeeded or died.
    pub fn set_job_failures(&self, failing: u64) {
        self.set_gauge(
            "safir_job_failures",
            "Jobs whose last attempt failed.",
            &[],
            failing as f64,
        );
    }

    /// The text exposition format, version 0.0.4.
    pub fn render(&self) -> String {
        let inner = self.lock();
        let mut out = String::new();
        out.push_str("# HELP safir_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE safir_http_requests_total counter\n");
        for ((method, route, status), count) in &inner.requests {
            let _ = writeln!(
                out,
                "safir_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(method),
                escape(route)
            );
        }
        out.push_str("# HELP safir_http_request_duration_seconds Time to answer HTTP requests.\n");
        out.push_str("# TYPE safir_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &inner.latency {
            let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
            for (count, bound) in h.counts.iter().zip(LATENCY_BUCKETS) {
                let _ = writeln!(
                    out,
                    "safir_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "safir_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "safir_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "safir_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        for (name, gauge) in &inner.gauges {
            let _ = writeln!(out, "# HELP {name} {}", gauge.help);
            let _ = writeln!(out, "# TYPE {name} gauge");
            for (labels, value) in &gauge.values {
                let labels: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                    .collect();
                if labels.is_empty() {
                    let _ = writeln!(out, "{name} {value}");
                } else {
                    let _ = writeln!(out, "{name}{{{}}} {value}", labels.join(","));
                }
            }
        }
        out
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware (`from_fn_with_state(metrics, track)`, added with
/// `Router::layer` so the matched route template is known).
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method()).to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE, |p| p.as_str())
        .to_owned();
    let response = next.run(req).await;
    metrics.record_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Handler for `/metrics`.
pub async fn metrics_handler(State(metrics): State<Arc<Metrics>>) -> Response {
    let mut response = metrics.render().into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// The method as a label: one of HTTP's own, else `other`. Any token is a method to HTTP, and
/// each label value is a series kept for the life of the process: a client sending made-up
/// methods would grow the metrics without end.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_histograms_render_in_exposition_format() {
        let m = Metrics::default();
        m.record_request("GET", "/cases/{id}", 200, 0.004);
        m.record_request("GET", "/cases/{id}", 200, 0.3);
        m.record_request("GET", "/cases/{id}", 404, 0.002);
        let text = m.render();
        assert!(text.contains(
            "safir_http_requests_total{method=\"GET\",route=\"/cases/{id}\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "safir_http_requests_total{method=\"GET\",route=\"/cases/{id}\",status=\"404\"} 1\n"
        ));
        let bucket = |le: &str| {
            format!(
                "safir_http_request_duration_seconds_bucket{{method=\"GET\",route=\"/cases/{{id}}\",le=\"{le}\"}} "
            )
        };
        assert!(text.contains(&format!("{}1\n", bucket("0.0025"))));
        assert!(text.contains(&format!("{}2\n", bucket("0.005"))));
        assert!(text.contains(&format!("{}3\n", bucket("0.5"))));
        assert!(text.contains(&format!("{}3\n", bucket("+Inf"))));
        assert!(text.contains(
            "safir_http_request_duration_seconds_count{method=\"GET\",route=\"/cases/{id}\"} 3\n"
        ));
    }

    #[test]
    fn made_up_methods_share_one_label() {
        let made_up = axum::http::Method::from_bytes(b"FOO1").unwrap();
        assert_eq!(method_label(&made_up), "other");
        assert_eq!(method_label(&axum::http::Method::DELETE), "DELETE");
    }

    #[test]
    fn gauges_are_replaced_not_added() {
        let m = Metrics::default();
        m.set_job_queue_depth("queued", 7);
        m.set_job_queue_depth("queued", 4);
        m.set_job_queue_depth("dead", 1);
        m.set_job_failures(2);
        let text = m.render();
        assert!(text.contains("# TYPE safir_job_queue_depth gauge\n"));
        assert!(text.contains("safir_job_queue_depth{state=\"queued\"} 4\n"));
        assert!(text.contains("safir_job_queue_depth{state=\"dead\"} 1\n"));
        assert!(text.contains("safir_job_failures 2\n"));
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::default();
        m.set_gauge("g", "help", &[("k", "a\"b\\c")], 1.0);
        assert!(m.render().contains("g{k=\"a\\\"b\\\\c\"} 1\n"));
    }
}
