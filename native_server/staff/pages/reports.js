// The reports page for content editors: filters, the figures (resolution
// beside deflection, never deflection alone), a day-by-day chart, sortable
// tables, drill-down to the searches and visits behind a figure, and the
// CSV export. Everything comes from /api/v1/reports, the same figures
// `firstfix report` prints. Beside it, the Suggestions tab (suggestions.js).
// Served same-origin under a strict CSP.
import {
  Chart, BarController, BarElement, LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip,
} from 'chart.js';

import { $, el, showLogin, wireLogin } from './staff.js';
import { suggestionsTab } from './suggestions.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const percent = (x) => `${(x * 100).toFixed(1)}%`;
const count = (x) => Number(x).toLocaleString('en');
const minutes = (ms) => (ms < 60000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60000).toFixed(1)} min`);
const day = (d) => d.toISOString().slice(0, 10);

let report = null;
let chart = null;

function query(extra = {}) {
  const p = new URLSearchParams({ from: $('#from').value, to: $('#to').value });
  if ($('#locale').value) p.set('locale', $('#locale').value);
  if ($('#category').value) p.set('category', $('#category').value);
  for (const [k, v] of Object.entries(extra)) if (v) p.set(k, v);
  return p.toString();
}

async function get(path) {
  const r = await fetch(path, { credentials: 'same-origin' });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

wireLogin({ role: 'editor', wrongRole: 'This login is for the agent console (/agent); reports need an editor login.', onLogin: () => load() });
$('#filters').addEventListener('submit', (e) => { e.preventDefault(); load(); });

// Two tabs under one set of filters: the reports, and what they suggest.
const suggestions = suggestionsTab({ query, drillSearches, drillVisits });
const tabs = [...document.querySelectorAll('[role=tab]')];
function showTab(tab, focus = false) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(`#${t.getAttribute('aria-controls')}`).hidden = !on;
  }
  if (focus) tab.focus();
  history.replaceState(null, '', tab.id === 'tab-suggestions' ? '#suggestions' : location.pathname + location.search);
  if (tab.id === 'tab-suggestions') suggestions.load();
}
const onSuggestions = () => $('#tab-suggestions').getAttribute('aria-selected') === 'true';
for (const tab of tabs) {
  tab.addEventListener('click', () => showTab(tab));
  tab.addEventListener('keydown', (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (step) showTab(tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length], true);
  });
}
$('#locale').addEventListener('change', () => fillCategories());

function fillCategories() {
  const locale = $('#locale').value;
  const current = $('#category').value;
  const names = new Set();
  for (const [l, list] of Object.entries(report.choices.categories)) if (!locale || l === locale) list.forEach((n) => names.add(n));
  $('#category').replaceChildren(el('option', { value: '', text: 'All' }), ...[...names].sort().map((n) => el('option', { value: n, text: n })));
  $('#category').value = names.has(current) ? current : '';
}

async function load() {
  $('#status').textContent = 'Loading…';
  const r = await get(`/api/v1/reports?${query()}`);
  if (r.status === 401 || r.status === 403) return showLogin(r.status === 403 ? r.body.error : '');
  if (r.status !== 200) { $('#status').textContent = r.body.error || 'Could not load the report'; return; }
  $('#login').hidden = true;
  $('#desk').hidden = false;
  report = r.body;
  if ($('#locale').options.length === 1) {
    for (const l of report.choices.locales) $('#locale').append(el('option', { value: l, text: l }));
  }
  fillCategories();
  $('#from').value = report.range.from;
  $('#to').value = report.range.to;
  $('#csv').href = `/api/v1/reports.csv?${query()}`;
  $('#status').textContent = `${count(report.visits)} visits, ${count(report.searches)} searches from ${report.range.from} to ${report.range.to}.`;
  render();
  showLiveContent();
  if (location.hash === '#suggestions' && !onSuggestions()) showTab($('#tab-suggestions'));
  else if (onSuggestions()) suggestions.load();
}

// Which content version customers get now (it changes when content is published).
async function showLiveContent() {
  const health = await get('/healthz');
  const live = health.body.content;
  if (!live) return;
  const since = new Date(live.since).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  $('#content-version').textContent = `Live content: version ${live.version}, published ${since}.`;
  $('#content-version').dataset.version = live.version;
}

// A figure that opens the searches or visits behind it.
function card(label, value, raw, drill, key = false) {
  return el('button', { type: 'button', class: `card${key ? ' key' : ''}`, 'data-metric': label, 'data-value': String(raw), onclick: drill },
    el('span', { class: 'value', text: value }), el('span', { class: 'label', text: label }));
}

