#!/usr/bin/env python3
"""Writes the small reader samples of tests/data from the format specifications (see
README.md for the source of each layout). Seeded: rerunning gives the same files.
lcs samples are written uncompressed and then compressed with `zstd -19 --rm`."""

import random
import struct

random.seed(14)

# Twitter (github.com/twitter/cache-trace README):
# timestamp,anonymized key,key size,value size,client id,operation,TTL
keys = [f"nz:u:{random.getrandbits(40):010x}" for _ in range(8)] + [f"tw:q:{random.getrandbits(32):08x}" for _ in range(4)]
ops = ["get"] * 10 + ["gets", "set", "set", "add", "replace", "cas", "append", "prepend", "delete", "incr", "decr"]
lines = []
t = 0
vs = {k: random.choice([12, 180, 1500, 9000]) for k in keys}
for i in range(40):
    t += random.choice([0, 0, 1, 2])
    k = random.choice(keys)
    op = random.choice(ops)
    ttl = random.choice([0, 30, 3600]) if op in ("set", "add", "replace", "cas") else 0
    v = vs[k] if op not in ("delete",) else 0
    lines.append(f"{t},{k},{len(k)},{v},{random.randint(1, 5)},{op},{ttl}")
open("twitter_sample.csv", "w").write("\n".join(lines) + "\n")

# Meta KV 2022 (CacheLib kvcache traces): key,op,size,op_count,key_size
rows = ["key,op,size,op_count,key_size"]
mk = [str(random.getrandbits(48)) for _ in range(6)]
for i in range(20):
    k = random.choice(mk)
    op = random.choice(["GET", "GET", "GET", "SET", "DELETE"])
    rows.append(f"{k},{op},{random.choice([0, 64, 2048]) if op != 'DELETE' else 0},{random.randint(1, 4)},{len(k)}")
open("meta_kv_2022_sample.csv", "w").write("\n".join(rows) + "\n")

# Meta KV 2024: op_time,key,key_size,op,op_count,size,cache_hits,ttl
rows = ["op_time,key,key_size,op,op_count,size,cache_hits,ttl"]
t = 1700000000
for i in range(20):
    t += random.randint(0, 3)
    k = random.choice(mk)
    op = random.choice(["GET", "GET_LEASE", "GET", "SET", "SET_LEASE", "DELETE"])
    sz = random.choice([64, 2048]) if op.startswith("SET") else 0
    ttl = str(random.choice([60, 3600])) if op.startswith("SET") else ""
    rows.append(f"{t},{k},{len(k)},{op},{random.randint(1, 3)},{sz},{random.randint(0, 2)},{ttl}")
open("meta_kv_2024_sample.csv", "w").write("\n".join(rows) + "\n")

# lcs (libCacheSim traceReader/generalReader/lcs.h): 8 KiB header, then packed records.
MAGIC = 0x123456789ABCDEF0


def lcs_header(version, n_req):
    stat = struct.pack("<qq", 1, n_req) + bytes(8000 - 16)
    h = struct.pack("<QQ", MAGIC, version) + stat + bytes(168) + struct.pack("<Q", MAGIC)
    assert len(h) == 8192
    return h


def lcs(version, n):
    ids = [random.randint(1, 12) for _ in range(n)]
    nxt = [-1] * n
    last = {}
    for i in range(n - 1, -1, -1):
        nxt[i] = last.get(ids[i], -1)
        last[ids[i]] = i + 1  # 1-based index of the next request
    out = lcs_header(version, n)
    for i, oid in enumerate(ids):
        op = random.choice([1, 1, 1, 2, 3, 9, 10])  # get, gets, set, delete, incr
        tenant = random.randint(0, 1000)
        size = 100 * oid
        if version == 2:
            out += struct.pack("<IQIIq", i, oid, size, op | tenant << 8, nxt[i])
        else:
            ttl = random.choice([0, 0, 5])
            out += struct.pack("<IQqIIq", i, oid, size, op | tenant << 8, ttl, nxt[i])
            features = {4: 1, 5: 2, 6: 4, 7: 8, 8: 16}.get(version, 0)
            out += struct.pack(f"<{features}I", *range(features))
    return out


open("lcs_v2_sample.lcs", "wb").write(lcs(2, 30))
open("lcs_v8_sample.lcs", "wb").write(lcs(8, 30))
