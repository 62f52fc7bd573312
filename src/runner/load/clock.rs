//! The clock that times each request: `std::time::Instant`s derived from the CPU's time-stamp
//! counter through quanta. On the 2-core KVM machines here `Instant::now()` costs 29-35 ns
//! and a TSC read about 12 ns; timing a request takes two reads, so this clock cuts the load
//! harness's own overhead per request by about a third (issue target: 100 ns in all).
//!
//! Each thread keeps an anchor (a TSC reading and the `Instant` read beside it) and
//! re-anchors on the OS clock every [`REANCHOR`], so times stay within nanoseconds of
//! `Instant::now()` (the TSC's calibrated rate drifted about 1 ppm from the OS clock here) and
//! compare correctly with the `Instant`s of tokio's timers and the open loop's schedule.
//! Where quanta finds no usable TSC it reads the OS clock itself, and this is as exact as
//! `Instant::now()`.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long a thread's anchor serves before it is read again from the OS clock.
const REANCHOR: Duration = Duration::from_millis(10);

fn tsc() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

thread_local! {
    static ANCHOR: Cell<Option<(u64, Instant)>> = const { Cell::new(None) };
}

/// The current time, as `Instant::now()` would give it within a few nanoseconds.
#[inline]
pub fn now() -> Instant {
    let clock = tsc();
    let raw = clock.raw();
    ANCHOR.with(|anchor| match anchor.get() {
        Some((at_raw, at)) if raw >= at_raw => {
            let since = clock.delta(at_raw, raw);
            if since < REANCHOR {
                return at + since;
            }
            reanchor(anchor, clock)
        }
        _ => reanchor(anchor, clock),
    })
}

#[cold]
fn reanchor(anchor: &Cell<Option<(u64, Instant)>>, clock: &quanta::Clock) -> Instant {
    let at = Instant::now();
    anchor.set(Some((clock.raw(), at)));
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_os_clock() {
        for _ in 0..50 {
            let before = Instant::now();
            let ours = now();
            let after = Instant::now();
            // Within the reads on either side, give or take the TSC's drift over REANCHOR.
            let slack = Duration::from_micros(2);
            assert!(ours + slack >= before && ours <= after + slack, "{before:?} {ours:?} {after:?}");
            std::thread::sleep(Duration::from_micros(700));
        }
    }

    #[test]
    fn measures_a_sleep() {
        let start = now();
        std::thread::sleep(Duration::from_millis(30));
        let took = now() - start;
        assert!(took >= Duration::from_millis(29) && took < Duration::from_millis(500), "{took:?}");
    }
}
