-- wrk script for loadtest/cache_outage.py. Cycles through the lines of OUTAGE_PATHS
-- ("GROUP PATH"; "{n}" in a path becomes a new number on every request, so that page was
-- never read before) and counts per group: every status, 503s carrying Retry-After, stale
-- answers (a Warning 110 header), the oldest Age seen on a stale answer, and bodies holding
-- any line of OUTAGE_FORBIDDEN (text a redaction or a withdrawal took away).
-- Run it with one connection per thread (-c equal to -t): a response is counted for the
-- path its thread asked for last, which is only right without a second connection.
-- done() prints one line per figure: "OUTAGE GROUP FIGURE N".

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_index", #threads)
end

local function lines(name)
   local found = {}
   local file = os.getenv(name)
   if file and file ~= "" then
      for line in io.lines(file) do
         if line ~= "" then
            table.insert(found, line)
         end
      end
   end
   return found
end

function init(args)
   counts = {}
   entries = {}
   for _, line in ipairs(lines("OUTAGE_PATHS")) do
      local group, path = line:match("^(%S+)%s+(%S+)$")
      table.insert(entries, { group = group, path = path })
   end
   forbidden = lines("OUTAGE_FORBIDDEN")
   position = (thread_index * 7) % #entries
   serial = thread_index * 100000000
   asked = entries[1]
end

local function add(key, n)
   counts[key] = (counts[key] or 0) + n
end

function request()
   position = position % #entries + 1
   asked = entries[position]
   serial = serial + 1
   local path = asked.path:gsub("{n}", tostring(serial))
   return wrk.format(nil, path)
end

function response(status, headers, body)
   local group = asked.group
   add(group .. " status:" .. status, 1)
   local lowered = {}
   for name, value in pairs(headers) do
      lowered[string.lower(name)] = value
   end
   if status == 503 and lowered["retry-after"] then
      add(group .. " retry_after", 1)
   end
   if lowered["warning"] and lowered["warning"]:find("110", 1, true) then
      add(group .. " stale", 1)
      local age = tonumber(lowered["age"] or "")
      if age and age > (counts[group .. " oldest_age"] or 0) then
         counts[group .. " oldest_age"] = age
      end
   end
   if body then
      for _, text in ipairs(forbidden) do
         if body:find(text, 1, true) then
            add(group .. " forbidden", 1)
         end
      end
   end
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for key, n in pairs(thread:get("counts") or {}) do
         if key:find("oldest_age", 1, true) then
            total[key] = math.max(total[key] or 0, n)
         else
            total[key] = (total[key] or 0) + n
         end
      end
   end
   for key, n in pairs(total) do
      io.write("OUTAGE " .. key .. " " .. n .. "\n")
   end
end
