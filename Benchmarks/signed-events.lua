-- wrk script: every request is a fresh, correctly signed ~1 KB WooshPay event with a unique evt_ id, so that
-- de-duplication never short-circuits and the receiver does the whole job (verify, decode, journal) each time.
-- HMAC-SHA256 comes from libcrypto through LuaJIT's FFI, so signing costs wrk ~2 us, not a Lua SHA-256.
local ffi = require("ffi")
ffi.cdef[[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len, const unsigned char *d, size_t n,
                    unsigned char *md, unsigned int *md_len);
]]
local crypto = ffi.load("libcrypto.so.3")
local digest = ffi.new("unsigned char[32]")
local digest_length = ffi.new("unsigned int[1]")
local secret = os.getenv("WOOSHHOOK_BENCH_SECRET") or "whsec_benchmark_secret"
local path = os.getenv("WOOSHHOOK_BENCH_PATH") or "/webhooks/wooshpay"
local hex = {}
for i = 0, 255 do hex[i] = string.format("%02x", i) end

local function sign(message)
  crypto.HMAC(crypto.EVP_sha256(), secret, #secret, message, #message, digest, digest_length)
  local out = {}
  for i = 0, 31 do out[i + 1] = hex[digest[i]] end
  return table.concat(out)
end

local template = [[{
  "id": "evt_%s",
  "object": "event",
  "api_version": "1.0.1",
  "created": %d,
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": null, "idempotency_key": null},
  "type": "payment_intent.succeeded",
  "data": {
    "object": {
      "id": "pi_1859273520981254144",
      "object": "payment_intent",
      "created": 1732168185000,
      "livemode": false,
      "amount": 4250,
      "amount_capturable": 0,
      "currency": "USD",
      "status": "succeeded",
      "capture_method": "automatic",
      "confirmation_method": "automatic",
      "customer": "cus_1859270011204440064",
      "description": "Order A-10293 (2 items)",
      "merchant_order_id": "A-10293",
      "metadata": {"order_id": "A-10293", "channel": "web"},
      "payment_method": "pm_1859273521392295936",
      "payment_method_types": ["card"],
      "payment_method_options": {"card": {"request_three_d_secure": "auto"}},
      "client_secret": "pi_1859273520981254144_secret_Qm3vT8rLx2NcYp0aWd7Kf1Hs",
      "last_payment_error": null,
      "next_action": null,
      "receipt_email": "buyer@example.org",
      "return_url": "https://shop.example.org/checkout/return"
    }
  }
}]]

local counter = 0
local prefix = ""

function setup(thread)
  thread:set("thread_prefix", tostring(math.random(100000, 999999)))
end

function init(args)
  prefix = (thread_prefix or tostring(math.random(100000, 999999))) .. tostring(os.time())
end

function request()
  counter = counter + 1
  local now = os.time()
  local body = string.format(template, prefix .. string.format("%09d", counter), now * 1000)
  local t = tostring(now)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Wooshpay-Signature"] = "t=" .. t .. ",v1=" .. sign(t .. "." .. body),
  }
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("BENCH rps=%.0f p50_us=%d p99_us=%d errors=%d non2xx=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests))
end
