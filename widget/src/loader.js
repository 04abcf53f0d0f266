// The embed: <script src="https://HOST/widget.js" async></script>
//
// On load it only draws a launcher button inside a Shadow DOM and installs
// the `firstfix(...)` API. The panel, the Worker, the wasm engine and the
// index load when the browser is idle or on first open, whichever is first.
// Nothing is stored in the browser here.
const CONFIG = "__FIRSTFIX_CONFIG__";  // replaced by the server with asset URLs

(function () {
  const script = document.currentScript;
  if (window.firstfix && window.firstfix.loaded) return;
  const base = script && script.src ? script.src : location.href;
  const url = (path) => new URL(path, base).href;
  const data = (name, fallback) => (script && script.dataset[name]) || fallback;

  const state = {
    locale: data('locale', (document.documentElement.lang || '').slice(0, 2) || CONFIG.site.default_locale),
    position: data('position', 'right') === 'left' ? 'left' : 'right',
    accent: /^#[0-9a-f]{3,8}$/i.test(data('accent', '')) ? data('accent', '') : '#0b5cad',
    greeting: data('greeting', ''),
    preload: data('preload', 'idle'),  // 'idle' or 'open'
    // Reports: on unless the page says data-consent="ask" (then off until firstfix('consent', true)).
    consent: data('consent', 'granted') !== 'ask',
    user: null,
    open: false,
  };
  const listeners = {};
  const emit = (event, detail) => (listeners[event] || []).forEach((cb) => { try { cb(detail); } catch (e) { console.error(e); } });

  const host = document.createElement('firstfix-widget');
  // Styles go through the CSSOM (style.setProperty, adoptedStyleSheets),
  // which a strict Content-Security-Policy allows, unlike <style> or style="".
  for (const [k, v] of [['all', 'initial'], ['position', 'fixed'], ['z-index', '2147483000']]) host.style.setProperty(k, v, 'important');
  const root = host.attachShadow({ mode: 'open' });
  const side = state.position;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`:host{all:initial}
.launcher{all:initial;position:fixed;bottom:20px;${side}:20px;display:flex;align-items:center;gap:8px;box-sizing:border-box;
height:52px;padding:0 20px;border-radius:26px;background:var(--ff-accent);color:#fff;cursor:pointer;
font:600 16px/1 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;box-shadow:0 4px 14px rgba(0,0,0,.25)}
.launcher:focus-visible{outline:3px solid #111;outline-offset:3px}
.launcher svg{width:22px;height:22px;fill:currentColor}
.launcher[aria-expanded=true]{display:none}`);
  root.adoptedStyleSheets = [sheet];
  // Built node by node: no HTML string, so a page that enforces Trusted Types shows it too.
  const SVG = 'http://www.w3.org/2000/svg';
  const launcher = document.createElement('button');
  launcher.className = 'launcher';
  for (const [k, v] of [['type', 'button'], ['aria-expanded', 'false'], ['aria-haspopup', 'dialog']]) launcher.setAttribute(k, v);
  const icon = document.createElementNS(SVG, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', 'M12 2a10 10 0 100 20 10 10 0 000-20zm1 17h-2v-2h2v2zm2.1-7.8l-.9.9c-.7.7-1.2 1.3-1.2 2.9h-2v-.5c0-1.1.4-2.1 1.2-2.8l1.2-1.3a2 2 0 00-1.4-3.4 2 2 0 00-2 2H8a4 4 0 118 0c0 .9-.4 1.7-.9 2.2z');
  icon.append(path);
  const label = document.createElement('span');
  label.className = 'label';
  launcher.append(icon, label);
  root.append(launcher);
  host.style.setProperty('--ff-accent', state.accent);
  const labels = { en: 'Help', es: 'Ayuda', de: 'Hilfe', fr: 'Aide', ar: 'مساعدة', he: 'עזרה' };
  const setLabel = () => {
    const text = labels[state.locale] || labels.en;
    launcher.querySelector('.label').textContent = text;
    launcher.setAttribute('aria-label', text === 'Help' ? 'Help' : `${text} (Help)`);
  };
  setLabel();

  let panelPromise = null;
  const loadPanel = () => {
    if (!panelPromise) {
      panelPromise = import(url(CONFIG.assets.panel)).then((m) => m.mount({ root, host, launcher, config: CONFIG, url, state, emit }));
      panelPromise.catch((e) => { console.error('firstfix: could not load the help panel', e); panelPromise = null; });
    }
    return panelPromise;
  };
  const withPanel = (fn) => loadPanel().then(fn);

  launcher.addEventListener('click', () => withPanel((p) => p.open()));

  const api = function (command, ...args) {
    switch (command) {
      case 'open': return withPanel((p) => p.open());
      case 'close': return panelPromise && withPanel((p) => p.close());
      case 'toggle': return withPanel((p) => (state.open ? p.close() : p.open()));
      case 'search': return withPanel((p) => { p.search(String(args[0] ?? '')); p.open(); });
      case 'startFlow': return withPanel((p) => { p.open(); return p.startFlow(args[0]); });
      case 'identify': state.user = args[0] && typeof args[0] === 'object' ? { ...args[0] } : null; return;
      case 'setLocale': state.locale = String(args[0] || state.locale); setLabel(); return panelPromise && withPanel((p) => p.setLocale(state.locale));
      case 'consent':
        state.consent = args[0] !== false;
        if (!state.consent) {
          // Forget what was recorded and not sent, even before the panel loads.
          try { sessionStorage.removeItem('firstfix.events'); sessionStorage.removeItem('firstfix.visit'); localStorage.removeItem('firstfix.visitor'); } catch (e) { /* storage off */ }
        }
        return panelPromise && withPanel((p) => p.setConsent(state.consent));
      case 'on': if (typeof args[1] === 'function') (listeners[args[0]] = listeners[args[0]] || []).push(args[1]); return;
      case 'off': listeners[args[0]] = (listeners[args[0]] || []).filter((cb) => cb !== args[1]); return;
      default: console.warn(`firstfix: unknown command '${command}'`);
    }
  };
  api.loaded = true;
  const queued = (window.firstfix && window.firstfix.q) || [];
  window.firstfix = api;

  // Any element with data-firstfix-flow="<id>" starts that flow: no script needed on the host page.
  document.addEventListener('click', (e) => {
    const trigger = e.target.closest && e.target.closest('[data-firstfix-flow]');
    if (trigger) { e.preventDefault(); api('startFlow', trigger.getAttribute('data-firstfix-flow')); }
  });

  const mountHost = () => {
    document.body.appendChild(host);
    queued.forEach((args) => api(...args));
    // A flow under way before a reload opens again where it was (set only after the customer started one).
    let resume = null;
    try { resume = sessionStorage.getItem('firstfix.chat') || sessionStorage.getItem('firstfix.flow'); } catch (e) { /* storage off */ }
    if (resume) api('open');
    // Preload when the page is idle; an earlier open loads at once.
    if (state.preload !== 'open') {
      const idle = window.requestIdleCallback || ((cb) => setTimeout(cb, 1500));
      idle(() => loadPanel().then((p) => p.preload()), { timeout: 4000 });
    }
  };
  if (document.body) mountHost(); else document.addEventListener('DOMContentLoaded', mountHost);
})();
