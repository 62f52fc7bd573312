-- wrk script for scenarios/http-allhit.toml: GET /obj/<key> with keys uniform in 1..1000,
-- the same URLs cachelab's own load client requests.
request = function()
  return wrk.format("GET", "/obj/" .. math.random(1, 1000))
end
