// TypeScript declarations for the firstfix widget API.
/** The customer signed in on the host site. Flows that require a known customer need a signature the
 *  host site's back end makes with a secret it shares with the firstfix server: `token`, a JWT (HS256;
 *  sub, email, name, exp), or `user_hash`, the hex HMAC-SHA256 of `id` (which verifies the id only).
 *  Without one, id, email and name are a claim: shown to agents as such, never used by a flow. */
export interface FirstfixUser { id?: string; email?: string; name?: string; user_hash?: string; token?: string }
export interface SearchEvent {
  query: string; results: string[]; corrected: string | null; engine: 'wasm' | 'server';
  latency_ms: number;  // from the keystroke to the results on screen
  engine_ms?: number;  // of which searching in the Worker (engine 'wasm'; 'server' when it answered first)
  index_bytes_fetched?: number;  // index bytes this search read over the network (a lazily read index)
}
export interface ArticleViewEvent { id: string; title: string }
export interface VoteEvent { id: string; helpful: boolean; comment: string }
export interface ResultClickEvent { id: string; kind: 'article' | 'flow'; position: number; query: string }
/** Flow events carry ids, step names and counts, never the customer's answers. */
/** `session`: the flow session's public link id (fl_...), never its id, which is the session's credential. */
/** `identity`: verified when the server verified the host site's signature, claimed when the page only named the customer. */
export interface FlowStartEvent { flow: string; session: string; identity: 'verified' | 'claimed' | 'anonymous' }
export interface FlowStepEvent { flow: string; session: string; step: string; kind: 'ask' | 'confirm' | 'offer' | 'message'; failures: number; invalid: boolean }
export interface FlowDoneEvent { flow: string; session: string; state: 'resolved' | 'unresolved' | 'escalate'; failures: number }
export interface FlowNotSolvedEvent { flow: string; session: string }
/** The escalation policy offered a person: after repeated self-service failures, on request, or on frustration. */
export interface EscalationEvent { trigger: 'failures' | 'request' | 'frustration'; failures: number; reasons?: string[] }
export interface ChatEvent { conversation: string; state?: 'queued' | 'ticket' }
/** The one-question survey after a done state or a chat: 1 (not at all satisfied) to 5 (very). */
export interface SurveyEvent { about: 'flow' | 'chat'; session: string; score: 1 | 2 | 3 | 4 | 5 }
/** The panel opened with nothing typed and showed its opening list: the page's own articles and flows
 *  (`page`), the editors' pinned ones, then what resolved most lately (`reports`) or, until the reports
 *  have enough, every flow and the articles tied to pages (`static`). */
export interface SuggestionsEvent {
  items: { id: string; kind: 'article' | 'flow'; reason: 'page' | 'pinned' | 'reports' | 'static' }[];
  source: 'reports' | 'static';
}
/** Diagnostics: every search the in-page engine finished, including those the server answered first. */
export interface EngineSearchEvent {
  query: string;
  engine_ms: number;
  index_bytes_fetched?: number;  // index bytes this search read over the network (a lazily read index)
  index_requests?: number;  // the requests it waited on for them
  index_waves?: number;  // of which parallel fetches of the shown documents' blocks
}
export interface FirstfixEvents {
  open: Record<string, never>; close: Record<string, never>; search: SearchEvent; engineSearch: EngineSearchEvent;
  articleView: ArticleViewEvent; vote: VoteEvent; resultClick: ResultClickEvent; suggestions: SuggestionsEvent;
  flowStart: FlowStartEvent; flowStep: FlowStepEvent; flowDone: FlowDoneEvent; flowNotSolved: FlowNotSolvedEvent;
  escalationOffer: EscalationEvent; escalationAccepted: EscalationEvent; escalationDeclined: EscalationEvent;
  chatStart: ChatEvent; chatClosed: ChatEvent; chatMessage: { conversation: string; seq: number }; survey: SurveyEvent;
}
export interface Firstfix {
  (command: 'open' | 'close' | 'toggle'): void;
  (command: 'search', text: string): void;
  /** Opens the panel and runs a guided task flow, e.g. 'password-reset'. */
  (command: 'startFlow', flowId: string): void;
  (command: 'identify', user: FirstfixUser): void;
  (command: 'setLocale', locale: string): void;
  /** Whether the widget may record events for the help center's reports (default: yes, unless data-consent="ask").
   *  false stops recording at once and forgets what was not sent. */
  (command: 'consent', granted: boolean): void;
  <E extends keyof FirstfixEvents>(command: 'on' | 'off', event: E, callback: (detail: FirstfixEvents[E]) => void): void;
}
export interface LoadOptions { src: string; locale?: string; position?: 'left' | 'right'; accent?: string; greeting?: string; preload?: 'idle' | 'open'; consent?: 'granted' | 'ask' }
export function loadFirstfix(options: LoadOptions): Promise<Firstfix>;
declare global { interface Window { firstfix: Firstfix & { q?: unknown[][] } } }