function render() {
  const r = report;
  $('#cards').replaceChildren(
    card('Resolution rate', percent(r.resolution_rate), r.resolution_rate, () => drillVisits('resolved', 'Resolved visits'), true),
    card('Deflection rate', percent(r.deflection_rate), r.deflection_rate, () => drillVisits('all', 'Visits')),
    card('Search success rate', percent(r.search_success_rate), r.search_success_rate, () => drillSearches('failed', '', 'Searches that did not succeed')),
    card('Self-service success rate', percent(r.self_service_success_rate), r.self_service_success_rate, () => drillVisits('unresolved', 'Visits not resolved')),
    card('Escalation rate', percent(r.escalation_rate), r.escalation_rate, () => drillVisits('escalated', 'Visits that went to a person')),
    card('Repeat-contact rate', percent(r.repeat_contact_rate), r.repeat_contact_rate, () => drillVisits('repeat', 'Visits followed by a repeat contact')),
    card('Searches', count(r.searches), r.searches, () => drillSearches('all', '', 'Searches')),
    card('No-result rate', percent(r.no_result_rate), r.no_result_rate, () => drillSearches('no_results', '', 'Searches that found nothing')),
    card('Click-through rate', percent(r.click_through_rate), r.click_through_rate, () => drillSearches('no_clicks', '', 'Searches without a click')),
    card('Mean click position', r.mean_click_position.toFixed(2), r.mean_click_position, () => drillSearches('all', '', 'Searches')),
    card('Flow completion rate', percent(r.flow_completion_rate), r.flow_completion_rate, () => $('#flows').scrollIntoView()),
    card('Time to resolution (median)', minutes(r.time_to_resolution.median_ms), r.time_to_resolution.median_ms, () => drillVisits('resolved', 'Resolved visits')),
    card('Satisfaction (CSAT)', r.satisfaction.responses ? percent(r.satisfaction.csat) : '–', r.satisfaction.csat, () => drillVisits('all', 'Visits')),
  );
  drawChart(r.daily);
  $('#gaps').replaceChildren(table('gaps', [
    { key: 'example', label: 'Query (example)' },
    { key: 'normalized', label: 'Normalized' },
    { key: 'no_clicks', label: 'Unanswered', num: true },
    { key: 'no_results', label: 'No results', num: true },
    { key: 'searches', label: 'Searches', num: true },
    { key: 'trend', label: 'Trend', num: true, show: (v) => (v > 0 ? `+${v}` : String(v)) },
  ], r.content_gaps, (g) => drillSearches('no_clicks', g.normalized, `Unanswered searches for “${g.example}”`), 'No unanswered searches in this range.'));
  $('#flows').replaceChildren(table('flows', [
    { key: 'title', label: 'Flow' },
    { key: 'starts', label: 'Starts', num: true },
    { key: 'completed', label: 'Completed', num: true },
    { key: 'completion_rate', label: 'Completion', num: true, show: percent },
    { key: 'done_states', label: 'Done states', show: (v) => Object.entries(v).map(([k, n]) => `${k} ${n}`).join(', '), sort: (v) => v.resolved || 0 },
    { key: 'customers', label: 'Signed in (verified · claimed)', show: (v) => `${v.verified} · ${v.claimed}`, sort: (v) => v.verified },
  ], r.flows, null, 'No flows were run in this range.'));
  $('#articles').replaceChildren(table('articles', [
    { key: 'title', label: 'Article' },
    { key: 'views', label: 'Views', num: true },
    { key: 'helpful', label: 'Helpful', num: true },
    { key: 'not_helpful', label: 'Not helpful', num: true },
    { key: 'helpfulness', label: 'Helpfulness', num: true, show: (v) => (v == null ? '–' : percent(v)), sort: (v) => (v == null ? -1 : v) },
  ], r.articles, null, 'No articles were read in this range.'));
  const triggers = Object.entries(r.escalation_triggers).map(([trigger, n]) => ({ trigger, visits: n, share: r.escalations ? n / r.escalations : 0 }));
  $('#escalations').replaceChildren(table('escalations', [
    { key: 'trigger', label: 'Trigger' },
    { key: 'visits', label: 'Visits', num: true },
    { key: 'share', label: 'Share', num: true, show: percent },
  ], triggers, () => drillVisits('escalated', 'Visits that went to a person'), 'Nobody asked for a person in this range.'));
}

