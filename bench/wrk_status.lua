-- wrk script for the bench: counts the status of every response (printed by done() as
-- "STATUS 200=1234 304=0"), and with BENCH_PATHS naming a file of paths cycles through
-- them (one path per request, each thread starting at a different place).

local threads = {}
local paths_file = os.getenv("BENCH_PATHS")

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_index", #threads)
end

function init(args)
   statuses = {}
   if paths_file and paths_file ~= "" then
      paths = {}
      for line in io.lines(paths_file) do
         if line ~= "" then
            table.insert(paths, line)
         end
      end
      position = (thread_index * 101) % #paths
   end
end

if paths_file and paths_file ~= "" then
   function request()
      position = position % #paths + 1
      return wrk.format(nil, paths[position])
   end
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      local counts = thread:get("statuses") or {}
      for status, n in pairs(counts) do
         total[status] = (total[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(total) do
      table.insert(parts, status .. "=" .. n)
   end
   io.write("STATUS " .. table.concat(parts, " ") .. "\n")
end
