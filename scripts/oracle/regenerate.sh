#!/usr/bin/env bash
# Rewrites tests/data/oracle_miss_ratios.csv: libCacheSim's miss counts (through the pinned
# binding in .venv-oracle/, or CACHELAB_ORACLE_PYTHON) for every case of the differential test
# on the real traces in tests/data/. Run after changing the pinned version or the cases.
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHELAB_ORACLE_WRITE=1 cargo test --locked --test it oracle:: -- --nocapture
