-- wrk driver for scripts/bench_kit.py: one wrk thread = one connection = one interviewer.
--
--   wrk -t N -c N -d 2s -s scripts/bench_kit.lua http://127.0.0.1:PORT -- MODE DATA OUT
--
-- MODE: save | kit | hello | upsert (the environment's BENCH_KIT_OUT repeats OUT for done(),
-- which runs where init's arguments are not seen). DATA is a Lua file written by bench_kit.py returning
-- {clients = {{card=, cookie=, token=, lock=, crits={...}}, ...}}; OUT receives, per
-- interviewer, its lock_version, acknowledged saves, the last acknowledged value of each
-- field and the change in flight when wrk stopped, so bench_kit.py can check its ledger.
-- BENCH_KIT_DEBUG=1 in the environment prints each answer that was not 200 (wrk's stderr).
-- With fewer threads than connections (the capacity check of the baselines) a thread's
-- connections share its Lua state, which only the stateless baselines allow.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("me", counter)
  table.insert(threads, thread)
end

function init(args)
  mode, out = args[1], args[3]
  local data = dofile(args[2])
  nclients = #data.clients
  client = data.clients[((me - 1) % nclients) + 1]
  lock, acks, bad, sent = client.lock, 0, 0, 0
  ledger = {}
  codes = {}
  pending_field, pending_value = "", ""
  math.randomseed(me * 7919)
  base = {["Cookie"] = client.cookie, ["Accept"] = "application/json"}
  json_headers = {
    ["Cookie"] = client.cookie,
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
    ["X-CSRFToken"] = client.token,
  }
end

function request()
  sent = sent + 1
  if mode == "save" then
    local crit = client.crits[(sent % #client.crits) + 1]
    pending_field = "rating." .. crit .. ".note"
    pending_value = "w" .. me .. "-" .. sent
    local body = '{"lock_version":' .. lock .. ',"changes":{"' .. pending_field .. '":"'
      .. pending_value .. '"}}'
    return wrk.format("POST", "/kit/" .. client.card .. "/save", json_headers, body)
  elseif mode == "kit" then
    base["Accept"] = "text/html"
    return wrk.format("GET", "/kit/" .. client.card, base)
  elseif mode == "upsert" then
    local body = '{"key":"k' .. math.random(1, nclients) .. '","value":"v' .. sent .. '"}'
    return wrk.format("POST", "/_baseline/upsert", json_headers, body)
  end
  return wrk.format("GET", "/_baseline/hello", base)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    codes[status] = (codes[status] or 0) + 1
    if os.getenv("BENCH_KIT_DEBUG") then io.stderr:write(me, " lock ", lock, " ", body:sub(1, 200), "\n") end
    return
  end
  if mode == "save" then
    local v = body:match('"lock_version":%s*(%d+)')
    if v then
      lock = tonumber(v)
      acks = acks + 1
      ledger[pending_field] = pending_value
      pending_field, pending_value = "", ""
    else
      bad = bad + 1
    end
  end
end

function done(summary, latency, requests)
  local f = io.open(os.getenv("BENCH_KIT_OUT"), "w")
  local e = summary.errors
  f:write(string.format("summary %d %d %d %d %d %d %d %.1f %.1f %.1f\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
  for _, t in ipairs(threads) do
    local id = t:get("me")
    f:write(string.format("client %d %d %d %d %s %s\n", id, t:get("lock") or -1,
      t:get("acks") or 0, t:get("bad") or 0, t:get("pending_field") or "",
      t:get("pending_value") or ""))
    for code, n in pairs(t:get("codes") or {}) do
      f:write(string.format("status %d %d %d\n", id, code, n))
    end
    for field, value in pairs(t:get("ledger") or {}) do
      f:write(string.format("field %d %s %s\n", id, field, value))
    end
  end
  f:close()
end
