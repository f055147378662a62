-- Soak load for bench/run.py: a fixed-rate mix of reads and Razorpay checkouts.
--
--   wrk -t2 -c32 -d60s --latency -s bench/soak.lua URL -- MIX RATE DURATION DRAIN
--
--   MIX       file of requests, sent in turn: one per line, tab-separated
--             METHOD, path, body ("-" for none), then "Name: value" headers
--   RATE      requests per second for this wrk thread (bench/soak.py divides the total);
--             0: unpaced, as fast as the server answers (the calibration run)
--   DURATION  seconds of the run (wrk's -d)
--   DRAIN     last seconds with reads only, so every checkout sent is answered before
--             wrk stops and the server's order count can be compared with the 201s;
--             0: none
--
-- Each thread paces its requests on a schedule (LuaJIT's FFI reads the monotonic clock),
-- so the rate stays put while connections are free. Prints measure.lua's summary plus
-- the status counts and the checkouts sent and created (201).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- measure.lua's done() prints the common summary; keep it and extend it below.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "measure.lua")
local print_summary = done

local sequence = {}
local position = 0
local interval_ms, next_slot, drain_from

-- Per-thread counters, read by done() through thread:get (so they are globals).
sent_checkouts = 0
created_checkouts = 0
statuses = {}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local file = assert(io.open(args[1]))
  for line in file:lines() do
    if line ~= "" then
      local fields = split(line)
      local method, path, body = fields[1], fields[2], fields[3]
      local headers = {}
      for index = 4, #fields do
        local name, value = fields[index]:match("^([^:]+):%s*(.*)$")
        headers[name] = value
      end
      if body == "-" then
        body = nil
      end
      local write = method ~= "GET"
      table.insert(sequence, { request = wrk.format(method, path, headers, body), write = write })
    end
  end
  file:close()
  local rate = tonumber(args[2])
  if rate > 0 then
    interval_ms = 1000 / rate
  else
    -- wrk asks whether a script has delay() once init() has run, so removing it here
    -- sends each request as soon as its connection is free, with no timer in between.
    delay = nil
  end
  local start = now_ms()
  next_slot = start
  local drain = tonumber(args[4])
  drain_from = drain > 0 and start + (tonumber(args[3]) - drain) * 1000 or math.huge
end

function delay()
  local now = now_ms()
  if next_slot < now then
    next_slot = now
  end
  local wait = next_slot - now
  next_slot = next_slot + interval_ms
  return wait
end

function request()
  local draining = now_ms() >= drain_from
  local item
  repeat
    position = position % #sequence + 1
    item = sequence[position]
  until not (draining and item.write)
  if item.write then
    sent_checkouts = sent_checkouts + 1
  end
  return item.request
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    created_checkouts = created_checkouts + 1
  end
end

function done(summary, latency, requests)
  print_summary(summary, latency, requests)
  local sent, created, counts = 0, 0, {}
  for _, thread in ipairs(threads) do
    sent = sent + thread:get("sent_checkouts")
    created = created + thread:get("created_checkouts")
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  io.write(string.format("BENCH checkouts_sent %d\n", sent))
  io.write(string.format("BENCH checkouts_created %d\n", created))
  for status, count in pairs(counts) do
    io.write(string.format("BENCH status_%d %d\n", status, count))
  end
end
