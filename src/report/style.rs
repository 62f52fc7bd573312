//! Fonts and colours: text renders from embedded DejaVu Sans (no system fonts needed), and a
//! strategy keeps one colour in every chart and in the page's table.

use std::sync::Once;

use plotters::style::{FontStyle, RGBColor, register_font};

use crate::metrics::{Backend, RunResult, StrategyResult};

/// Font family every chart uses; registered from the `dejavu` crate.
pub const FONT: &str = "sans-serif";

/// Registers DejaVu Sans (regular and bold) as [`FONT`] once per process.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fonts = [(FontStyle::Normal, dejavu::sans::regular()), (FontStyle::Bold, dejavu::sans::bold())];
        for (style, bytes) in fonts {
            assert!(register_font(FONT, style, bytes).is_ok(), "the embedded DejaVu Sans font is valid");
        }
    });
}

/// Sixteen colours that stay apart on white, also for colour-blind readers: Okabe and Ito's
/// seven (without black, kept for the bound) then Paul Tol's nine "muted" ones, the palest
/// last (Okabe & Ito, "Color Universal Design", 2008; Tol, "Colour Schemes", SRON 2021).
pub const PALETTE: [RGBColor; 16] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x33, 0x22, 0x88),
    RGBColor(0x11, 0x77, 0x33),
    RGBColor(0x88, 0x22, 0x55),
    RGBColor(0x44, 0xAA, 0x99),
    RGBColor(0x99, 0x99, 0x33),
    RGBColor(0xAA, 0x44, 0x99),
    RGBColor(0xCC, 0x66, 0x77),
    RGBColor(0x88, 0xCC, 0xEE),
    RGBColor(0xDD, 0xCC, 0x77),
    RGBColor(0xF0, 0xE4, 0x42),
];

/// A marker shape; one per family of policies, so that lines of one family look alike in
/// shape and differ in colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Recency: LRU, CLOCK.
    Circle,
    /// Insertion order: FIFO, SIEVE, S3-FIFO.
    Square,
    /// Frequency: LFU, W-TinyLFU, moka.
    Triangle,
    /// History-adaptive: ARC, LIRS.
    Diamond,
    /// Anything else (Redis, files, tiers, the bound).
    Cross,
}

/// The family marker of a strategy of `kind`.
pub fn family(kind: &str) -> Shape {
    match kind {
        "lru" | "clock" => Shape::Circle,
        "fifo" | "sieve" | "s3fifo" => Shape::Square,
        "lfu" | "wtinylfu" | "moka" => Shape::Triangle,
        "arc" | "lirs" => Shape::Diamond,
        _ => Shape::Cross,
    }
}

/// Belady (the optimal bound) is always black.
pub const BOUND: RGBColor = RGBColor(0, 0, 0);
/// The no-cache baseline is always grey.
pub const BASELINE: RGBColor = RGBColor(0x80, 0x80, 0x80);

/// How a line is stroked: capacities of one strategy share its colour and differ in dashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    /// A solid line (a strategy's largest capacity, or its only one).
    Solid,
    /// Dashes this many pixels long, with gaps half as long.
    Dashed(u32),
}

/// Whether `r` is the optimal bound (drawn in black, dashed, not a candidate).
pub fn is_bound(r: &StrategyResult) -> bool {
    r.bound
}

/// Colours by strategy, fixed for one run: strategies take palette colours in order of first
/// appearance (Belady black, `none` grey). Within a capacity sweep the largest capacity has the
/// full colour and a solid line; smaller ones are lighter shades of the same colour with
/// shorter dashes.
#[derive(Debug, Clone)]
pub struct Palette {
    names: Vec<String>,
    /// (strategy, capacity value) → colour and stroke.
    styles: Vec<((String, Option<u64>), RGBColor, Dash)>,
}

impl Palette {
    /// The palette of `result`.
    pub fn new(result: &RunResult) -> Palette {
        let mut names: Vec<String> = Vec::new();
        for r in &result.results {
            if !is_bound(r) && r.backend != Backend::None && !names.contains(&r.strategy) {
                names.push(r.strategy.clone());
            }
        }
        // One-pass curves of a strategy no row names (`cachelab mrc`) get colours of their own.
        for c in &result.curves {
            if !names.contains(&c.strategy) {
                names.push(c.strategy.clone());
            }
        }
        let mut palette = Palette { names, styles: Vec::new() };
        for r in &result.results {
            let mut sizes: Vec<Option<u64>> = result
                .results
                .iter()
                .filter(|o| o.strategy == r.strategy)
                .map(|o| o.capacity_value)
                .collect();
            sizes.sort_unstable();
            sizes.dedup();
            let from_top = sizes.len() - 1 - sizes.partition_point(|&s| s < r.capacity_value);
            let base = palette.strategy_colour(r);
            let (colour, dash) = match (is_bound(r), from_top) {
                (true, k) => (base, Dash::Dashed((12 / (k as u32 + 1)).max(3))),
                (false, 0) => (base, Dash::Solid),
                (false, k) => {
                    let lighter = 0.5 * k as f64 / (sizes.len() - 1) as f64;
                    (shade(base, lighter), Dash::Dashed((14 / k as u32).max(4)))
                }
            };
            palette.styles.push(((r.strategy.clone(), r.capacity_value), colour, dash));
        }
        palette
    }

    /// The full colour of `r`'s strategy (for one line per strategy, as in miss-ratio curves).
    pub fn strategy_colour(&self, r: &StrategyResult) -> RGBColor {
        if is_bound(r) {
            return BOUND;
        }
        self.named(&r.strategy)
    }

    /// The colour of the strategy named `name` (grey when it is not a candidate of the run).
    pub fn named(&self, name: &str) -> RGBColor {
        match self.names.iter().position(|n| n == name) {
            Some(i) => PALETTE[i % PALETTE.len()],
            None => BASELINE,
        }
    }

    fn style(&self, r: &StrategyResult) -> Option<(RGBColor, Dash)> {
        self.styles
            .iter()
            .find(|((name, cap), _, _)| *name == r.strategy && *cap == r.capacity_value)
            .map(|(_, c, d)| (*c, *d))
    }

    /// The colour of `r` (its strategy's colour, lighter for smaller capacities of a sweep).
    pub fn colour(&self, r: &StrategyResult) -> RGBColor {
        self.style(r).map_or_else(|| self.strategy_colour(r), |s| s.0)
    }

    /// The stroke of `r`'s lines.
    pub fn dash(&self, r: &StrategyResult) -> Dash {
        self.style(r).map_or(Dash::Solid, |s| s.1)
    }

    /// CSS `#rrggbb` of `r`'s colour, for the page.
    pub fn css(&self, r: &StrategyResult) -> String {
        let RGBColor(red, green, blue) = self.colour(r);
        format!("#{red:02x}{green:02x}{blue:02x}")
    }
}

/// `c` moved towards white by `t` (0 = unchanged, 1 = white).
fn shade(c: RGBColor, t: f64) -> RGBColor {
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * t).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}