// A table whose headers sort it; each cell keeps its raw value for the export check.
function table(name, columns, rows, onRow, empty) {
  if (!rows.length) return el('p', { text: empty });
  let sortKey = null;
  let descending = true;
  const body = el('tbody');
  const fill = () => {
    const sorted = [...rows];
    if (sortKey) {
      const col = columns.find((c) => c.key === sortKey);
      const v = (row) => (col.sort ? col.sort(row[sortKey]) : row[sortKey]);
      sorted.sort((a, b) => (v(a) < v(b) ? -1 : v(a) > v(b) ? 1 : 0) * (descending ? -1 : 1));
    }
    body.replaceChildren(...sorted.map((row) => el('tr', onRow ? { class: 'clickable', tabindex: '0', onclick: () => onRow(row), onkeydown: (e) => { if (e.key === 'Enter') onRow(row); } } : {},
      columns.map((c) => el('td', { class: c.num ? 'num' : null, 'data-key': c.key, 'data-value': typeof row[c.key] === 'object' ? JSON.stringify(row[c.key]) : String(row[c.key]) },
        c.show ? c.show(row[c.key]) : String(row[c.key]))))));
  };
  const head = el('tr', {}, columns.map((c) => el('th', { class: c.num ? 'num' : null, scope: 'col', 'aria-sort': 'none' },
    el('button', { type: 'button', text: c.label, onclick: (e) => {
      descending = sortKey === c.key ? !descending : true;
      sortKey = c.key;
      for (const th of head.children) th.setAttribute('aria-sort', 'none');
      e.currentTarget.parentElement.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      fill();
    } }))));
  fill();
  return el('table', { 'data-table': name }, el('thead', {}, head), body);
}

function drawChart(daily) {
  const data = {
    labels: daily.map((d) => d.day),
    datasets: [
      { type: 'bar', label: 'Visits', data: daily.map((d) => d.visits), yAxisID: 'visits', backgroundColor: '#c9d6e8' },
      { type: 'line', label: 'Resolution rate', data: daily.map((d) => d.resolution_rate * 100), yAxisID: 'rate', borderColor: '#1b6e3a', backgroundColor: '#1b6e3a' },
      { type: 'line', label: 'Search success rate', data: daily.map((d) => d.search_success_rate * 100), yAxisID: 'rate', borderColor: '#1f5fae', backgroundColor: '#1f5fae' },
      { type: 'line', label: 'Deflection rate', data: daily.map((d) => d.deflection_rate * 100), yAxisID: 'rate', borderColor: '#8a5a00', backgroundColor: '#8a5a00', borderDash: [6, 4] },
    ],
  };
  const options = {
    maintainAspectRatio: false,
    animation: false,
    scales: {
      visits: { position: 'right', beginAtZero: true, title: { display: true, text: 'Visits' } },
      rate: { position: 'left', min: 0, max: 100, title: { display: true, text: '%' } },
    },
  };
  if (chart) { chart.data = data; chart.update(); } else chart = new Chart($('#trend'), { data, options });
}

async function drillSearches(which, normalized, title) {
  const r = await get(`/api/v1/reports/searches?${query({ which, normalized, limit: '200' })}`);
  showDrill(title, table('drill', [
    { key: 'query', label: 'Query' },
    { key: 'day', label: 'Day' },
    { key: 'locale', label: 'Language' },
    { key: 'results', label: 'Results', num: true },
    { key: 'click_position', label: 'Clicked', num: true, show: (v) => (v ? `#${v}` : '–') },
    { key: 'success', label: 'Success', show: (v) => (v ? 'yes' : 'no') },
  ], r.body.searches || [], null, 'None.'));
}

async function drillVisits(which, title, normalized = '') {
  const r = await get(`/api/v1/reports/visits?${query({ which, normalized, limit: '100' })}`);
  const visits = r.body.visits || [];
  showDrill(title, visits.length ? el('ol', { class: 'visits' }, visits.map((v) => el('li', {},
    el('p', { text: `${v.day} · ${v.locale} · ${v.topic || 'no topic'} · ${v.escalated ? `went to a person (${v.trigger})` : v.resolved ? 'resolved' : 'not resolved'}${v.repeat_contact ? ' · came back within 7 days' : ''}` }),
    el('ol', { class: 'events' }, v.events.map((e) => el('li', { text: describe(e) })))))) : el('p', { text: 'None.' }));
}

function describe(e) {
  switch (e.type) {
    case 'search': return `searched “${e.query}” (${e.results} results)`;
    case 'result_click': return `clicked result #${e.position}: ${e.target}`;
    case 'article_view': return `read ${e.target}`;
    case 'vote': return `voted ${e.helpful ? 'helpful' : 'not helpful'} on ${e.target}${e.text ? `: “${e.text}”` : ''}`;
    case 'flow_start': return `started the flow ${e.target}`;
    case 'flow_step': return `flow step ${e.step}: ${e.outcome}`;
    case 'flow_done': return `flow ${e.target} ended: ${e.outcome}`;
    case 'survey': return `rated the ${e.about} ${e.score}/5`;
    default: return `${e.type.replace(/_/g, ' ')}${e.outcome ? `: ${e.outcome}` : ''}`;
  }
}

function showDrill(title, content) {
  $('#h-drill').textContent = title;
  $('#drill-body').replaceChildren(content);
  $('#drill').hidden = false;
  $('#drill').scrollIntoView?.();
}

// The last 30 days by default.
const today = new Date();
$('#to').value = day(today);
$('#from').value = day(new Date(today.getTime() - 29 * 86400000));
load();
