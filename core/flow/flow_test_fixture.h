// A realistic flow for the flow tests: return or exchange an item, with a
// clarifying question, a branch, an action, a save offer and done states.
#pragma once

inline const char* kReturnFlow = R"({
  "id": "return-item",
  "title": "Return or exchange an item",
  "locale": "en",
  "intents": ["return an item", "exchange wrong size"],
  "start": "order",
  "steps": {
    "order": {"kind": "ask", "message": "Which order?", "fields": [
      {"name": "order_id", "label": "Order number", "pattern": "^BL-[0-9]{5}$"},
      {"name": "email", "label": "Email", "type": "email", "sensitive": true}], "next": "lookup"},
    "lookup": {"kind": "action", "connector": "demo.find_order", "input": {"order": "order_id", "email": "email"},
      "outcomes": {"found": "reason", "not_found": {"next": "order", "failure": true, "reason": "order not found"}}},
    "reason": {"kind": "ask", "fields": [
      {"name": "reason", "label": "Reason", "type": "choice", "choices": ["defective", "wrong size", "changed my mind"]},
      {"name": "details", "label": "Details", "required": false, "max_length": 200}], "next": "route"},
    "route": {"kind": "branch", "cases": [
      {"when": {"field": "reason", "equals": "wrong size"}, "next": "exchange-offer"},
      {"when": {"field": "reason", "in": ["defective"]}, "next": "confirm-refund"}], "otherwise": "confirm-refund"},
    "exchange-offer": {"kind": "offer", "message": "Exchange for another size instead?", "accept": "exchanged", "decline": "confirm-refund"},
    "confirm-refund": {"kind": "confirm", "message": "Refund to your card?", "yes": "refund", "no": "not-done"},
    "refund": {"kind": "action", "connector": "demo.refund", "input": {"order": "order_id"},
      "outcomes": {"ok": "refunded", "failed": {"next": "not-done", "failure": true, "reason": "refund failed"}}},
    "exchanged": {"kind": "done", "state": "resolved", "message": "Your exchange is on its way."},
    "refunded": {"kind": "done", "state": "resolved", "message": "Your refund has started."},
    "not-done": {"kind": "done", "state": "unresolved", "title": "customer kept the item", "message": "Nothing was changed."}
  }
})";
