// What the customer tried, in order (searches and what they clicked,
// articles and their votes, flows), for the person who takes over: no one
// retells their story. Bounded: a long visit keeps its latest 200 steps.
export function createTrail() {
  const entries = [];
  const latest = (match) => { for (let i = entries.length - 1; i >= 0; i--) if (match(entries[i])) return entries[i]; return null; };
  return {
    entries,
    remember(entry) { entries.push(entry); if (entries.length > 200) entries.shift(); },
    has: (match) => entries.some(match),
    latest,
  };
}
