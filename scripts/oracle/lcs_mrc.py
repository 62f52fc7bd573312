#!/usr/bin/env python3
"""libCacheSim's side of the miss-ratio-curve benchmark in scripts/speed.sh.

Usage:
    lcs_mrc.py TRACE RATE SIZE[,SIZE...] [--sampled-only]

For each size (objects; every object counts 1), times libCacheSim's LRU over the whole
trace (unless --sampled-only), then over the spatially sampled trace (its Python binding's SPATIAL_SAMPLER at RATE,
the hash sampling of SHARDS; the binding refuses SHARDS_SAMPLER) with the cache scaled by
RATE, as libCacheSim's sampled simulations do. Prints one JSON object (on the last line:
libCacheSim's C code prints a line per sampled reader first):

    {"libcachesim": VERSION, "exact_s": seconds for every size, "sampled_s": ...,
     "exact": [miss ratio per size], "sampled": [...]}

Exits 3 when libcachesim is not importable.
"""

import json
import sys
import time
from importlib.metadata import version

try:
    import libcachesim as lcs
    from libcachesim.libcachesim_python import Sampler, SamplerType
except ImportError as err:
    print(f"libcachesim is not importable ({err}): pip install -r scripts/oracle/requirements.txt",
          file=sys.stderr)
    sys.exit(3)


def reader(path, sampler=None):
    if sampler is None:
        params = lcs.ReaderInitParam(ignore_obj_size=True)
    else:
        params = lcs.ReaderInitParam(ignore_obj_size=True, sampler=sampler)
    return lcs.TraceReader(path, lcs.TraceType.ORACLE_GENERAL_TRACE, params)


def main():
    args = [a for a in sys.argv[1:] if a != "--sampled-only"]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, rate, sizes = args[0], float(args[1]), [int(s) for s in args[2].split(",")]
    out = {"libcachesim": version("libcachesim"), "rate": rate, "sizes": sizes}
    if "--sampled-only" not in sys.argv:
        start = time.perf_counter()
        out["exact"] = [lcs.LRU(size).process_trace(reader(path))[0] for size in sizes]
        out["exact_s"] = time.perf_counter() - start
    start = time.perf_counter()
    sampled = []
    for size in sizes:
        sampler = Sampler(rate, SamplerType.SPATIAL_SAMPLER)
        sampled.append(lcs.LRU(max(1, round(size * rate))).process_trace(reader(path, sampler))[0])
    out["sampled"] = sampled
    out["sampled_s"] = time.perf_counter() - start
    print(json.dumps(out))


if __name__ == "__main__":
    main()
