// The one DOM helper of the panel, its views and the staff pages: an
// element with attributes, listeners and children. Text goes in as text;
// HTML only ever through trusted_types.js.
export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) node.setAttribute(k, v === true ? '' : v);
  }
  children.flat().forEach((c) => c != null && node.append(c));
  return node;
};
