-- wrk script: flow-step requests as the widget makes them. Each connection
-- alternates: start an order-tracking session (201), then answer its first
-- step (200), which runs the demo back office's track_order action against
-- SQLite, writes the audit log and the session, and ends the flow.
local pending = {}
local counts = {}

request = function()
  local sid = table.remove(pending)
  if sid then
    return wrk.format("POST", "/api/v1/sessions/" .. sid .. "/answers", { ["Content-Type"] = "application/json" },
      '{"step":"order","answers":{"order_id":"BL-10422","email":"ana@example.com"}}')
  end
  return wrk.format("POST", "/api/v1/flows/order-tracking/sessions", { ["Content-Type"] = "application/json" },
    '{"context":{"page":"/bench"}}')
end

response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 201 then
    local sid = body:match('"id":"(fs_[0-9a-f]+)"')
    if sid then table.insert(pending, sid) end
  end
end
