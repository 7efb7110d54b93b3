import { h, clear, errorBox } from './dom.js';
import { api, ApiError, setToken } from './api.js';
import { modelsPage } from './pages/models.js';
import { deploymentsPage } from './pages/deployments.js';
import { trafficPage } from './pages/traffic.js';
import { healthPage } from './pages/health.js';
import { tryitPage } from './pages/tryit.js';
import { payloadsPage } from './pages/payloads.js';

const pages = { models: modelsPage, deployments: deploymentsPage, traffic: trafficPage, health: healthPage, tryit: tryitPage, payloads: payloadsPage };
const app = document.getElementById('app');
let me = null;
let stopCurrent = null;

// Pages refresh themselves with ctx.every(); leaving the page stops the timers.
function context() {
  const timers = [];
  let alive = true;
  return {
    me,
    get alive() { return alive; },
    every(ms, fn) { timers.push(setInterval(() => { if (alive) fn(); }, ms)); },
    stop() { alive = false; timers.forEach(clearInterval); },
  };
}

function loginForm(message) {
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', size: 48, 'aria-label': 'Token' });
  const form = h('form', { class: 'card', onsubmit: e => { e.preventDefault(); setToken(input.value.trim()); route(); } },
    h('h1', {}, 'Sign in'),
    h('p', {}, message),
    h('p', { class: 'muted' }, 'Paste a registry token (reader: read only; writer or admin: the buttons work) or a static token of this control service. It is kept in this tab only.'),
    h('div', { class: 'row' }, h('label', {}, 'Token', input), h('button', { class: 'primary', type: 'submit' }, 'Sign in')));
  clear(app).appendChild(form);
  input.focus();
}

async function route() {
  if (stopCurrent) { stopCurrent(); stopCurrent = null; }
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = pages[name] ? name : 'models';
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.dataset.page === page));
  try {
    me = await api('/api/dashboard/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { setToken(null); loginForm(e.message); return; }
    clear(app).appendChild(errorBox(e));
    return;
  }
  const who = document.getElementById('who');
  clear(who).append(`${me.name} · ${me.scope === 'write' ? 'read/write' : 'read only'}${me.dev ? ' · dev mode' : ''} `);
  if (!me.dev) who.appendChild(h('button', { type: 'button', onclick: () => { setToken(null); route(); } }, 'Sign out'));
  const ctx = context();
  stopCurrent = ctx.stop;
  clear(app);
  try {
    await pages[page](app, rest, ctx);
  } catch (e) {
    app.appendChild(errorBox(e));
  }
}

window.addEventListener('hashchange', route);
route();
