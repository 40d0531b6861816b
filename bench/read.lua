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
-- At the end it prints the same machine-readable BENCH line as bench/consume.lua (bench/common.lua).

dofile("bench/common.lua")  -- setup() and done(): the thread ids and the BENCH line

local accounts = 1000
local prefix = "bench-"
local variant = "status"
local api_key = nil
local tokens = {}

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
