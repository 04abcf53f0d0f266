// Trusted Types. A host page with a strict CSP (`require-trusted-types-for
// 'script'`) refuses strings in HTML and script-URL sinks; the widget's only
// ways into them go through one named policy, `firstfix`, which such a page
// allows with `trusted-types firstfix`. Everything else the widget draws is
// built with createElement. What passes here is sanitized before it reaches
// the page (articles by the compiler, step messages by the server's Markdown
// renderer, search titles and snippets escaped by the core), and script URLs
// are the widget's own assets.
let policy;

function firstfixPolicy() {
  if (policy !== undefined) return policy;
  policy = null;
  const tt = globalThis.trustedTypes;
  if (!tt || !tt.createPolicy) return policy;
  try {
    policy = tt.createPolicy('firstfix', {
      createHTML: (html) => html,
      createScriptURL: (url) => {
        const u = new URL(url, location.href);
        if (!['https:', 'http:', 'blob:'].includes(u.protocol)) throw new TypeError(`firstfix: not a script URL: ${url}`);
        return url;
      },
    });
  } catch (e) {
    // The page allows other policies only: the widget still works, showing its HTML as text.
    console.warn('firstfix: this page does not allow the Trusted Types policy "firstfix"; add it to trusted-types in its CSP', e);
  }
  return policy;
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };
const textOf = (html) => html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e) => ENTITIES[e]);

// Sets `node`'s content to `html` (sanitized upstream); as text where the page refuses it.
export function setHtml(node, html) {
  const p = firstfixPolicy();
  try {
    node.innerHTML = p ? p.createHTML(html) : html;
  } catch {
    node.textContent = textOf(html);
  }
}

// A URL the widget loads a script (its Worker) from.
export function scriptUrl(url) {
  const p = firstfixPolicy();
  return p ? p.createScriptURL(url) : url;
}
