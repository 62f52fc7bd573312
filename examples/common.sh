# Shared by examples/*/run.sh (sourced): installing what a stack needs, free loopback ports,
# the cachelab binary, and stopping every server the script started when it exits.
set -euo pipefail

examples="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$examples")"
work="$(mktemp -d "${TMPDIR:-/tmp}/cachelab-stack.XXXXXX")"
# Readable by the users servers drop to when started as root (varnishd reads its VCL as one).
chmod 755 "$work"
pids=()

stop_all() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop_all EXIT

# apt-get install the Debian packages given, as root (sudo otherwise); under a shared lock
# when the machine has one (several installers at once).
apt_need() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  local lock=()
  [ -w /work/.apt.lock ] && command -v flock >/dev/null && lock=(flock /work/.apt.lock)
  export DEBIAN_FRONTEND=noninteractive
  "${lock[@]}" "${sudo[@]}" apt-get update -qq
  "${lock[@]}" "${sudo[@]}" apt-get install -y -qq "$@"
}

# A loopback TCP port nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (up to 20 s) until something listens on port $1.
wait_port() {
  local i
  for i in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 20 s" >&2
  return 1
}

# Starts "$@" in the background, remembered for stop_all; output to $work/<name>.log.
start() {
  local name="$1"
  shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=("$!")
}

# The cachelab binary: $CACHELAB, else a release build of this checkout.
cachelab_bin() {
  if [ -n "${CACHELAB:-}" ]; then
    echo "$CACHELAB"
    return
  fi
  command -v cargo >/dev/null || {
    echo "cargo is missing: install Rust (https://rustup.rs), or set CACHELAB=/path/to/cachelab" >&2
    return 1
  }
  (cd "$repo" && cargo build --release --quiet) >&2
  echo "$repo/target/release/cachelab"
}

# The capacity in MiB written for strategy $2 in scenario $1 (capacity = "NMiB").
capacity_mib() {
  awk -v name="$2" '
    /^\[\[strategy\]\]/ { inside = 0 }
    $0 ~ "^name = \"" name "\"" { inside = 1 }
    inside && /^capacity/ { gsub(/[^0-9]/, "", $3); print $3; exit }
  ' "$1"
}

# Copies scenario $1 to $work with its loopback ports replaced as "OLD=NEW" pairs say, and its
# workload's requests set to $CACHELAB_EXAMPLE_REQUESTS when that is set (a short run, as
# tests/it/examples.rs makes); prints the copy's path.
scenario_copy() {
  local scenario="$1" copy="$work/$(basename "$1")"
  shift
  cp "$scenario" "$copy"
  local pair
  for pair in "$@"; do
    sed -i "s/127\.0\.0\.1:${pair%%=*}\b/127.0.0.1:${pair#*=}/g" "$copy"
  done
  if [ -n "${CACHELAB_EXAMPLE_REQUESTS:-}" ]; then
    sed -i "s/^requests = .*/requests = $CACHELAB_EXAMPLE_REQUESTS/" "$copy"
  fi
  echo "$copy"
}
