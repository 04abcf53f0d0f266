// The Suggestions tab of the reports page (README: "Search learning"): what
// customers typed before an article or flow solved their problem, as
// questions to add to it, each with its evidence and the target's rank for
// that wording today and with it; the words customers use for the
// content's own, as synonym lines; the searches nothing answered, as
// something to write; and the changes accepted, each revertible. Every
// figure comes from /api/v1/suggestions, the list `firstfix suggest` prints.
import { $, el } from './staff.js';

const count = (x) => Number(x).toLocaleString('en');
const percent = (x) => `${Math.round(x * 100)}%`;
const date = (ms) => new Date(ms).toISOString().slice(0, 10);
const rank = (r, depth) => (r ? `#${r}` : `not in the first ${depth}`);

let csrf = null;

async function call(method, path, body) {
  const r = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: method === 'POST' ? { 'content-type': 'application/json', 'x-csrf-token': csrf || '' } : {},
    body: method === 'POST' ? JSON.stringify(body || {}) : undefined,
  });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

// `query()`: the filters' query string (the same evidence as the reports);
// `drillSearches(which, normalized, title)` and `drillVisits(which, title,
// normalized)`: the searches and the visits behind a suggestion.
export function suggestionsTab({ query, drillSearches, drillVisits }) {
  const say = (text) => { $('#suggestions-status').textContent = text; };
  const done = (text) => { $('#suggestions-outcome').textContent = text; };

  async function load() {
    say('Loading…');
    const r = await call('GET', `/api/v1/suggestions?${query()}`);
    if (r.status !== 200) { say(r.body.error || 'Could not load the suggestions'); return; }
    csrf = r.body.csrf;
    const list = r.body.suggestions;
    const questions = list.filter((s) => s.kind === 'question');
    const synonyms = list.filter((s) => s.kind === 'synonym');
    const gaps = list.filter((s) => s.kind === 'gap');
    $('#suggestion-count').textContent = list.length ? `(${list.length})` : '';
    const t = r.body.thresholds;
    say(`${questions.length} question${questions.length === 1 ? '' : 's'} and ${synonyms.length} synonym${synonyms.length === 1 ? '' : 's'} to add, `
      + `${gaps.length} thing${gaps.length === 1 ? '' : 's'} to write, `
      + `from searches at least ${t.min_visitors} people made; ${r.body.decided} decided already. `
      + (r.body.publishes === 'now' ? 'An accepted change reaches customers at once.' : 'An accepted change is stored, and the next firstfix publish writes it into the folder it publishes.'));
    $('#questions').replaceChildren(...(questions.length ? questions.map(questionCard) : [el('p', { text: 'Nothing to add: no wording enough people resolved ranks its answer below first.' })]));
    $('#synonyms').replaceChildren(...(synonyms.length ? synonyms.map(synonymCard) : [el('p', { text: 'No word customers use for one the content uses, on enough people.' })]));
    $('#writes').replaceChildren(...(gaps.length ? gaps.map(gapCard) : [el('p', { text: 'No search that enough people made went unanswered.' })]));
    $('#accepted').replaceChildren(...(r.body.accepted.length ? [el('ul', { class: 'accepted' }, r.body.accepted.map(acceptedItem))]
      : [el('p', { text: 'No accepted change in force.' })]));
  }

  function evidence(s) {
    const e = s.evidence;
    return el('p', { class: 'evidence' },
      s.kind === 'question' || s.kind === 'synonym'
        ? `${count(e.visitors)} people · ${count(e.searches)} searches · ${count(e.resolutions)} resolved by ${s.kind === 'question' ? 'it' : 'the answer'} · confidence ${percent(e.confidence)} · ${date(e.first)} to ${date(e.last)}`
        : `${count(e.visitors)} people · ${count(e.searches)} searches · none resolved · ${date(e.first)} to ${date(e.last)}`);
  }

  function examples(s) {
    const quoted = (list) => list.map((x) => `“${x}”`).join(', ');
    if (s.kind === 'synonym') return el('p', { class: 'examples', text: `Typed with “${s.words[0]}”: ${quoted(s.examples)}` });
    const others = s.examples.filter((x) => x !== s.phrasing);
    return others.length ? el('p', { class: 'examples', text: `Also typed: ${quoted(others)}` }) : null;
  }

  function synonymCard(s) {
    return decisionCard(s, {
      heading: el('h3', {}, 'Make “', el('span', { class: 'word', text: s.words[0] }), '” find what “', el('span', { class: 'word', text: s.words[1] }), '” finds'),
      file: s.file,
      rank: `Rank of ${s.target.title} for “${s.rank.phrasing}”: ${rank(s.rank.today, s.rank.depth)} today, ${rank(s.rank.after, s.rank.depth)} with it.`,
      label: `Synonyms to add to ${s.file}`,
    });
  }

  function questionCard(s) {
    return decisionCard(s, {
      heading: el('h3', {}, 'Add “', el('span', { class: 'phrasing', text: s.phrasing }), `” to the ${s.target.kind} `, el('strong', { text: s.target.title })),
      file: s.target.file,
      rank: `Rank for this wording: ${rank(s.rank.today, s.rank.depth)} today, ${rank(s.rank.after, s.rank.depth)} with it.`,
      label: `Wording to add to ${s.target.title}`,
    });
  }

  // A question or a synonym: its evidence, ranks and harms, the editable line, and the decisions.
  function decisionCard(s, { heading, file, rank: rankText, label }) {
    const message = el('p', { class: 'outcome', role: 'status' });
    const wording = el('input', { type: 'text', value: s.phrasing, maxlength: '500', 'aria-label': label });
    const harms = s.harms.length
      ? el('p', { class: 'harms', text: `Would move ${s.harms.map((h) => `“${h.phrasing}” (${h.title}) to ${rank(h.rank_after, s.rank.depth)}`).join(', ')}, which customers find first today.` })
      : null;
    const decide = async (action, body) => {
      message.textContent = '';
      const r = await call('POST', `/api/v1/suggestions/${encodeURIComponent(s.id)}/${action}?${query()}`, body);
      if (r.status !== 200) {
        message.textContent = r.body.error || `Could not ${action} it`;
        if (action === 'accept' && r.status === 409 && /anyway/.test(message.textContent) && !card.querySelector('.force')) {
          card.querySelector('.actions').append(el('button', { type: 'button', class: 'force', text: 'Accept anyway', onclick: () => decide('accept', { ...body, force: true }) }));
        }
        return;
      }
      // The list as it is now, then what was done.
      await load();
      if (action === 'accept') {
        const when = r.body.published === 'now' ? 'customers get it now' : 'it goes live at the next firstfix publish';
        const probe = s.kind === 'synonym' ? s.rank.phrasing : r.body.added;
        done(`Added “${r.body.added}” to ${r.body.file}: ${when}. It ranks ${rank(r.body.rank_after, s.rank.depth)} for “${probe}”.`);
      } else done(`Dismissed “${s.phrasing}”.`);
    };
    const card = el('article', { class: 'suggestion', 'data-id': s.id, 'data-kind': s.kind },
      heading,
      el('p', { class: 'file', text: file }),
      evidence(s),
      el('p', { class: 'rank', 'data-today': String(s.rank.today), 'data-after': String(s.rank.after), text: rankText }),
      harms,
      examples(s),
      el('div', { class: 'actions' },
        el('label', { class: 'wording' }, s.kind === 'synonym' ? 'Line ' : 'Wording ', wording),
        el('button', { type: 'button', text: 'Accept', onclick: () => decide('accept', wording.value.trim() === s.phrasing ? {} : { phrasing: wording.value.trim() }) }),
        el('button', { type: 'button', class: 'secondary', text: 'Dismiss', onclick: () => decide('dismiss') }),
        ...evidenceButtons(s)),
      message);
    return card;
  }

  function gapCard(s) {
    const message = el('p', { class: 'outcome', role: 'status' });
    return el('article', { class: 'suggestion', 'data-id': s.id, 'data-kind': 'gap' },
      el('h3', {}, 'Write something for “', el('span', { class: 'phrasing', text: s.phrasing }), '”'),
      evidence(s),
      examples(s),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'secondary', text: 'Dismiss', onclick: async () => {
          const r = await call('POST', `/api/v1/suggestions/${encodeURIComponent(s.id)}/dismiss?${query()}`);
          if (r.status !== 200) { message.textContent = r.body.error || 'Could not dismiss it'; return; }
          await load();
          done(`Dismissed “${s.phrasing}”.`);
        } }),
        ...evidenceButtons(s)),
      message);
  }

  // The searches and the visits behind a suggestion (its most typed query form).
  function evidenceButtons(s) {
    return [
      el('button', { type: 'button', class: 'secondary', text: 'Searches', onclick: () => drillSearches('all', s.normalized, `Searches for “${s.examples[0]}”`) }),
      el('button', { type: 'button', class: 'secondary', text: 'Visits', onclick: () => drillVisits('all', `Visits that searched “${s.examples[0]}”`, s.normalized) }),
    ];
  }

  function acceptedItem(a) {
    const message = el('span', { class: 'outcome', role: 'status' });
    return el('li', { 'data-id': a.id },
      `“${a.added}” in ${a.file}, by ${a.editor} on ${date(a.at)} `,
      el('button', { type: 'button', class: 'secondary', text: 'Revert', onclick: async () => {
        const r = await call('POST', `/api/v1/suggestions/${encodeURIComponent(a.id)}/revert`);
        if (r.status !== 200) { message.textContent = r.body.error || 'Could not revert it'; return; }
        await load();
        done(`Removed “${a.added}” from ${r.body.file}: ${r.body.published === 'now' ? 'customers get it now' : 'at the next firstfix publish'}.`);
      } }),
      message);
  }

  return { load };
}
