#!/usr/bin/env bash
# Rewrites tests/data/oracle_miss_ratios.csv: libCacheSim's miss counts (through the pinned
# binding in .venv-oracle/, or CACHELAB_ORACLE_PYTHON) for every case of the differential test
# on the real traces in tests/data/, and tests/data/oracle_mq_miss_ratios.csv, MQ's (through
# .venv-oracle-mq/, or CACHELAB_ORACLE_MQ_PYTHON). Run after changing a pinned version or the
# cases.
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHELAB_ORACLE_WRITE=1 cargo test --locked --test it oracle:: -- --nocapture
