//! Human-readable numbers shared by charts, the page and the recommendation.

use crate::metrics::StrategyResult;
use crate::model::CapacityUnit;

/// Bytes in binary units with up to three significant digits: `512 B`, `1.5 KiB`, `64 MiB`.
pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{} {}", significant(v, 3), UNITS[u])
}

/// A count with SI suffixes: `950`, `12k`, `1.5M`.
pub fn count(n: f64) -> String {
    let (v, suffix) = match n.abs() {
        a if a >= 1e9 => (n / 1e9, "G"),
        a if a >= 1e6 => (n / 1e6, "M"),
        a if a >= 1e3 => (n / 1e3, "k"),
        _ => (n, ""),
    };
    format!("{}{suffix}", significant(v, 3))
}

/// An integer with thousands separators: `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A latency given in microseconds, in the unit that reads best: `85 µs`, `1.2 ms`, `3.4 s`.
pub fn micros(us: f64) -> String {
    if us < 1000.0 {
        format!("{} µs", significant(us, 3))
    } else if us < 1_000_000.0 {
        format!("{} ms", significant(us / 1000.0, 3))
    } else {
        format!("{} s", significant(us / 1e6, 3))
    }
}

/// `v` with at most `digits` significant digits and no trailing zeros: `0.0123`, `12.3`, `1230`.
pub fn significant(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() { "0".into() } else { v.to_string() };
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// `v` with its sign and at most three significant digits: `+1.2`, `-0.9`, `+0`.
pub fn signed(v: f64) -> String {
    format!("{}{}", if v >= 0.0 { "+" } else { "" }, significant(v, 3))
}

/// A ratio with three decimals: `0.734`.
pub fn ratio(v: f64) -> String {
    format!("{v:.3}")
}

/// The capacity as the scenario wrote it, with its unit when written as a plain number:
/// `64MiB`, `5%`, `10000 objects`; `no capacity` for strategies without one.
pub fn capacity(r: &StrategyResult) -> String {
    match &r.capacity {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => match r.capacity_unit {
            Some(CapacityUnit::Bytes) => bytes(n.as_f64().unwrap_or(0.0)),
            _ => format!("{n} objects"),
        },
        Some(other) => other.to_string(),
        None => "no capacity".into(),
    }
}

/// The name a result goes by in legends and tables: `moka @ 64MiB`, or just the strategy
/// name when it has no capacity.
pub fn label(r: &StrategyResult) -> String {
    if r.capacity.is_none() { r.strategy.clone() } else { format!("{} @ {}", r.strategy, capacity(r)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes((64u64 << 20) as f64), "64 MiB");
        assert_eq!(count(950.0), "950");
        assert_eq!(count(12_345.0), "12.3k");
        assert_eq!(count(1_500_000.0), "1.5M");
        assert_eq!(micros(85.0), "85 µs");
        assert_eq!(micros(1234.0), "1.23 ms");
        assert_eq!(micros(3_400_000.0), "3.4 s");
        assert_eq!(significant(0.012345, 3), "0.0123");
        assert_eq!(significant(1230.0, 3), "1230");
        assert_eq!(ratio(0.73449), "0.734");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
