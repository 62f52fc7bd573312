#!/usr/bin/env python3
"""Replay an oracleGeneral trace through libCacheSim (its Python binding) for a list of cases.

Usage:
    libcachesim_oracle.py TRACE CASE [CASE ...]

TRACE is an oracleGeneral file (plain or .zst). Each CASE is `policy:size:mode`, where policy is
a cachelab policy name (lru, fifo, clock, lfu, arc, lirs, sieve, s3fifo, wtinylfu, belady,
twoq, slru, gdsf, lfuda, and mq from libcachesim 0.3.5 on: requirements-mq.txt), size
a whole number of objects or bytes, and mode `objects` (every object counts 1, libCacheSim's
ignore_obj_size) or `bytes`. A CASE may end in `:FILTER`, an admission filter in front of
the policy, spelled as libCacheSim takes it: `bloom`, `size=N` (admits sizes below N), `prob=P`,
`adaptsize` or `adaptsize=RECONF_INTERVAL` (see ADMISSIONS); each such case runs in a thread of
its own, whose random state starts where libCacheSim's per-thread state starts (0xdeadbeef), so
its draws do not depend on the cases before it. Prints one JSON object on stdout:

    {"libcachesim": "0.3.3.post4", "trace": TRACE,
     "results": [{"policy": "lru", "size": 1000, "mode": "objects",
                  "admission": null, "miss_ratio": 0.65, "byte_miss_ratio": 0.65}, ...]}

Every policy runs with the parameters cachelab's defaults mean (see POLICIES). Used by the
differential test (tests/it/oracle.rs) and to regenerate tests/data/oracle_miss_ratios.csv
(see tests/data/README.md). Exits 2 on a bad argument, 3 when libcachesim is not importable.
"""

import json
import sys
import threading
from importlib.metadata import version

try:
    import libcachesim as lcs
    from libcachesim import ReaderInitParam, TraceReader, TraceType
except ImportError as err:  # the test turns this into "install ..." advice
    print(f"libcachesim is not importable ({err}): pip install -r scripts/oracle/requirements.txt",
          file=sys.stderr)
    sys.exit(3)

# cachelab name -> constructor with cachelab's default parameters spelled out.
POLICIES = {
    "lru": lambda size: lcs.LRU(size),
    "fifo": lambda size: lcs.FIFO(size),
    # cachelab's clock: 1-bit counter (second chance), new objects start unreferenced.
    "clock": lambda size: lcs.Clock(size, init_freq=0, n_bit_counter=1),
    # libCacheSim's LFU: new objects start at 1, ties evicted oldest-inserted first.
    "lfu": lambda size: lcs.LFU(size),
    "arc": lambda size: lcs.ARC(size),
    # hirs_ratio is fixed at 0.01 in libCacheSim (cachelab's hir_ratio default).
    "lirs": lambda size: lcs.LIRS(size),
    "sieve": lambda size: lcs.Sieve(size),
    # cachelab's small_ratio, ghost_ratio, move_threshold defaults.
    "s3fifo": lambda size: lcs.S3FIFO(size, small_size_ratio=0.1, ghost_size_ratio=0.9,
                                      move_to_main_threshold=2),
    # cachelab's window_ratio 0.01; main is an SLRU split 1:4 (protected_ratio 0.8).
    "wtinylfu": lambda size: lcs.WTinyLFU(size, main_cache="SLRU", window_size=0.01),
    "belady": lambda size: lcs.Belady(size),
    # cachelab's a1in_ratio, a1out_ratio defaults (libCacheSim's).
    "twoq": lambda size: lcs.TwoQ(size, a_in_size_ratio=0.25, a_out_size_ratio=0.5),
    # libCacheSim's SLRU: 4 equal segments (cachelab's segments default); no parameters.
    "slru": lambda size: lcs.SLRU(size),
    "gdsf": lambda size: lcs.GDSF(size),
    "lfuda": lambda size: lcs.LFUDA(size),
    # cachelab's queues, lifetime, qout_ratio defaults (libCacheSim's); 0.3.5 and later only.
    "mq": lambda size: lcs.MQ(size, n_queue=8, lifetime=10000, qout_size_ratio=4.0),
}

# Policies the installed binding may lack: cachelab name -> the libcachesim class.
NEWER = {"mq": "MQ"}


# admission filter as written in a case -> constructor (None: no value given).
ADMISSIONS = {
    "bloom": lambda value: lcs.BloomFilterAdmissioner(),
    "size": lambda value: lcs.SizeAdmissioner(int(value)),
    "prob": lambda value: lcs.ProbAdmissioner(float(value)),
    "adaptsize": lambda value: lcs.AdaptSizeAdmissioner(
        reconf_interval=int(value) if value is not None else None),
}


def parse_case(text):
    try:
        policy, size, mode, *admission = text.split(":")
        size = int(size)
        admission = admission[0] if admission else None
    except ValueError:
        sys.exit(f"bad case {text!r}: expected policy:size:mode, e.g. lru:1000:objects")
    if policy not in POLICIES:
        sys.exit(f"bad case {text!r}: unknown policy {policy!r} (known: {', '.join(POLICIES)})")
    if policy in NEWER and not hasattr(lcs, NEWER[policy]):
        sys.exit(f"bad case {text!r}: libcachesim {version('libcachesim')} has no {NEWER[policy]} "
                 "(install scripts/oracle/requirements-mq.txt)")
    if mode not in ("objects", "bytes"):
        sys.exit(f"bad case {text!r}: mode must be objects or bytes")
    if size <= 0:
        sys.exit(f"bad case {text!r}: size must be positive")
    if admission is not None and admission.split("=")[0] not in ADMISSIONS:
        sys.exit(f"bad case {text!r}: unknown admission filter (known: {', '.join(ADMISSIONS)})")
    return policy, size, mode, admission


def run_case(policy, size, reader, admission):
    """(miss_ratio, byte_miss_ratio) of one case; with a filter, in a fresh thread."""
    if admission is None:
        return POLICIES[policy](size).process_trace(reader)
    name, _, value = admission.partition("=")
    out = []

    def work():
        cache = POLICIES[policy](size)
        # The binding's constructors take admissioner=; set it on the built cache instead, so
        # that POLICIES stays one constructor per policy.
        cache._cache.admissioner = ADMISSIONS[name](value or None)._admissioner
        out.append(cache.process_trace(reader))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return out[0]


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    trace = argv[1]
    cases = [parse_case(c) for c in argv[2:]]
    readers = {}
    results = []
    for policy, size, mode, admission in cases:
        if mode not in readers:
            params = ReaderInitParam(ignore_obj_size=(mode == "objects"))
            readers[mode] = TraceReader(trace, TraceType.ORACLE_GENERAL_TRACE, params)
        reader = readers[mode]
        reader.reset()
        miss_ratio, byte_miss_ratio = run_case(policy, size, reader, admission)
        results.append({"policy": policy, "size": size, "mode": mode, "admission": admission,
                        "miss_ratio": miss_ratio, "byte_miss_ratio": byte_miss_ratio})
    json.dump({"libcachesim": version("libcachesim"), "trace": trace, "results": results}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
