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
[tabindex="-1"]:focus{outline:none}
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
.secondary{padding:8px 14px;border-radius:8px;border:1px solid #6b7684;background:#fff;color:#1c2430}
.link{all:unset;cursor:pointer;color:#0b4f94;font-weight:600;padding:6px 2px}
button.primary{cursor:pointer}button:disabled{opacity:.6;cursor:progress}
a.task .r-meta{color:#1b6b34;font-weight:600}
.offer{margin:0;padding:12px 16px;background:#eef5ff;border-bottom:1px solid #b9d3f5;font-size:14px}
.offer p{margin:0 0 8px}.offer .buttons{display:flex;flex-wrap:wrap;align-items:center;gap:10px}
.contact .buttons{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.contact a{background:none;color:#0b4f94;padding:8px 4px;text-decoration:underline}
.survey .scale{display:flex;gap:6px}.survey .scale button{min-width:40px}.survey .scale-ends{display:flex;justify-content:space-between;max-width:236px;font-size:12px;color:#4a5360;margin:2px 0 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
