// The one-question survey after a done state or a chat: "How satisfied are
// you?" on a 1 to 5 scale, answered with one press (or not at all).
import { el } from './dom.js';
export function surveyBox({ strings, onAnswer }) {
  const s = strings();
  const live = el('p', { role: 'status', 'aria-live': 'polite' });
  const question = el('p', { id: `ff-survey-${Math.random().toString(36).slice(2)}`, text: s.surveyQuestion });
  const scale = el('div', { class: 'scale', role: 'group', 'aria-labelledby': question.id },
    [1, 2, 3, 4, 5].map((score) => el('button', { type: 'button', class: 'secondary', 'aria-label': s.surveyScore(score), text: String(score),
      onclick: () => { onAnswer(score); scale.remove(); ends.remove(); live.textContent = s.thanks; } })));
  const ends = el('p', { class: 'scale-ends', 'aria-hidden': 'true' }, el('span', { text: s.surveyLow }), el('span', { text: s.surveyHigh }));
  return el('div', { class: 'survey' }, question, scale, ends, live);
}
