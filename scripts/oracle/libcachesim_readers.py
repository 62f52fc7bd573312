#!/usr/bin/env python3
"""LRU miss ratios of a trace read by libCacheSim's own readers (its Python binding), to check
cachelab's readers of the same formats.

Usage:
    libcachesim_readers.py FORMAT TRACE SIZE [SIZE ...]

FORMAT is `lcs`, `vscsi` or `twitter` (read with libCacheSim's CSV reader: no header, time in
column 1, the key (a string) in column 2, the value size in column 4). Sizes are object
counts (libCacheSim's ignore_obj_size); requests of size 0 are kept. libCacheSim replays every
request as a read whatever its operation, as `cachelab simulate --ignore-ops` does. Prints one
JSON object: {"libcachesim": VERSION, "results": [{"size": N, "miss_ratio": R}, ...]}.
Used by tests/it/readers.rs. Exits 2 on a bad argument, 3 when libcachesim is not importable.
"""

import json
import sys
from importlib.metadata import version

try:
    import libcachesim as lcs
except ImportError as err:
    print(f"libcachesim is not importable ({err}): pip install -r scripts/oracle/requirements.txt",
          file=sys.stderr)
    sys.exit(3)


def reader(fmt, path):
    if fmt == "lcs":
        params = lcs.ReaderInitParam(ignore_obj_size=True, ignore_size_zero_req=False)
        return lcs.TraceReader(path, lcs.TraceType.LCS_TRACE, params)
    if fmt == "vscsi":
        params = lcs.ReaderInitParam(ignore_obj_size=True, ignore_size_zero_req=False)
        return lcs.TraceReader(path, lcs.TraceType.VSCSI_TRACE, params)
    if fmt == "twitter":
        params = lcs.ReaderInitParam(
            has_header=False, has_header_set=True, delimiter=",", obj_id_is_num=False,
            obj_id_is_num_set=True, ignore_obj_size=True, ignore_size_zero_req=False)
        params.time_field = 1
        params.obj_id_field = 2
        params.obj_size_field = 4
        return lcs.TraceReader(path, lcs.TraceType.CSV_TRACE, params)
    sys.exit(f"unknown format {fmt!r}: expected lcs, vscsi or twitter")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    fmt, path = sys.argv[1], sys.argv[2]
    try:
        sizes = [int(s) for s in sys.argv[3:]]
    except ValueError:
        sys.exit("sizes are whole numbers of objects")
    results = []
    for size in sizes:
        miss_ratio, _ = lcs.LRU(size).process_trace(reader(fmt, path))
        results.append({"size": size, "miss_ratio": miss_ratio})
    print(json.dumps({"libcachesim": version("libcachesim"), "results": results}))


if __name__ == "__main__":
    main()
