//! The burn-up chart as a PNG: scope and done per day, today and the target
//! date marked, 1000×600 with labels large enough for a phone. Drawn with
//! plotters' bitmap backend and an embedded font (DejaVu Sans, under the
//! Bitstream Vera licence, `assets/fonts/DejaVuSans-LICENSE.txt`), so
//! Cyrillic renders and no system font is needed. The same burn-up gives
//! the same bytes.

use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use image::ImageEncoder;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use super::BurnUp;

pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 600;
const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart's font cannot be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the chart as PNG failed: {0}")]
    Encode(#[from] image::ImageError),
}

fn font() -> Result<(), ChartError> {
    static LOADED: OnceLock<bool> = OnceLock::new();
    let ok = *LOADED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// The words on the chart, in the reader's language.
pub struct Labels {
    pub title: String,
    pub scope: String,
    pub done: String,
    pub today: String,
    pub target: String,
    pub features: String,
    /// How a date is written on the axis (`%d.%m`, `%b %d`).
    pub date_format: String,
}

/// Draws `b` as a PNG.
pub fn render(b: &BurnUp, labels: &Labels) -> Result<Vec<u8>, ChartError> {
    font()?;
    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    draw(b, labels, &mut pixels).map_err(|e| ChartError::Draw(e.to_string()))?;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png).write_image(
        &pixels,
        WIDTH,
        HEIGHT,
        image::ColorType::Rgb8,
    )?;
    Ok(png)
}

fn day(b: &BurnUp, d: NaiveDate) -> i64 {
    (d - b.start).num_days()
}

fn draw(
    b: &BurnUp,
    labels: &Labels,
    pixels: &mut [u8],
) -> Result<(), Box<dyn std::error::Error + 'static>> {
    let root = BitMapBackend::with_buffer(pixels, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let last = b.target.map_or(b.today, |t| t.max(b.today));
    let x_end = day(b, last).max(1) + 1;
    let top = b.days.iter().map(|(s, _)| *s).max().unwrap_or(0).max(1);
    let y_end = (top + top.div_ceil(5)).max(top + 1) as i64;
    let mut chart = ChartBuilder::on(&root)
        .caption(&labels.title, (FONT, 34))
        .margin(24)
        .x_label_area_size(56)
        .y_label_area_size(64)
        .build_cartesian_2d(-1i64..x_end, 0i64..y_end)?;
    let start = b.start;
    let fmt = labels.date_format.clone();
    let x_label = move |x: &i64| (start + Duration::days(*x)).format(&fmt).to_string();
    chart
        .configure_mesh()
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&x_label)
        .y_label_formatter(&|y| y.to_string())
        .label_style((FONT, 22))
        .y_desc(&labels.features)
        .axis_desc_style((FONT, 22))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let series = |pick: fn(&(usize, usize)) -> usize| {
        b.days
            .iter()
            .enumerate()
            .map(move |(i, v)| (i as i64, pick(v) as i64))
            .collect::<Vec<_>>()
    };
    let blue = RGBColor(31, 119, 180);
    let green = RGBColor(44, 160, 44);
    // Points too: a one-day series has no line to draw.
    chart.draw_series(
        series(|v| v.0)
            .into_iter()
            .map(|p| Circle::new(p, 5, blue.filled())),
    )?;
    chart.draw_series(
        series(|v| v.1)
            .into_iter()
            .map(|p| Circle::new(p, 5, green.filled())),
    )?;
    chart
        .draw_series(LineSeries::new(series(|v| v.0), blue.stroke_width(4)))?
        .label(&labels.scope)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], blue.stroke_width(4)));
    chart
        .draw_series(LineSeries::new(series(|v| v.1), green.stroke_width(4)))?
        .label(&labels.done)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], green.stroke_width(4)));
    let mut mark =
        |d: NaiveDate, text: &str, color: RGBColor| -> Result<(), Box<dyn std::error::Error>> {
            let x = day(b, d);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, 0), (x, y_end)],
                color.stroke_width(3),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                format!(" {text}"),
                (x, y_end - 1),
                (FONT, 22).into_font().color(&color),
            )))?;
            Ok(())
        };
    mark(b.today, &labels.today, RGBColor(90, 90, 90))?;
    if let Some(t) = b.target {
        mark(t, &labels.target, RGBColor(214, 39, 40))?;
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 22))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    root.present()?;
    Ok(())
}
