// The way to a person, offered up front when the escalation policy
// (core/escalation, in the Worker) says so. The footer's "Talk to a
// person" is always there besides: help is a shortcut, never a locked door.
import { el } from './dom.js';

export function createOffer({ strings, emit, onAccept, onDecline }) {
  const element = el('div', { class: 'offer', role: 'region', 'aria-labelledby': 'ff-offer-text', hidden: true });
  let shown = false;
  const hide = () => { element.hidden = true; shown = false; };

  // `decision`: the policy's answer {offer, trigger, failures, reasons}; offered once until declined.
  function consider(decision) {
    if (!decision || !decision.offer || shown) return;
    shown = true;
    const t = strings();
    const { trigger, failures } = decision;
    const text = { failures: t.offerFailures, request: t.offerRequest, frustration: t.offerFrustration }[trigger] || t.offerFailures;
    const accept = el('button', { type: 'button', class: 'primary', text: t.talkToPerson, onclick: () => {
      emit('escalationAccepted', { trigger, failures });
      onAccept(trigger);
    } });
    const decline = el('button', { type: 'button', class: 'link', text: t.keepLooking, onclick: () => {
      hide();
      emit('escalationDeclined', { trigger, failures });
      onDecline();
    } });
    element.replaceChildren(el('p', { id: 'ff-offer-text', text }), el('div', { class: 'buttons' }, accept, decline));
    element.hidden = false;
    emit('escalationOffer', { trigger, failures, reasons: decision.reasons });
  }
  return { element, consider, hide: () => { element.hidden = true; } };
}
