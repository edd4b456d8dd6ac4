/**
 * The ledger (`ledger.ts`) as one Redis Lua script, so every reservation, settlement and release
 * is atomic across the fleet and uses one clock, the Redis server's (`TIME`). The state of a key
 * is one JSON value (`cjson`); the steps are those of `ledger.ts`, line for line, and a property
 * test runs both on the same operations and compares the answers.
 *
 * KEYS[1]: the key's state. ARGV[1]: `reserve`, `settle`, `release` or `snapshot`. ARGV[2]: the
 * arguments as JSON (`now` only in tests; otherwise the server's time). Returns JSON.
 * @internal
 */
export const LEDGER_SCRIPT = `
local a = cjson.decode(ARGV[2])
local op = ARGV[1]
local now = a.now
if type(now) ~= 'number' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function num(x) if type(x) == 'number' then return x end return nil end
local function list(x) if type(x) == 'table' then return x end return {} end
local raw = redis.call('GET', KEYS[1])
local s = {}
if raw then s = cjson.decode(raw) end
local st = {
  limit = num(s.limit), windowMs = num(s.windowMs) or ${String(21_600_000)}, blockedUntil = num(s.blockedUntil) or 0,
  log = list(s.log), pending = list(s.pending), high = list(s.high), low = list(s.low), seq = num(s.seq) or 0,
  lastRemaining = num(s.lastRemaining), lastObservedAt = num(s.lastObservedAt)
}
if type(s.source) == 'string' then st.source = s.source end
local function filter(l, keep)
  local out = {}
  for _, e in ipairs(l) do if keep(e) then out[#out + 1] = e end end
  return out
end
local function purge()
  st.log = filter(st.log, function(e) return e.at + st.windowMs > now end)
  st.pending = filter(st.pending, function(p) return p.expiresAt > now end)
  st.high = filter(st.high, function(w) return w.beat + a.ticketTtlMs > now end)
  st.low = filter(st.low, function(w) return w.beat + a.ticketTtlMs > now end)
  if st.blockedUntil <= now then st.blockedUntil = 0 end
end
local function available()
  if st.blockedUntil > 0 then return 0 end
  if st.limit == nil then if #st.pending == 0 then return 1 else return 0 end end
  if st.limit < 0 then return math.huge end
  return math.max(0, st.limit - #st.log - #st.pending)
end
local function nextFree()
  if st.blockedUntil > 0 then return st.blockedUntil end
  local n = nil
  for _, e in ipairs(st.log) do local t = e.at + st.windowMs if n == nil or t < n then n = t end end
  return n
end
local function finite(x) if x == math.huge then return -1 end return x end
local function save()
  redis.call('SET', KEYS[1], cjson.encode(st), 'PX', math.max(st.windowMs, a.reservationMs) + 60000)
end
local result = { now = now }
if op == 'reserve' then
  purge()
  local avail = available()
  local threshold = avail
  if a.priority ~= 'high' and st.limit ~= nil then threshold = avail - a.reserve end
  local queue = st.low
  if a.priority == 'high' then queue = st.high end
  local ahead
  if a.mode == 'fail' then
    if a.priority == 'high' then ahead = #st.high else ahead = #st.high + #st.low end
  else
    local index = nil
    for i, w in ipairs(queue) do if w.id == a.id then index = i end end
    if index == nil then
      st.seq = st.seq + 1
      queue[#queue + 1] = { id = a.id, seq = st.seq, beat = now }
      index = #queue
    else
      queue[index].beat = now
    end
    if a.priority == 'high' then ahead = index - 1 else ahead = #st.high + index - 1 end
  end
  if ahead + 1 <= threshold then
    if a.mode == 'wait' then
      for i, w in ipairs(queue) do if w.id == a.id then table.remove(queue, i) break end end
    end
    st.pending[#st.pending + 1] = { id = a.id, expiresAt = now + a.reservationMs }
    result.granted = true
  else
    result.granted = false
    result.ahead = ahead
    result.remaining = finite(avail)
    result.nextAt = nextFree()
  end
  save()
elseif op == 'settle' then
  purge()
  st.pending = filter(st.pending, function(p) return p.id ~= a.id end)
  if type(a.windowSeconds) == 'number' and a.windowSeconds > 0 then st.windowMs = a.windowSeconds * 1000 end
  if type(a.source) == 'string' then st.source = a.source end
  if a.rejected then
    local wait = num(a.retryAfterMs) or st.windowMs
    if now + wait > st.blockedUntil then st.blockedUntil = now + wait end
    if type(a.limit) == 'number' then st.limit = a.limit end
    st.lastRemaining = 0
    st.lastObservedAt = now
  elseif not a.headers then
    if st.limit == nil and a.ok then st.limit = -1 end
  else
    if type(a.limit) == 'number' then st.limit = a.limit elseif st.limit == -1 then st.limit = nil end
    if type(a.remaining) == 'number' then
      st.lastRemaining = a.remaining
      st.lastObservedAt = now
      if st.limit == nil then st.limit = a.remaining + #st.log + #st.pending + 1 end
    end
    if st.limit ~= nil then
      st.log[#st.log + 1] = { id = a.id, at = now }
      if type(a.remaining) == 'number' then
        local known = #st.log + #st.pending
        local used = st.limit - a.remaining
        for i = known, used - 1 do st.log[#st.log + 1] = { id = 'foreign:' .. a.id .. ':' .. tostring(i), at = now } end
      end
    end
  end
  save()
elseif op == 'release' then
  purge()
  st.pending = filter(st.pending, function(p) return p.id ~= a.id end)
  st.high = filter(st.high, function(w) return w.id ~= a.id end)
  st.low = filter(st.low, function(w) return w.id ~= a.id end)
  save()
elseif op == 'snapshot' then
  if not raw then return cjson.encode({ missing = true, now = now }) end
  purge()
  local avail = available()
  if st.limit ~= nil and st.limit >= 0 then result.limit = st.limit end
  result.windowSeconds = st.windowMs / 1000
  result.remaining = finite(avail)
  result.used = #st.log
  result.inFlight = #st.pending
  result.waiters = #st.high + #st.low
  result.nextAt = nextFree()
  if st.blockedUntil > 0 then result.blockedUntil = st.blockedUntil end
  result.lastRemaining = st.lastRemaining
  result.lastObservedAt = st.lastObservedAt
  result.source = st.source
end
return cjson.encode(result)
`;
