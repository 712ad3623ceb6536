-- wrk script for bench/checkout.py: POST /api/v1/sales with realistic 3-line sales.
--
-- The spec (terminal keys, members, products, run prefix) comes from the Lua file named by
-- TESSERA_BENCH_SPEC, written by checkout.py. Every request carries a fresh Idempotency-Key and POS number;
-- about a third of the sales pay part of the total from stored value. Any status other than 201 is an error.
--
-- Each wrk thread has one connection (wrk -t 8 -c 8) and sells to its own share of the members, so it sees
-- every answer about them in order: when a sale moves a member up a tier ("tier_change" in the receipt), the
-- thread asks that member for the new tier's discount from their next sale on, as a till reading the
-- receipt would. Without this a member who climbed during the run was asked for too much (422).
--
-- For checking the database against the clients, done() also reports every request built (wrk_sent), every
-- 201 received (wrk_created) and the requests never answered (wrk_unresolved): those wrk abandons in flight
-- when its time is up, or loses to a socket error. The server may still commit them, or not.

local spec = dofile(os.getenv("TESSERA_BENCH_SPEC"))
local threads = {}
local tenders = { "cash", "bank_card", "wechat_pay", "alipay" }

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  counter = 0 -- requests built by request(); POS numbers are prefix-tid-counter
  mine = {} -- this thread's members: every clients-th, from its own (setup cannot know how many threads come)
  for i = tid, #spec.members, spec.clients do
    table.insert(mine, spec.members[i])
  end
  discount = {} -- member -> basis points, once they have moved off the base tier
  last_member = nil -- the member of the request in flight: one connection, so the next answer is about them
  answered = 0
  created = 0
  errors = 0
  first_error = ""
  math.randomseed(spec.seed + tid * 7919)
end

local function event_at()
  -- The till's clock, in Shanghai time with its offset.
  return os.date("!%Y-%m-%dT%H:%M:%S", os.time() + 8 * 3600) .. "+08:00"
end

local function sale(discount_bp, coupon)
  local products = spec.products
  local lines = {}
  local total = 0
  for i = 1, 3 do
    local p = products[math.random(#products)]
    local q = (math.random() < 0.8) and 1 or 2
    -- The till knows the member's tier discount, rounded down per line as the server does.
    total = total + q * p.price - math.floor(q * p.price * discount_bp / 10000)
    lines[i] = string.format('{"line_no":%d,%s,"quantity":%d,"unit_price_minor":%d}', i, p.head, q, p.price)
  end
  if coupon then
    total = total - math.min(total, spec.coupon_minor) -- the coupon comes off after the tier discount
  end
  local pay
  if math.random() < spec.sv_share then
    local sv = math.min(total, spec.sv_amounts[math.random(#spec.sv_amounts)])
    pay = string.format('{"kind":"stored_value","amount_minor":%d}', sv)
    if sv < total then
      pay = pay .. string.format(',{"kind":"%s","amount_minor":%d}', tenders[math.random(#tenders)], total - sv)
    end
  else
    pay = string.format('{"kind":"%s","amount_minor":%d}', tenders[math.random(#tenders)], total)
  end
  return lines, pay
end

function request()
  counter = counter + 1
  local terminal = spec.terminals[((tid - 1) * 4 + counter) % #spec.terminals + 1]
  local member = mine[math.random(#mine)]
  last_member = member
  -- With --coupons each member's codes are used one by one, each once (this thread owns the member).
  local left = spec.coupons[member]
  local coupon = left and table.remove(left)
  local lines, pay = sale(discount[member] or spec.discount_bp, coupon)
  local number = string.format("%s-%d-%d", spec.prefix, tid, counter)
  local extra = coupon and string.format(',"coupons":["%s"]', coupon) or ""
  local body = string.format(
    '{"store":"%s","pos_number":"%s","event_at":"%s","member":"%s","currency":"%s","lines":[%s],"tenders":[%s]%s}',
    terminal.store, number, event_at(), member, spec.currency, table.concat(lines, ","), pay, extra
  )
  local headers = {
    ["Authorization"] = "Bearer " .. terminal.key,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "idem-" .. number,
  }
  return wrk.format("POST", "/api/v1/sales", headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if status == 201 then
    created = created + 1
    local to_tier = string.match(body or "", '"tier_change":{[^}]-"to_tier":"([^"]+)"')
    if to_tier and last_member then
      discount[last_member] = spec.tier_discounts[to_tier]
    end
  else
    errors = errors + 1
    if first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local errs, first, sent, answered, created = 0, "", 0, 0, 0
  for _, thread in ipairs(threads) do
    errs = errs + thread:get("errors")
    sent = sent + thread:get("counter")
    answered = answered + thread:get("answered")
    created = created + thread:get("created")
    local e = thread:get("first_error")
    if first == "" and e ~= nil then
      first = e
    end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format("wrk_requests: %d\n", summary.requests))
  io.write(string.format("wrk_duration_us: %d\n", summary.duration))
  io.write(string.format("wrk_status_errors: %d\n", errs))
  io.write(string.format("wrk_socket_errors: %d\n", socket_errors))
  -- wrk (4.x) calls request() once on the first thread to check the script before the run starts; that
  -- request (POS number prefix-1-1) is built but never sent.
  sent = sent - 1
  io.write(string.format("wrk_sent: %d\n", sent))
  io.write(string.format("wrk_created: %d\n", created))
  io.write(string.format("wrk_unresolved: %d\n", sent - answered))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("wrk_p%s_us: %d\n", tostring(p), latency:percentile(p)))
  end
  io.write(string.format("wrk_mean_us: %.1f\n", latency.mean))
  io.write(string.format("wrk_max_us: %d\n", latency.max))
  if first ~= "" then
    io.write("wrk_first_error: " .. string.gsub(first, "\n", " ") .. "\n")
  end
end
