// What the customer does, for the editors' reports: recorded from the same
// events the page can listen to (firstfix('on', ...)), so the two never
// disagree. Returns the function that turns one public event into the
// record the reports count (core/metrics/event.h names them), if any.
export function reportRecords(record) {
  const flowFailures = new Map();  // session -> failures seen, to tell a failed step from a good one
  return (event, detail) => {
    switch (event) {
      case 'articleView': return record('article_view', { target: detail.id });
      case 'vote': return record('vote', { target: detail.id, helpful: detail.helpful, ...(detail.comment ? { text: detail.comment } : {}) });
      case 'flowStart': return record('flow_start', { target: detail.flow, session: detail.session, outcome: detail.identity });
      case 'flowStep': {
        const before = flowFailures.get(detail.session) ?? detail.failures;
        flowFailures.set(detail.session, detail.failures);
        if (detail.kind === 'done') return undefined;
        return record('flow_step', { target: detail.flow, session: detail.session, step: detail.step,
          outcome: detail.invalid ? 'invalid' : detail.failures > before ? 'failed' : 'ok' });
      }
      case 'flowDone': return record('flow_done', { target: detail.flow, session: detail.session, outcome: detail.state });
      case 'flowNotSolved': return record('flow_done', { target: detail.flow, session: detail.session, outcome: 'not_solved' });
      case 'escalationOffer': return record('escalation_offered', { outcome: detail.trigger });
      case 'escalationDeclined': return record('escalation_declined', { outcome: detail.trigger });
      case 'chatStart': return record('chat_started', { session: detail.conversation, outcome: detail.state === 'ticket' ? 'ticket' : 'queued' });
      case 'chatClosed': return record('chat_closed', { session: detail.conversation, outcome: '' });
      case 'survey': return record('survey', { about: detail.about, session: detail.session, score: detail.score });
      default: return undefined;
    }
  };
}
