# The seed stack: examples/aiohttp-cache/app.py in a venv holding requirements.txt (pinned).
# Sourced by run.sh after ../common.sh.

# The venv's python: $CACHELAB_STACK_PYTHON if set (one that has requirements.txt installed),
# else .venv-stack, created on first use.
stack_python() {
  if [ -n "${CACHELAB_STACK_PYTHON:-}" ]; then
    echo "$CACHELAB_STACK_PYTHON"
    return
  fi
  local venv="$repo/.venv-stack"
  if ! cmp -s "$examples/aiohttp-cache/requirements.txt" "$venv/requirements.txt"; then
    python3 -c 'import venv, ensurepip' 2>/dev/null || apt_need python3-venv
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet -r "$examples/aiohttp-cache/requirements.txt" >&2
    cp "$examples/aiohttp-cache/requirements.txt" "$venv/requirements.txt"
  fi
  echo "$venv/bin/python"
}

# start_aiohttp_memory ORIGIN_PORT PORT: the app with aiohttp-cache's memory backend
# (unbounded: it has no size limit).
start_aiohttp_memory() {
  local python
  python="$(stack_python)"
  start aiohttp-memory "$python" "$examples/aiohttp-cache/app.py" --port "$2" \
    --origin "http://127.0.0.1:$1" --backend memory
  wait_port "$2"
}

# start_aiohttp_redis ORIGIN_PORT PORT MIB: the app with aiohttp-cache's Redis backend, on a
# private redis-server (a free port, maxmemory MIB MiB, allkeys-lru, nothing saved to disk).
start_aiohttp_redis() {
  local python redis_port
  python="$(stack_python)"
  command -v redis-server >/dev/null || apt_need redis-server
  redis_port="$(free_port)"
  start redis redis-server --bind 127.0.0.1 --port "$redis_port" --maxmemory "${3}mb" \
    --maxmemory-policy allkeys-lru --save "" --appendonly no --dir "$work"
  wait_port "$redis_port"
  start aiohttp-redis "$python" "$examples/aiohttp-cache/app.py" --port "$2" \
    --origin "http://127.0.0.1:$1" --backend redis --redis-url "redis://127.0.0.1:$redis_port"
  wait_port "$2"
}
