#!/usr/bin/env python3
"""Generates load-results.json: a realistic results.json of a load run (open loop at 5000
requests/s, up to 256 in flight, lognormal origin p50 20 ms / p99 120 ms) with capacity sweeps, Belady, Redis, file and
no-cache, errors, timeouts, corrupt hits and one strategy whose hit ratio is still climbing.

The numbers come from simple models (lognormal latencies, exponential warm-up), not from a
run, so that the fixture is small, stable and exercises every part of the report. Run once;
the output is committed.  python3 make_fixture.py > load-results.json
"""
import json
import math

Z99 = 2.3263478740408408


def lognormal(p50_us, p99_us):
    mu, sigma = math.log(p50_us), math.log(p99_us / p50_us) / Z99
    return lambda x: 0.0 if x <= 0 else 0.5 * (1 + math.erf((math.log(x) - mu) / (sigma * math.sqrt(2))))


def quantile(cdf, q):
    lo, hi = 1.0, 60e6
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if cdf(mid) < q:
            lo = mid
        else:
            hi = mid
    return max(1, round(hi))


def hdr_quantiles():
    """Quantiles HdrHistogram's iter_quantiles(5) visits: 5 ticks per half distance to 100%."""
    out, q, step = [], 0.0, 0.1
    while 1 - q > 1e-5:
        out.append(q)
        for _ in range(5):
            q += step
            out.append(q)
        step /= 2
        q = out.pop()
    return sorted(set(round(x, 12) for x in out)) + [1.0]


def summary(cdf, count):
    dist = []
    for q in hdr_quantiles():
        v = quantile(cdf, min(q, 0.999999)) if q > 0 else quantile(cdf, 1e-6)
        dist.append([round(q * 100, 6), v])
    mean = sum(quantile(cdf, (i + 0.5) / 200) for i in range(200)) / 200
    return {
        "count": count,
        "min_us": dist[0][1],
        "mean_us": round(mean, 1),
        "p50_us": quantile(cdf, 0.5),
        "p90_us": quantile(cdf, 0.9),
        "p99_us": quantile(cdf, 0.99),
        "p999_us": quantile(cdf, 0.999),
        "p9999_us": quantile(cdf, 0.9999),
        "max_us": quantile(cdf, 0.999999),
        "distribution": dist,
    }


ORIGIN = lognormal(20_000, 120_000)
BACKEND = {  # get latency of hits and misses, p50/p99 in µs
    "moka": ((2, 9), (1, 6)),
    "lru": ((3, 14), (2, 8)),
    "belady": ((3, 14), (2, 8)),
    "redis": ((60, 180), (55, 160)),
    "file": ((35, 400), (20, 90)),
    "none": (None, (1, 2)),
}
MIB = 1 << 20

cells = [
    # strategy, kind, capacity as written, bytes, final hit ratio, warm-up time constant (s)
    ("moka", "moka", "16MiB", 16 * MIB, 0.62, 3.0),
    ("moka", "moka", "64MiB", 64 * MIB, 0.78, 4.0),
    ("moka", "moka", "256MiB", 256 * MIB, 0.91, 5.0),
    ("lru", "lru", "16MiB", 16 * MIB, 0.55, 3.0),
    ("lru", "lru", "64MiB", 64 * MIB, 0.73, 4.0),
    ("lru", "lru", "256MiB", 256 * MIB, 0.88, 30.0),
    ("belady", "belady", "16MiB", 16 * MIB, 0.71, 3.0),
    ("belady", "belady", "64MiB", 64 * MIB, 0.84, 4.0),
    ("belady", "belady", "256MiB", 256 * MIB, 0.95, 5.0),
    ("redis", "redis", "64MiB", 64 * MIB, 0.74, 4.0),
    ("disk", "file", "1GiB", 1024 * MIB, 0.97, 6.0),
    ("no-cache", "none", None, None, 0.0, 1.0),
]

