//! `[costs]`: what a cache costs to run, so the report can size it by money as well as by hit
//! ratio. One type for the scenario that states the prices and the results that carry them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Invalid;
use crate::model::units::Positive;

/// Bytes in a GiB (memory is priced per binary gigabyte, as cloud memory is).
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
/// Bytes in a GB (egress is priced per decimal gigabyte, as cloud transfer is).
pub const GB: f64 = 1e9;

/// Prices of running a cache for a month: its memory, and the origin work its misses cause.
/// Every price is optional, but at least one must be given; origin prices need the monthly
/// request volume they scale with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Costs {
    /// Price of one GiB of cache memory for a month (the strategy's `memory_bytes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<f64>")]
    pub memory_per_gib_month: Option<Positive>,
    /// Price of one million requests reaching the origin (misses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<f64>")]
    pub origin_per_million_misses: Option<Positive>,
    /// Price of one GB (10^9 bytes) sent by the origin (missed bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<f64>")]
    pub egress_per_gb: Option<Positive>,
    /// Requests the production cache serves in a month: the measured miss ratios are scaled
    /// to it. Required with an origin price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<f64>")]
    pub requests_per_month: Option<Positive>,
    /// Currency the prices are in, shown in axis labels and text (default `USD`).
    #[serde(default = "default_currency")]
    pub currency: String,
}

fn default_currency() -> String {
    "USD".into()
}

/// One month of running a cache, by cause, in the prices' currency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct MonthlyCost {
    /// Memory.
    pub memory: f64,
    /// Origin requests (misses).
    pub origin: f64,
    /// Origin egress (missed bytes).
    pub egress: f64,
    /// The sum.
    pub total: f64,
}

impl Costs {
    /// Checks what the parser cannot: at least one price, a request volume for origin prices
    /// and a currency name.
    pub fn validate(&self) -> Result<(), Invalid> {
        let origin = self.origin_per_million_misses.is_some() || self.egress_per_gb.is_some();
        if self.memory_per_gib_month.is_none() && !origin {
            return Err(Invalid::new(
                "",
                "[costs] states no price; set memory_per_gib_month, origin_per_million_misses or egress_per_gb",
            ));
        }
        if origin && self.requests_per_month.is_none() {
            return Err(Invalid::new(
                "requests_per_month",
                "origin prices need requests_per_month (the monthly traffic the miss ratio is scaled to)",
            ));
        }
        if self.currency.trim().is_empty() || self.currency.chars().count() > 8 {
            return Err(Invalid::new("currency", "must be a short name such as USD or EUR"));
        }
        Ok(())
    }

    /// What a month costs for a cache holding `memory_bytes` that misses `miss_ratio` of
    /// requests and `missed_bytes_per_request` bytes per request on average; `None` when a
    /// memory price is set and the memory is unknown.
    pub fn monthly(
        &self,
        memory_bytes: Option<u64>,
        miss_ratio: f64,
        missed_bytes_per_request: f64,
    ) -> Option<MonthlyCost> {
        let memory = match self.memory_per_gib_month {
            Some(price) => memory_bytes? as f64 / GIB * price.0,
            None => 0.0,
        };
        let requests = self.requests_per_month.map_or(0.0, |r| r.0);
        let origin = self.origin_per_million_misses.map_or(0.0, |p| requests * miss_ratio / 1e6 * p.0);
        let egress = self.egress_per_gb.map_or(0.0, |p| requests * missed_bytes_per_request / GB * p.0);
        Some(MonthlyCost { memory, origin, egress, total: memory + origin + egress })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_adds_memory_origin_and_egress() {
        let costs = Costs {
            memory_per_gib_month: Some(Positive(4.0)),
            origin_per_million_misses: Some(Positive(2.0)),
            egress_per_gb: Some(Positive(0.1)),
            requests_per_month: Some(Positive(1e9)),
            currency: "USD".into(),
        };
        // 512 MiB: 2.00; 10 % of 1e9 misses: 100 M × 2 / M = 200; 1 KB per request: 1 TB = 100.
        let m = costs.monthly(Some(512 << 20), 0.1, 1000.0).unwrap();
        assert_eq!((m.memory, m.origin, m.egress, m.total), (2.0, 200.0, 100.0, 302.0));
        assert_eq!(costs.monthly(None, 0.1, 1000.0), None, "memory priced but unknown");
        let origin_only = Costs { memory_per_gib_month: None, ..costs.clone() };
        assert_eq!(origin_only.monthly(None, 0.1, 0.0).unwrap().total, 200.0);
    }

    #[test]
    fn origin_prices_need_a_request_volume() {
        let costs = Costs { origin_per_million_misses: Some(Positive(1.0)), ..Costs::default() };
        assert_eq!(costs.validate().unwrap_err().key, "requests_per_month");
        assert_eq!(Costs::default().validate().unwrap_err().key, "");
    }
}
