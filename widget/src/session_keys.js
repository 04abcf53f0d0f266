// Where a flow or a chat under way is remembered for this tab
// (sessionStorage), so a reload or the next page picks it up again. Set only
// once the customer starts one.
export const FLOW_KEY = 'firstfix.flow';
export const CHAT_KEY = 'firstfix.chat';
