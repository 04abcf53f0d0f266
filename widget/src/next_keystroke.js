// A guess at the customer's next keystroke, from what the last one showed
// (worker.js fetches the index blocks its search will read while the
// customer types).

// The request of the keystroke most likely next, or null: the query with
// the letter that most of the words shown (titles and snippets) continue
// its last, unfinished word with. Only a guess at what to fetch, never an
// answer: the words are cut as the snippets show them.
export function nextKeystroke(request, response) {
  const q = String(request.q ?? '');
  const word = request.as_you_type ? /[\p{L}\p{N}]+$/u.exec(q)?.[0].toLowerCase() : null;
  if (!word) return null;
  const letters = new Map();
  for (const r of response.results || []) {
    const text = `${r.title || ''} ${(r.snippet_html || '').replace(/<[^>]*>/g, '')}`.toLowerCase();
    for (const [w] of text.matchAll(/[\p{L}\p{N}]+/gu)) {
      if (w.length > word.length && w.startsWith(word)) letters.set(w[word.length], (letters.get(w[word.length]) || 0) + 1);
    }
  }
  let next = null;
  for (const [letter, n] of letters) if (!next || n > letters.get(next)) next = letter;
  return next ? { ...request, q: q + next } : null;
}
