// The flow view's styles, adopted into the panel's Shadow DOM with the view.
export const FLOW_CSS = `
.flow{padding-top:6px}
.flow-top{display:flex;align-items:center;justify-content:space-between;gap:8px;font-size:13px;color:#4a5360}
.flow h1{font-size:19px;margin:10px 0 6px}
.flow .content{overflow-wrap:anywhere}.flow .content p{margin:6px 0}.flow .content a{color:#0b4f94}
.progress{display:flex;align-items:center;gap:8px;margin-top:8px;font-size:12px;color:#4a5360}
.progress .track{flex:1;height:6px;border-radius:3px;background:#e3e8ee;overflow:hidden}
.progress .bar{display:block;height:100%;background:var(--ff-accent);transition:width .2s ease}
@media (prefers-reduced-motion:reduce){.progress .bar{transition:none}}
.notice{margin:10px 0;padding:8px 12px;border-radius:8px;background:#fff4e0;border:1px solid #e0a030;color:#5c3b00}.notice p{margin:0}
.flow-error{margin:10px 0;padding:8px 12px;border-radius:8px;background:#fdecec;border:1px solid #c62828;color:#7a1212}.flow-error p{margin:0 0 6px}
.flow-form{display:flex;flex-direction:column;gap:12px;margin-top:10px}
.field label,.field legend{display:block;font-weight:600;margin-bottom:4px}
.field input:not([type=radio]):not([type=checkbox]){width:100%;padding:9px 11px;border:1px solid #6b7684;border-radius:8px;font:inherit;color:inherit;background:#fff}
.field input[aria-invalid=true],.field fieldset[aria-invalid=true]{border-color:#c62828;box-shadow:0 0 0 1px #c62828}
.field fieldset{border:1px solid #c9d1da;border-radius:8px;padding:6px 10px 8px;margin:0}
.choice{display:flex;align-items:center;gap:8px;padding:4px 0;font-weight:400}
.hint{margin:4px 0 0;font-size:13px;color:#4a5360}
.field-error{margin:4px 0 0;font-size:13px;color:#b3261e;font-weight:600}
.flow-actions{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin-top:12px}
.flow-done{margin-top:14px;padding:12px;border:1px solid #dde3ea;border-radius:10px;display:flex;flex-direction:column;gap:8px;align-items:flex-start}
.flow-done .buttons{display:flex;gap:8px}.flow-done p{margin:0}
.done-resolved h1::before{content:"✓ ";color:#1b7f3b}
.done-escalate h1::before,.done-unresolved h1::before{content:"! ";color:#b3261e}
`;
