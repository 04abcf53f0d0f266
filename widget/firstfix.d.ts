// TypeScript declarations for the firstfix widget API.
export interface FirstfixUser { id?: string; email?: string; name?: string; [key: string]: unknown }
export interface SearchEvent {
  query: string; results: string[]; corrected: string | null; engine: 'wasm' | 'server';
  latency_ms: number;  // from the keystroke to the results on screen
}
export interface ArticleViewEvent { id: string; title: string }
export interface VoteEvent { id: string; helpful: boolean; comment: string }
export interface ResultClickEvent { id: string; position: number; query: string }
export interface FirstfixEvents {
  open: Record<string, never>; close: Record<string, never>; search: SearchEvent;
  articleView: ArticleViewEvent; vote: VoteEvent; resultClick: ResultClickEvent;
}
export interface Firstfix {
  (command: 'open' | 'close' | 'toggle'): void;
  (command: 'search', text: string): void;
  (command: 'identify', user: FirstfixUser): void;
  (command: 'setLocale', locale: string): void;
  <E extends keyof FirstfixEvents>(command: 'on' | 'off', event: E, callback: (detail: FirstfixEvents[E]) => void): void;
}
export interface LoadOptions { src: string; locale?: string; position?: 'left' | 'right'; accent?: string; greeting?: string; preload?: 'idle' | 'open' }
export function loadFirstfix(options: LoadOptions): Promise<Firstfix>;
declare global { interface Window { firstfix: Firstfix & { q?: unknown[][] } } }
