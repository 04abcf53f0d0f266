// ES-module entry for bundler users:
//   import { loadFirstfix } from 'firstfix';
//   const firstfix = await loadFirstfix({ src: 'https://help.example.com/widget.js', locale: 'es' });
//   firstfix('open');
export function loadFirstfix({ src, ...options }) {
  if (typeof window === 'undefined') throw new Error('firstfix runs in a browser');
  if (!window.firstfix) window.firstfix = function () { (window.firstfix.q = window.firstfix.q || []).push(arguments); };
  if (!document.querySelector(`script[src="${src}"]`)) {
    const s = document.createElement('script');
    s.src = src;
    s.async = true;
    for (const [k, v] of Object.entries(options)) s.dataset[k] = String(v);
    document.head.append(s);
  }
  return Promise.resolve((...args) => window.firstfix(...args));
}
