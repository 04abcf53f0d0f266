// What the staff pages (the agent console, the reports) share: small DOM
// helpers and the login form. Agents and editors log in the same way; each
// page says which role it is for.
export const $ = (sel) => document.querySelector(sel);

// The widget's one DOM helper, for the staff pages too.
export { el } from '../../../widget/src/dom.js';

export function showLogin(message) {
  $('#desk').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
}

// The login form: on success with the right role, `onLogin(agent, csrf)`.
export function wireLogin({ role, wrongRole, onLogin }) {
  $('#login').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await fetch('/agent/login', { method: 'POST', headers: { 'content-type': 'application/json' }, credentials: 'same-origin',
      body: JSON.stringify({ email: $('#email').value, password: $('#password').value }) });
    const body = await r.json().catch(() => ({}));
    if (r.status !== 200) return showLogin(body.error || 'Could not log in');
    if (body.agent.role !== role) return showLogin(wrongRole);
    $('#login').hidden = true;
    $('#desk').hidden = false;
    $('#who').textContent = body.agent.name;
    return onLogin(body.agent, body.csrf);
  });
  $('#logout').addEventListener('click', async () => {
    await fetch('/agent/logout', { method: 'POST', credentials: 'same-origin' });
    location.reload();
  });
}
