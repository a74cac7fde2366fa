-- wrk script: sends the pre-signed deliveries of a pool made by Benchmarks/make-pool, each once, in order.
-- The client does no signing and no formatting in the timed run: the pool is mapped into memory (pages populated
-- before the run) and each request is one copy out of it, so the client costs about what it costs nginx's
-- baseline and is never what limits the server. Environment: WOOSHHOOK_BENCH_POOL, the pool's directory.
local ffi = require("ffi")
ffi.cdef[[
int open(const char *pathname, int flags);
int close(int fd);
void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset);
]]
local PROT_READ, MAP_SHARED, MAP_POPULATE = 1, 1, 0x8000

local directory = os.getenv("WOOSHHOOK_BENCH_POOL") or error("WOOSHHOOK_BENCH_POOL is not set")

local function map(path)
  local file = assert(io.open(path, "rb"))
  local size = file:seek("end")
  file:close()
  local fd = ffi.C.open(path, 0)
  assert(fd >= 0, "cannot open " .. path)
  local base = ffi.C.mmap(nil, size, PROT_READ, MAP_SHARED + MAP_POPULATE, fd, 0)
  ffi.C.close(fd)
  assert(ffi.cast("intptr_t", base) ~= -1, "cannot map " .. path)
  return base, size
end

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

local requests, offsets, count, stride, position
sent, wrapped = 0, 0

function init(args)
  requests = ffi.cast("const char *", (map(directory .. "/pool.http")))
  local index, size = map(directory .. "/pool.index")
  offsets = ffi.cast("const uint64_t *", index)
  count = size / 8 - 1
  -- Threads take interleaved requests, so no two ever send the same event.
  stride = tonumber(os.getenv("WOOSHHOOK_BENCH_THREADS") or "1")
  position = thread_number or 0
end

function request()
  if position >= count then
    -- The pool ran out: what follows are duplicates, which the receiver answers without journaling.
    position = position % stride
    wrapped = wrapped + 1
  end
  local from = offsets[position]
  local length = tonumber(offsets[position + 1] - from)
  position = position + stride
  sent = sent + 1
  return ffi.string(requests + from, length)
end

function done(summary, latency, _)
  local total_wrapped = 0
  for _, thread in ipairs(threads) do total_wrapped = total_wrapped + thread:get("wrapped") end
  io.write(string.format(
    "BENCH rps=%.0f p50_us=%d p99_us=%d errors=%d non2xx=%d requests=%d wrapped=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests, total_wrapped))
end
