#!/usr/bin/env bash
# Varnish in front of cachelab's origin, next to cachelab's own moka: installs varnish if
# missing, starts varnishd on a free loopback port (-s malloc from the scenario's capacity),
# runs examples/varnish/scenario.toml and stops it. Extra arguments go to `cachelab run`.
# Set CACHELAB to use a built binary.
source "$(dirname "$0")/../common.sh"
source "$examples/varnish/server.sh"

scenario="$examples/varnish/scenario.toml"
cachelab="$(cachelab_bin)"
origin=$(free_port) varnish=$(free_port)
start_varnish "$origin" "$varnish" "$(capacity_mib "$scenario" varnish)"
"$cachelab" run "$(scenario_copy "$scenario" 18080="$origin" 18082="$varnish")" "$@"
