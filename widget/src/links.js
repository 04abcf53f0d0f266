// Links in HTML the widget shows (articles, flow step messages), made one
// way: a link to an article of this help center points at the help center
// (and, where the panel can show it, opens there); a link to another site
// opens in a new tab, so the customer never loses the page they are on;
// anchors and mailto: links stay as they are.
const ARTICLE = /^\/articles\/([a-z0-9-]+)/;

export function wireLinks(container, { url, openArticle = null }) {
  container.querySelectorAll('a[href]').forEach((a) => {
    const href = a.getAttribute('href');
    const article = ARTICLE.exec(href);
    if (article) {
      a.href = url(href);
      if (openArticle) a.addEventListener('click', (e) => { e.preventDefault(); openArticle(article[1]); });
    } else if (/^https?:/.test(href)) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
    }
  });
}
