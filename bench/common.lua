-- What bench/consume.lua and bench/read.lua share, loaded by both with dofile (wrk runs from the
-- repo root): a thread id per wrk thread, and the machine-readable line run.sh parses at the end:
--   BENCH requests=<n> duration_us=<n> non2xx=<n> socket_errors=<n> p50_us=<n> p99_us=<n> max_us=<n>
-- non2xx is wrk's "status > 399" count (the service never answers 3xx), which is enough to tell
-- that something went wrong; the service log says what.

-- setup() runs once per thread in the main Lua state: give every thread its own id, so that
-- the threads do not draw the same sequence of accounts.
local next_thread_id = 0
function setup(thread)
   next_thread_id = next_thread_id + 1
   thread:set("thread_id", next_thread_id)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d\n",
      summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
      latency:percentile(50), latency:percentile(99), latency.max))
end
