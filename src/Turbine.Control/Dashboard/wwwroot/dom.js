// DOM helpers. Every piece of data reaches the page as a text node or an attribute value set through the DOM API:
// nothing is parsed as HTML, so a model name like <img onerror=...> shows as text and never runs.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

export function badge(text, kind) { return h('span', { class: 'badge ' + String(kind ?? text).toLowerCase().replace(/[^a-z]/g, '') }, text); }

export function empty(text) { return h('div', { class: 'empty' }, text); }

export function errorBox(e) { return h('div', { class: 'error', role: 'alert' }, e && e.message ? e.message : String(e)); }

export function table(headers, rows) {
  return h('table', {},
    h('thead', {}, h('tr', {}, headers.map(x => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(p => p[1] !== undefined && p[1] !== null && p[1] !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function num(v, digits = 2) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  return Number(v).toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function pct(v) { return v === undefined || v === null ? '–' : (v * 100).toLocaleString('en-US', { maximumFractionDigits: 2 }) + ' %'; }

export function when(t) {
  if (!t) return '–';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// A link only for http(s) addresses: a javascript: or data: URL from untrusted data is shown as text.
export function safeLink(url, text) {
  try {
    const u = new URL(url, location.href);
    if (u.protocol === 'http:' || u.protocol === 'https:') return h('a', { href: u.href, rel: 'noopener noreferrer', target: '_blank' }, text || u.href);
  } catch { /* not a URL */ }
  return h('span', {}, String(url));
}

export function toast(text, bad) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = 'toast' + (bad ? ' bad' : '');
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 5000);
}

// A confirmation dialog (native <dialog>): resolves true when the person confirms.
export function confirmAction(text) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = 'cancel';
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}
