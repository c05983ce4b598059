//! The report's SVG charts, drawn with plotters' SVG backend. Text is written as
//! SVG `<text>` (escaped by the backend) and shaped by the browser, so no font
//! library is needed and Arabic labels render like the rest of the page.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Labels, Report};
use crate::escape::forbidden_in_xml;
use crate::time::format_iso;

const DAY_MS: i64 = 86_400_000;
const SIZE: (u32, u32) = (860, 380);
const FONT: &str = "sans-serif";

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("drawing a chart: {e}"))
}

fn color(i: usize) -> RGBColor {
    let c = Palette99::pick(i).to_rgba();
    RGBColor(c.0, c.1, c.2)
}

/// Renders one chart into an SVG string.
fn svg(draw: impl FnOnce(&Area<'_>) -> Result<(), std::io::Error>) -> std::io::Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(io_error)?;
        draw(&root)?;
        root.present().map_err(io_error)?;
    }
    Ok(out)
}

/// Posts per day (or per bucket of days) of each account, one line each.
pub(super) fn activity(report: &Report, l: &Labels) -> std::io::Result<String> {
    svg(|root| {
        let n = report.buckets.count.max(1) as i32;
        let max = report
            .accounts
            .iter()
            .flat_map(|a| a.activity.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1);
        let step = i64::from(report.buckets.days_per_bucket) * DAY_MS;
        let start = report.buckets.start_ms;
        let date = |i: &i32| {
            let iso = format_iso(start + i64::from(*i) * step);
            iso.get(..10).unwrap_or(&iso).to_owned()
        };
        let caption = match report.buckets.days_per_bucket {
            1 => l.activity_chart.to_owned(),
            n => format!("{} ({n} {})", l.posts, (l.days)(n)),
        };
        let mut chart = ChartBuilder::on(root)
            .caption(caption, (FONT, 20))
            .margin(12)
            .margin_right(48)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0..(n - 1).max(1), 0..max + max / 10 + 1)
            .map_err(io_error)?;
        chart
            .configure_mesh()
            .x_labels(6.min(n as usize).max(2))
            .x_label_formatter(&date)
            .y_desc(l.posts)
            .label_style((FONT, 13))
            .draw()
            .map_err(io_error)?;
        for (i, a) in report.accounts.iter().enumerate() {
            let c = color(i);
            let points = a.activity.iter().enumerate().map(|(x, &y)| (x as i32, y));
            chart
                .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))
                .map_err(io_error)?
                .label(label(&a.handle))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
            chart
                .draw_series(points.map(|p| Circle::new(p, 3, c.filled())))
                .map_err(io_error)?;
        }
        legend(&mut chart)
    })
}

/// Total interactions per account, as bars.
pub(super) fn interactions(report: &Report, l: &Labels) -> std::io::Result<String> {
    svg(|root| {
        let handles: Vec<&str> = report.accounts.iter().map(|a| a.handle.as_str()).collect();
        let max = report
            .accounts
            .iter()
            .map(|a| a.interactions.total)
            .max()
            .unwrap_or(0)
            .max(1);
        let mut chart = ChartBuilder::on(root)
            .caption(l.interactions_chart, (FONT, 20))
            .margin(12)
            .margin_right(48)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(
                segments(handles.len()).into_segmented(),
                0..max + max / 10 + 1,
            )
            .map_err(io_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(handles.len().max(1))
            .x_label_formatter(&|v| segment_name(v, &handles))
            .y_desc(l.interactions)
            .label_style((FONT, 13))
            .draw()
            .map_err(io_error)?;
        chart
            .draw_series(report.accounts.iter().enumerate().map(|(i, a)| {
                let x = i as u32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(x), 0),
                        (SegmentValue::Exact(x + 1), a.interactions.total),
                    ],
                    color(i).filled(),
                );
                bar.set_margin(0, 0, 12, 12);
                bar
            }))
            .map_err(io_error)?;
        Ok(())
    })
}

/// Sentiment of the replies each account received, as stacked shares.
pub(super) fn sentiment(report: &Report, l: &Labels) -> std::io::Result<String> {
    svg(|root| {
        let handles: Vec<&str> = report.accounts.iter().map(|a| a.handle.as_str()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(l.sentiment_chart, (FONT, 20))
            .margin(12)
            .margin_right(48)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(segments(handles.len()).into_segmented(), 0.0..100.0)
            .map_err(io_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(handles.len().max(1))
            .x_label_formatter(&|v| segment_name(v, &handles))
            .y_desc(format!("{} %", l.share))
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FONT, 13))
            .draw()
            .map_err(io_error)?;
        let classes = [
            (l.positive, RGBColor(46, 139, 87)),
            (l.neutral, RGBColor(170, 170, 170)),
            (l.negative, RGBColor(200, 60, 60)),
        ];
        for (k, (name, c)) in classes.into_iter().enumerate() {
            let bars = report.accounts.iter().enumerate().filter_map(|(i, a)| {
                let shares = a.reply_sentiment.shares()?;
                let below: f64 = shares[..k].iter().sum::<f64>() * 100.0;
                let x = i as u32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(x), below),
                        (SegmentValue::Exact(x + 1), below + shares[k] * 100.0),
                    ],
                    c.filled(),
                );
                bar.set_margin(0, 0, 12, 12);
                Some(bar)
            });
            chart
                .draw_series(bars)
                .map_err(io_error)?
                .label(name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        legend(&mut chart)
    })
}

/// The discrete range of `n` bars: plotters' segments run one past the range's
/// end, so `n` accounts need `0..n - 1` (two slots when there is one account).
fn segments(n: usize) -> std::ops::Range<u32> {
    0..(n as u32).saturating_sub(1).max(1)
}

fn segment_name(v: &SegmentValue<u32>, handles: &[&str]) -> String {
    match v {
        SegmentValue::CenterOf(i) => label(handles.get(*i as usize).copied().unwrap_or("")),
        _ => String::new(),
    }
}

/// A handle as chart text. The backend escapes markup but keeps the characters
/// XML cannot hold, which would leave the page ill-formed.
fn label(handle: &str) -> String {
    handle.chars().filter(|&c| !forbidden_in_xml(c)).collect()
}

fn legend<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
) -> std::io::Result<()>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT, 13))
        .draw()
        .map_err(io_error)
}
