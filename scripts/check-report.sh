#!/usr/bin/env bash
# Browser check of a cachelab report: opens index.html from file:// in headless Chromium,
# takes a screenshot at laptop and at phone width, and fails when the page requested anything
# from the network (read from Chromium's net log).
#
#   scripts/check-report.sh [REPORT_DIR [SHOT_DIR]]
#   scripts/check-report.sh --self-test     # proves the check catches a page that fetches
#
# REPORT_DIR defaults to a report rendered with `cachelab report` from the test fixture
# tests/data/report/load-results.json; screenshots go to SHOT_DIR (default
# target/report-check/): laptop.png (1280 px wide) and phone.png (390 px wide).
# Needs Debian's `chromium` (installed with apt-get when missing and run as root) and python3.
# Name resolution is disabled in the browser, so nothing leaves the machine even if the page
# or the browser itself tries.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "chromium not found; installing Debian's chromium package" >&2
    apt-get install -y chromium >&2 || { apt-get update >&2 && apt-get install -y chromium >&2; }
    browser=$(command -v chromium)
  else
    echo "error: chromium not found; install Debian's package: apt-get install -y chromium" >&2
    exit 2
  fi
fi
command -v python3 >/dev/null || { echo "error: python3 is needed to read the net log" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

self_test=false
if [ "${1:-}" = "--self-test" ]; then
  self_test=true
  report="$work/bad"
  mkdir -p "$report"
  printf '%s\n' '<!doctype html><title>fetches</title><p>x</p><img src="http://cachelab-check.invalid/x.png">' \
    >"$report/index.html"
  shots="$work/shots"
elif [ -n "${1:-}" ]; then
  report=$1
  shots=${2:-target/report-check}
else
  report="$work/report"
  cargo run --quiet -- report tests/data/report/load-results.json --out "$report" 2>"$work/render.log" \
    || { cat "$work/render.log" >&2; exit 1; }
  shots=${2:-target/report-check}
fi
page="$(cd "$report" && pwd)/index.html"
[ -f "$page" ] || { echo "error: $page does not exist" >&2; exit 2; }
mkdir -p "$shots"

# shot NAME WIDTH HEIGHT: screenshot of the page, net log in $work/NAME.netlog.json
shot() {
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
    --disable-extensions --disable-default-apps --no-pings --disable-domain-reliability \
    --host-resolver-rules="MAP * ~NOTFOUND" \
    --user-data-dir="$work/profile-$1" --log-net-log="$work/$1.netlog.json" \
    --window-size="$2,$3" --hide-scrollbars --virtual-time-budget=5000 \
    --screenshot="$shots/$1.png" "file://$page" >"$work/$1.log" 2>&1 || {
    cat "$work/$1.log" >&2
    echo "error: chromium failed on $page" >&2
    exit 1
  }
  [ -s "$shots/$1.png" ] || { echo "error: no screenshot written for $1" >&2; exit 1; }
}
shot laptop 1280 2400
shot phone 390 2400

# A request the page made carries the page's origin as initiator ("null" for file://); the
# browser's own background requests say "not an origin" and are not the page's doing.
status=0
python3 - "$work"/laptop.netlog.json "$work"/phone.netlog.json <<'PY' || status=$?
import json, sys
bad = []
for path in sys.argv[1:]:
    with open(path) as f:
        log = json.load(f)
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    for event in log.get("events", []):
        params = event.get("params") or {}
        if names.get(event["type"]) != "URL_REQUEST_START_JOB":
            continue
        url, initiator = params.get("url", ""), params.get("initiator", "")
        if url and initiator != "not an origin" and not url.startswith(("file:", "data:", "blob:", "chrome:")):
            bad.append(url)
for url in sorted(set(bad)):
    print(f"network request from the page: {url}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY

if $self_test; then
  if [ "$status" = 0 ]; then
    echo "self-test FAILED: a page fetching http://cachelab-check.invalid/ was not caught" >&2
    exit 1
  fi
  echo "self-test ok: the page's network request was caught"
  exit 0
fi
if [ "$status" != 0 ]; then
  echo "FAIL: $page requests resources from the network" >&2
  exit 1
fi
echo "ok: $page made no network request; screenshots: $shots/laptop.png $shots/phone.png"