results = []
for name, kind, cap, cap_bytes, hit, tau in cells:
    hit_get, miss_get = BACKEND[kind]
    hit_cdf = lognormal(*hit_get) if hit_get else None
    miss_cdf = lognormal(*miss_get)
    def e2e(x, hit=hit, hit_cdf=hit_cdf, miss_cdf=miss_cdf):
        h = hit * hit_cdf(x) if hit_cdf else 0.0
        return h + (1 - hit) * ORIGIN(max(x - quantile(miss_cdf, 0.5), 1))
    mean_s = sum(quantile(e2e, (i + 0.5) / 200) for i in range(200)) / 200 / 1e6
    # Open loop: the target rate is met while 256 in-flight requests cover the mean latency.
    throughput = round(min(5000.0, 256 / mean_s) * (0.9995 - 0.0003 * len(results)), 1)
    measured_s = 50.0
    requests = int(throughput * measured_s)
    reads = requests
    hits = int(reads * hit)
    errors = 12 if kind == "redis" else 0
    timeouts = 3 if kind == "redis" else 0
    corrupt = 2 if kind == "file" else 0
    series = []
    for t in range(-10, 50):
        h = hit * (1 - math.exp(-(t + 10.5) / tau))
        if kind == "redis" and t in (20, 21):
            h *= 0.5  # Redis stalled: errors went to the origin
        series.append({
            "t_s": float(t),
            "requests": int(throughput),
            "hit_ratio": round(h, 4),
            "origin_rps": round(throughput * (1 - h), 1),
            "errors": 6 if kind == "redis" and t in (20, 21) else 0,
            "timeouts": (2 if t == 20 else 1 if t == 21 else 0) if kind == "redis" else 0,
        })
    value_bytes = 2700
    results.append({
        "strategy": name,
        "kind": kind,
        "capacity": cap,
        "capacity_value": cap_bytes,
        "capacity_unit": "bytes" if cap else None,
        "requests": requests,
        "hits": hits - corrupt,
        "misses": reads - hits + corrupt,
        "writes": 0,
        "bytes_requested": reads * value_bytes,
        "bytes_hit": int(hits * value_bytes * 0.93),
        "evictions": 0 if kind == "none" else int(reads * (1 - hit) * 0.97),
        "errors": errors,
        "corrupt": corrupt,
        "hit_ratio": round((hits - corrupt) / reads, 6),
        "byte_hit_ratio": round(hits * 0.93 / reads, 6),
        "final_entries": 0 if cap is None else cap_bytes // value_bytes,
        "final_bytes": 0 if cap is None else int(cap_bytes * 0.98),
        "elapsed_s": measured_s + 10,
        "load": {
            "loop_mode": "open",
            "concurrency": 256,
            "target_rps": 5000.0,
            "throughput_rps": throughput,
            "measured_s": measured_s,
            "origin_requests": reads - hits + corrupt + errors,
            "origin_rps": round((reads - hits + corrupt + errors) / measured_s, 1),
            "timeouts": timeouts,
            "get_hit": summary(hit_cdf, hits) if hit_cdf else None,
            "get_miss": summary(miss_cdf, reads - hits),
            "put": summary(miss_cdf, reads - hits) if kind == "redis" else None,
            "end_to_end": summary(e2e, requests),
            "timeseries": series,
            "tiers": [],
        },
    })

strategies = []
for name, kind, cap, _, _, _ in cells:
    if any(s["name"] == name for s in strategies):
        strategies[[s["name"] for s in strategies].index(name)]["capacity"].append(cap)
        continue
    s = {"name": name, "kind": kind, "capacity": [cap] if cap else None, "params": {}}
    if kind == "redis":
        s["url"] = "redis://127.0.0.1:6379"
    if kind == "file":
        s["dir"] = "reports/.cache-disk"
    strategies.append(s)

doc = {
    "schema_version": 1,
    "name": "web-three-way",
    "mode": "load",
    "scenario": {
        "name": "web-three-way",
        "description": "moka vs Redis vs files on Zipf 0.9 web traffic with a 20 ms origin",
        "seed": 42,
        "workload": {
            "kind": "zipf", "keys": 100000, "alpha": 0.9, "requests": 300000, "warmup": 0.1,
            "value_size": {"dist": "lognormal", "median": 2048, "sigma": 0.8, "max": 65536},
        },
        "strategy": strategies,
        "load": {"mode": "open", "rate": 5000, "concurrency": 256, "duration": "60s", "warmup": "10s"},
        "origin": {"latency": {"dist": "lognormal", "p50_ms": 20, "p99_ms": 120}},
        "objectives": {"p99_ms": 100.0, "min_hit_ratio": 0.7, "memory_budget": 256 * MIB, "max_origin_rps": 1500.0},
    },
    "seed": 42,
    "environment": {
        "cachelab_version": "0.1.0",
        "cpu_model": "AMD EPYC 7B13",
        "cores": 2,
        "os": "linux x86_64 6.1.0",
        "redis_version": "7.0.15",
    },
    "started_at": "2025-01-15T10:00:00Z",
    "duration_s": 734.5,
    "partial": False,
    "warmup_requests": 30000,
    "results": results,
}
print(json.dumps(doc, separators=(",", ":")))
