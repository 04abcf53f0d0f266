// The panel is a modal dialog: Escape closes it, Tab stays inside it, and
// the arrow keys walk from the search box down the list shown (results or
// the opening list) and back up.
export function wireKeyboard(panel, { root, input, close, listLinks }) {
  const focusables = () => [...panel.querySelectorAll('a[href],button:not([disabled]),input:not([disabled]),select,textarea,[tabindex="0"]')]
    .filter((n) => !n.closest('[hidden]'));
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); close(); return; }
    if (e.key === 'Tab') {
      const f = focusables();
      if (!f.length) return;
      const active = root.activeElement;
      if (e.shiftKey && active === f[0]) { e.preventDefault(); f[f.length - 1].focus(); }
      else if (!e.shiftKey && active === f[f.length - 1]) { e.preventDefault(); f[0].focus(); }
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const links = listLinks();  // empty when no list is in view
      if (!links.length) return;
      const i = links.indexOf(root.activeElement);
      if (e.key === 'ArrowDown' && (root.activeElement === input || i >= 0)) { e.preventDefault(); links[Math.min(i + 1, links.length - 1)].focus(); }
      if (e.key === 'ArrowUp' && i >= 0) { e.preventDefault(); (i === 0 ? input : links[i - 1]).focus(); }
    }
  });
}
