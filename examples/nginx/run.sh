#!/usr/bin/env bash
# nginx proxy_cache in front of cachelab's origin, next to cachelab's own moka: installs
# nginx-light if missing, starts it on a free loopback port (max_size from the scenario's
# capacity), runs examples/nginx/scenario.toml and stops nginx. Extra arguments go to
# `cachelab run`. Set CACHELAB to use a built binary.
source "$(dirname "$0")/../common.sh"
source "$examples/nginx/server.sh"

scenario="$examples/nginx/scenario.toml"
cachelab="$(cachelab_bin)"
origin=$(free_port) nginx=$(free_port)
start_nginx "$origin" "$nginx" "$(capacity_mib "$scenario" nginx)"
"$cachelab" run "$(scenario_copy "$scenario" 18080="$origin" 18081="$nginx")" "$@"
