// The panel's styles, scoped by its Shadow DOM: nothing leaks either way.
export const PANEL_CSS = `
:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.panel{position:fixed;bottom:20px;width:400px;max-width:calc(100vw - 40px);height:min(640px,calc(100vh - 40px));
display:flex;flex-direction:column;background:#fff;color:#1c2430;border-radius:14px;overflow:hidden;
box-shadow:0 12px 40px rgba(0,0,0,.28);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
transition:opacity .15s ease,transform .15s ease;text-align:start}
.panel.right{right:20px}.panel.left{left:20px}
.panel[hidden]{display:none}
@media (max-width:520px){.panel{inset:0;width:100vw;max-width:none;height:100vh;height:100dvh;border-radius:0;bottom:0}}
@media (prefers-reduced-motion:reduce){.panel{transition:none}}
header{display:flex;align-items:center;gap:8px;padding:14px 16px;background:var(--ff-accent);color:#fff}
header h2{flex:1;margin:0;font-size:17px;font-weight:650}
button{font:inherit;cursor:pointer}
.icon{all:unset;display:grid;place-items:center;width:36px;height:36px;border-radius:8px;color:inherit;cursor:pointer}
.icon:hover{background:rgba(255,255,255,.15)}
:focus-visible{outline:3px solid #111;outline-offset:2px}
header :focus-visible{outline-color:#fff}
.search{padding:12px 16px;border-bottom:1px solid #dde3ea}
input[type=search],textarea{width:100%;padding:10px 12px;border:1px solid #6b7684;border-radius:8px;font:inherit;color:inherit;background:#fff}
.body{flex:1;overflow:auto;padding:8px 16px 16px;background:#fff;contain:layout paint}
ul.results li{contain:layout}
.status{margin:6px 0;color:#4a5360;font-size:13px}
.corrected{margin:6px 0;font-size:14px}
ul.results{list-style:none;margin:0;padding:0}
ul.results li{border-bottom:1px solid #edf0f3}
ul.results a{display:block;padding:10px 4px;color:inherit;text-decoration:none;border-radius:6px}
ul.results a:hover{background:#f3f6f9}
.r-title{display:block;font-weight:600;color:#0b4f94}
.r-meta{display:block;font-size:12px;color:#4a5360}
.r-snippet{display:block;font-size:13px;color:#38414d}
mark{background:#ffe38a;color:inherit;border-radius:2px}
h3{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#4a5360;margin:14px 0 4px}
.empty{padding:16px 4px}
.contact{display:flex;flex-direction:column;gap:8px;padding:12px 16px;border-top:1px solid #dde3ea;background:#f7f9fb;font-size:14px}
.contact a,.primary{display:inline-block;padding:8px 14px;border-radius:8px;background:var(--ff-accent);color:#fff;text-decoration:none;text-align:center;border:0}
.article{padding-top:6px}
.article h1{font-size:20px;margin:8px 0 12px}
.article .content{overflow-wrap:anywhere}
.article .content a{color:#0b4f94}
.article table{border-collapse:collapse;font-size:13px}.article td,.article th{border:1px solid #dde3ea;padding:4px 6px}
.article blockquote{margin:10px 0;padding:6px 12px;border-inline-start:4px solid #c98a00;background:#fff8e6}
.back{all:unset;cursor:pointer;color:#0b4f94;font-weight:600;padding:4px 0}
.vote{margin-top:18px;padding:12px;border:1px solid #dde3ea;border-radius:10px}
.vote .buttons{display:flex;gap:8px;margin-top:6px}
.vote button{padding:6px 16px;border:1px solid #6b7684;border-radius:8px;background:#fff;color:#1c2430}
.vote button[aria-pressed=true]{background:var(--ff-accent);color:#fff;border-color:var(--ff-accent)}
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
.secondary{padding:8px 14px;border-radius:8px;border:1px solid #6b7684;background:#fff;color:#1c2430}
.link{all:unset;cursor:pointer;color:#0b4f94;font-weight:600;padding:6px 2px}
button.primary{cursor:pointer}button:disabled{opacity:.6;cursor:progress}
.flow-done{margin-top:14px;padding:12px;border:1px solid #dde3ea;border-radius:10px;display:flex;flex-direction:column;gap:8px;align-items:flex-start}
.flow-done .buttons{display:flex;gap:8px}.flow-done p{margin:0}
.done-resolved h1::before{content:"✓ ";color:#1b7f3b}
.done-escalate h1::before,.done-unresolved h1::before{content:"! ";color:#b3261e}
a.task .r-meta{color:#1b6b34;font-weight:600}
.offer{margin:0;padding:12px 16px;background:#eef5ff;border-bottom:1px solid #b9d3f5;font-size:14px}
.offer p{margin:0 0 8px}.offer .buttons{display:flex;flex-wrap:wrap;align-items:center;gap:10px}
.contact .buttons{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.contact a{background:none;color:#0b4f94;padding:8px 4px;text-decoration:underline}
.chat{display:flex;flex-direction:column;gap:6px;padding-top:6px}.chat-status{margin:6px 0;font-size:14px;color:#38414d}
.chat-log{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
.chat-log .msg{max-width:85%;padding:8px 10px;border-radius:10px;background:#f1f4f8;align-self:flex-start;overflow-wrap:anywhere}
.chat-log .msg.customer{align-self:flex-end;background:#e6f0fb}.chat-log .msg.system{align-self:center;background:#fff8e6;font-size:13px}
.chat-log .msg.pending{opacity:.7}.chat-log .meta{display:block;font-size:12px;color:#4a5360}.chat-log p{margin:2px 0 0;white-space:pre-wrap}
.chat-image{display:block;max-width:100%;height:auto;border-radius:6px;margin-top:4px}.chat-log .msg.failed{opacity:1;background:#fdecea}
.survey .scale{display:flex;gap:6px}.survey .scale button{min-width:40px}.survey .scale-ends{display:flex;justify-content:space-between;max-width:236px;font-size:12px;color:#4a5360;margin:2px 0 0}
.chat-photos{display:flex;gap:8px}.chat-photo{font-size:14px}
.chat-typing{min-height:1.2em;font-size:13px;color:#4a5360;margin:0}
.chat-composer{display:flex;gap:8px;align-items:flex-end}.chat-composer textarea{flex:1;resize:vertical}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
