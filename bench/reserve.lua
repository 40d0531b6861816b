-- wrk script for bench/run.sh: the reserve-then-settle flow of a metered LLM call, on random
-- bench accounts. Each request is a hold (POST .../reservations, 4000 tokens) unless an earlier
-- hold of this thread is waiting to be settled; then it is that hold's settle (POST
-- .../reservations/{id}/settle with 3120 tokens). So every call costs two requests, and the
-- rate of pairs is half the request rate.
--
-- Arguments (after `--` on the wrk command line):
--   1: number of accounts N; the accounts are named <prefix>1 .. <prefix>N
--   2: account name prefix (default "bench-")
--   3: the API key sent as Authorization: Bearer <key>
--
-- At the end it prints the same machine-readable BENCH line as bench/consume.lua (bench/common.lua).

dofile("bench/common.lua")  -- setup() and done(): the thread ids and the BENCH line

local hold_body = '{"feature":"llm_call","tokens":4000}'
local settle_body = '{"tokens":3120}'
local headers = { ["Content-Type"] = "application/json" }

local accounts = 1000
local prefix = "bench-"
-- Holds answered and not yet settled: account id and reservation id, taken from the hold's answer
-- (answers may come back in another order than the requests went out, over several connections).
local pending = {}

function init(args)
   accounts = tonumber(args[1] or accounts)
   prefix = args[2] or prefix
   if args[3] then
      headers["Authorization"] = "Bearer " .. args[3]
   end
   math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function request()
   local hold = table.remove(pending)
   if hold then
      return wrk.format("POST", "/v1/accounts/" .. hold.user .. "/reservations/" .. hold.id .. "/settle", headers, settle_body)
   end
   return wrk.format("POST", "/v1/accounts/" .. prefix .. math.random(1, accounts) .. "/reservations", headers, hold_body)
end

function response(status, _, body)
   if status == 201 then
      local id = body:match('"reservationId":(%d+)')
      local user = body:match('"userId":"([^"]+)"')
      if id and user then
         pending[#pending + 1] = { user = user, id = id }
      end
   end
end
