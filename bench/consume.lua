-- wrk script for bench/run.sh: POST a fixed-price consume to a random bench account.
--
-- Arguments (after `--` on the wrk command line):
--   1: number of accounts N; the accounts are named <prefix>1 .. <prefix>N
--   2: account name prefix (default "bench-")
--   3: the API key sent as Authorization: Bearer <key>
-- With N = 1 every request hits the same account: the "hot" variant.
--
-- At the end it prints one machine-readable line that run.sh parses, so nobody has to parse
-- wrk's human units ("1.23ms", "4.56k"): see bench/common.lua.

dofile("bench/common.lua")  -- setup() and done(): the thread ids and the BENCH line

local body = '{"feature":"code_generation"}'
local headers = { ["Content-Type"] = "application/json" }

local accounts = 1000
local prefix = "bench-"

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
