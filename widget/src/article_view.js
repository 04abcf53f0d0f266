// An article inside the panel, with its links wired and a "Was this
// helpful?" vote (a comment on "no").
import { el } from './dom.js';
import { setHtml } from './trusted_types.js';
import { wireLinks } from './links.js';

// `onRead(article)`: the article is on screen. `onVote({id, helpful, comment})`:
// a vote; `onNotHelpful(id)`: the first "no" on this reading only.
export function createArticleView({ url, strings, onBack, onRead, onVote, onNotHelpful }) {
  const element = el('div', { class: 'article', hidden: true });

  async function open(id) {
    const t = strings();
    element.replaceChildren(el('p', { class: 'status', text: t.loading }));
    let article;
    try {
      const r = await fetch(url(`/api/v1/articles/${encodeURIComponent(id)}`));
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      article = await r.json();
    } catch (e) {
      element.replaceChildren(el('p', { class: 'status', text: t.error }));
      return;
    }
    const back = el('button', { class: 'back', type: 'button', onclick: onBack, text: `‹ ${t.back}` });
    const content = el('div', { class: 'content' });
    setHtml(content, article.html);  // sanitized by the compiler (no script, handlers or javascript: URLs)
    wireLinks(content, { url, openArticle: open });
    const heading = el('h1', { tabindex: '-1', text: article.title });
    element.replaceChildren(back, heading, content, voteBox(id));
    onRead({ id, title: article.title });
    heading.focus();
  }

  function voteBox(id) {
    const t = strings();
    const box = el('div', { class: 'vote', role: 'group', 'aria-labelledby': 'ff-vote-q' });
    const question = el('p', { id: 'ff-vote-q', text: t.helpful });
    const live = el('p', { role: 'status', 'aria-live': 'polite' });
    let complained = false;
    const record = (helpful, comment) => {
      onVote({ id, helpful, comment: comment || '' });
      if (!helpful && !complained) { complained = true; onNotHelpful(id); }
    };
    const yes = el('button', { type: 'button', 'aria-pressed': 'false', text: t.yes, onclick: () => {
      yes.setAttribute('aria-pressed', 'true'); no.setAttribute('aria-pressed', 'false');
      record(true); live.textContent = t.thanks; form.hidden = true;
    } });
    const no = el('button', { type: 'button', 'aria-pressed': 'false', text: t.no, onclick: () => {
      no.setAttribute('aria-pressed', 'true'); yes.setAttribute('aria-pressed', 'false');
      form.hidden = false; comment.focus();
    } });
    const comment = el('textarea', { id: 'ff-comment', rows: '3', maxlength: '1000' });
    const form = el('form', { hidden: true, onsubmit: (e) => {
      e.preventDefault(); record(false, comment.value.trim()); live.textContent = t.thanks; form.hidden = true;
    } }, el('label', { for: 'ff-comment', text: t.commentLabel }), comment, el('button', { class: 'primary', type: 'submit', text: t.send }));
    box.append(question, el('div', { class: 'buttons' }, yes, no), form, live);
    return box;
  }

  return { element, open };
}
