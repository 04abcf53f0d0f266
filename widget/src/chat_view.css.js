// The chat view's styles, adopted into the panel's Shadow DOM with the view.
export const CHAT_CSS = `
.chat{display:flex;flex-direction:column;gap:6px;padding-top:6px}.chat-status{margin:6px 0;font-size:14px;color:#38414d}
.chat-log{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
.chat-log .msg{max-width:85%;padding:8px 10px;border-radius:10px;background:#f1f4f8;align-self:flex-start;overflow-wrap:anywhere}
.chat-log .msg.customer{align-self:flex-end;background:#e6f0fb}.chat-log .msg.system{align-self:center;background:#fff8e6;font-size:13px}
.chat-log .msg.pending{opacity:.7}.chat-log .meta{display:block;font-size:12px;color:#4a5360}.chat-log p{margin:2px 0 0;white-space:pre-wrap}
.chat-image{display:block;max-width:100%;height:auto;border-radius:6px;margin-top:4px}.chat-log .msg.failed{opacity:1;background:#fdecea}
.chat-photos{display:flex;gap:8px}.chat-photo{font-size:14px}
.chat-typing{min-height:1.2em;font-size:13px;color:#4a5360;margin:0}
.chat-composer{display:flex;gap:8px;align-items:flex-end}.chat-composer textarea{flex:1;resize:vertical}
`;
