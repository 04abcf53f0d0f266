// Search results and the opening list: the same items (an article, or a
// flow marked "Do it now"), picked with a click or the keyboard.
import { el } from './dom.js';
import { setHtml } from './trusted_types.js';

// `onPick(hit, position, fromSearch)`: the customer chose an item.
export function createResultsView({ url, strings, onPick }) {
  const list = el('ul', { class: 'results', id: 'ff-results' });

  function item(hit, position, fromSearch) {
    const t = strings();
    const a = el('a', { href: url(hit.url), 'data-id': hit.id, 'data-kind': hit.kind, class: hit.kind === 'flow' ? 'task' : false });
    const title = el('span', { class: 'r-title' });
    if (hit.title_html) setHtml(title, hit.title_html); else title.textContent = hit.title;  // escaped by the core
    const snippet = el('span', { class: 'r-snippet' });
    if (hit.snippet_html) setHtml(snippet, hit.snippet_html);  // escaped by the core
    a.append(title, el('span', { class: 'r-meta', text: hit.kind === 'flow' ? `▶ ${t.doItNow}` : hit.category }), snippet);
    a.addEventListener('click', (e) => {
      if (hit.kind !== 'article' && hit.kind !== 'flow') return;
      e.preventDefault();
      onPick(hit, position, fromSearch);
    });
    return el('li', {}, a);
  }

  // Results change little from one keystroke to the next: only the items
  // that differ are replaced, so the browser lays out and paints just those
  // (on a slow machine a full re-render costs more than the search itself).
  function show(hits) {
    const items = list.children;
    hits.forEach((hit, i) => {
      const key = [hit.kind, hit.id, hit.category, hit.title_html, hit.snippet_html].join('\u0000');
      const old = items[i];
      if (old && old.ffKey === key) return;
      const fresh = item(hit, i, true);
      fresh.ffKey = key;
      if (old) old.replaceWith(fresh); else list.append(fresh);
    });
    while (items.length > hits.length) items[items.length - 1].remove();
  }

  // The opening list (core/content/suggested.h) into `container`: the page's
  // own items under one heading, the help center's most helpful under another.
  function showOpening(container, opening) {
    const t = strings();
    container.replaceChildren();
    const section = (heading, items, cls) => items.length && container.append(el('h3', { text: heading }),
      el('ul', { class: `results ${cls}` }, items.map((hit, i) => item(hit, i, false))));
    section(t.suggested, opening.items.filter((i) => i.reason === 'page'), 'for-page');
    section(t.popular, opening.items.filter((i) => i.reason !== 'page'), 'popular');
  }

  return { list, show, clear: () => list.replaceChildren(), showOpening };
}
