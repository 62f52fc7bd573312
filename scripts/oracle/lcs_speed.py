#!/usr/bin/env python3
"""libCacheSim's side of the policy speed table in scripts/speed.sh.

Usage:
    lcs_speed.py TRACE POLICY SIZE
    lcs_speed.py --has POLICY      exits 0 when the installed libcachesim has POLICY, else 1

Replays the oracleGeneral TRACE (plain or .zst) through libCacheSim's POLICY (a cachelab
name, with the parameters libcachesim_oracle.py gives it; clockpro, which the differential test
does not compare, with cachelab's cold_ratio default) at SIZE objects (every object counts 1),
in this process, one thread, and prints one JSON object:

    {"libcachesim": VERSION, "policy": POLICY, "size": SIZE, "miss_ratio": R, "seconds": S}

where seconds is the replay alone (the Python start and the import are outside it; speed.sh
times the whole process). Exits 2 on a bad argument, 3 when libcachesim is not importable.
"""

import json
import sys
import time
from importlib.metadata import version

from libcachesim_oracle import NEWER, POLICIES, lcs

# Timed, not compared (src/policy/clockpro.rs says why): cachelab name -> constructor.
TIMED_ONLY = {"clockpro": lambda size: lcs.ClockPro(size, init_ratio_cold=1.0)}


CONSTRUCTORS = {**POLICIES, **TIMED_ONLY}


def has(policy):
    return policy in CONSTRUCTORS and (policy not in NEWER or hasattr(lcs, NEWER[policy]))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--has":
        sys.exit(0 if has(sys.argv[2]) else 1)
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, policy, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if not has(policy):
        print(f"libcachesim {version('libcachesim')} has no {policy}", file=sys.stderr)
        sys.exit(2)
    params = lcs.ReaderInitParam(ignore_obj_size=True)
    reader = lcs.TraceReader(path, lcs.TraceType.ORACLE_GENERAL_TRACE, params)
    cache = CONSTRUCTORS[policy](size)
    start = time.perf_counter()
    miss_ratio, _ = cache.process_trace(reader)
    seconds = time.perf_counter() - start
    print(json.dumps({"libcachesim": version("libcachesim"), "policy": policy, "size": size,
                      "miss_ratio": miss_ratio, "seconds": seconds}))


if __name__ == "__main__":
    main()
