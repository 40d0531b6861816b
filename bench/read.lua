-- wrk script for bench/run.sh: read a random bench account, as a backend or as its end user.
--
-- Arguments (after `--` on the wrk command line):
--   1: number of accounts N; the accounts are named <prefix>1 .. <prefix>N
--   2: account name prefix (default "bench-")
--   3: the variant:
--        status  GET /v1/accounts/<prefix><i> with an API key (the backend's read)
--        me      GET /v1/me with user <prefix><i>'s own JWT (the browser frontend's read)
--   4: for status, the API key; for me, a file with one token per line, line i for <prefix><i>
--
-- At the end it prints the same machine-readable BENCH line as bench/consume.lua, so run.sh
-- parses both alike:
--   BENCH requests=<n> duration_us=<n> non2xx=<n> socket_errors=<n> p50_us=<n> p99_us=<n> max_us=<n>

local accounts = 1000
local prefix = "bench-"
local variant = "status"
local api_key = nil
local tokens = {}

-- setup() runs once per thread in the main Lua state: give every thread its own id, so that
-- the threads do not draw the same sequence of accounts.
local next_thread_id = 0
function setup(thread)
   next_thread_id = next_thread_id + 1
   thread:set("thread_id", next_thread_id)
end

-- init() runs inside each thread's own Lua state, so each thread reads the token file itself.
function init(args)
   accounts = tonumber(args[1] or accounts)
   prefix = args[2] or prefix
   variant = args[3] or variant
   if variant == "status" then
      api_key = args[4]
   elseif variant == "me" then
      local file = assert(io.open(args[4], "r"))
      for line in file:lines() do
         tokens[#tokens + 1] = line
      end
      file:close()
      -- Fail loudly rather than send requests without a token (they would all be 401s).
      assert(#tokens >= accounts, "the token file has " .. #tokens .. " tokens for " .. accounts .. " accounts")
   else
      error("unknown variant: " .. tostring(variant))
   end
   math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function request()
   local i = math.random(1, accounts)
   if variant == "me" then
      return wrk.format("GET", "/v1/me", { ["Authorization"] = "Bearer " .. tokens[i] })
   end
   return wrk.format("GET", "/v1/accounts/" .. prefix .. i, { ["Authorization"] = "Bearer " .. api_key })
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d\n",
      summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
end
