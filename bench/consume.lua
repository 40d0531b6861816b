-- wrk script for bench/run.sh: POST a fixed-price consume to a random bench account.
--
-- Arguments (after `--` on the wrk command line):
--   1: number of accounts N; the accounts are named <prefix>1 .. <prefix>N
--   2: account name prefix (default "bench-")
--   3: the API key sent as Authorization: Bearer <key>
-- With N = 1 every request hits the same account: the "hot" variant.
--
-- At the end it prints one machine-readable line that run.sh parses, so nobody has to parse
-- wrk's human units ("1.23ms", "4.56k"):
--   BENCH requests=<n> duration_us=<n> non2xx=<n> socket_errors=<n> p50_us=<n> p99_us=<n> max_us=<n>
-- non2xx is wrk's "status > 399" count (the service never answers 3xx), which is enough to tell
-- that something went wrong; the service log says what.

local body = '{"feature":"code_generation"}'
local headers = { ["Content-Type"] = "application/json" }

local accounts = 1000
local prefix = "bench-"

-- setup() runs once per thread in the main Lua state: give every thread its own id, so that
-- the threads do not draw the same sequence of accounts.
local next_thread_id = 0
function setup(thread)
   next_thread_id = next_thread_id + 1
   thread:set("thread_id", next_thread_id)
end

-- init() runs inside each thread's own Lua state.
function init(args)
   accounts = tonumber(args[1] or accounts)
   prefix = args[2] or prefix
   if args[3] then
      headers["Authorization"] = "Bearer " .. args[3]
   end
   math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function request()
   local path = "/v1/accounts/" .. prefix .. math.random(1, accounts) .. "/consume"
   return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d\n",
      summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
end
