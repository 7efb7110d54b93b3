import { h, clear, empty, errorBox, table, num, when } from '../dom.js';
import { api } from '../api.js';

export async function payloadsPage(app, _, ctx) {
  app.appendChild(h('h1', {}, 'Payload log'));
  if (!ctx.me.payloadLog) {
    app.appendChild(empty('No payload-log folder is configured for the dashboard (the folder `turbine serve --payload-log-dir` writes) and no local replicas run here. Models opt in with the payload_log parameter.'));
    return;
  }
  const field = (name, label, attrs = {}) => h('label', {}, label, h('input', { name, type: 'text', size: 18, ...attrs }));
  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'any'), h('option', { value: 'ok' }, 'ok'), h('option', { value: 'error' }, 'error'));
  const results = h('div', {});
  const form = h('form', { class: 'card row', id: 'payload-filter', onsubmit: e => { e.preventDefault(); load(); } },
    field('model', 'Model'), field('deployment', 'Deployment'), field('id', 'Request id'), h('label', {}, 'Status', status),
    field('since', 'Since (ISO 8601)', { placeholder: '2026-01-31T12:00:00Z' }), field('until', 'Until (ISO 8601)'),
    h('button', { class: 'primary', type: 'submit' }, 'Filter'));
  app.append(form, results);
  const load = async () => {
    const q = new URLSearchParams();
    for (const el of form.elements) if (el.name && el.value) q.set(el.name, el.value);
    let data;
    try { data = await api('/api/dashboard/payloads?' + q.toString()); } catch (e) { clear(results).appendChild(errorBox(e)); return; }
    clear(results);
    if (data.records.length === 0) { results.appendChild(empty('No record matches.')); return; }
    results.appendChild(table(['Start', 'Request id', 'Model', 'Version', 'Served by', 'Status', 'Latency ms', 'Record'], data.records.map(r => h('tr', { dataset: { deployment: r.deployment || '' } },
      h('td', {}, when(r.start)), h('td', {}, r.id), h('td', {}, r.model), h('td', {}, r.version),
      h('td', { class: 'served-by' }, r.deployment ? `${r.deployment} · ${r.replica}` : 'server'), h('td', {}, r.status + (r.error ? ': ' + r.error : '')),
      h('td', { class: 'num' }, num(r.latency_us / 1000, 3)), h('td', {}, h('details', {}, h('summary', {}, 'JSON'), h('pre', {}, JSON.stringify(r, null, 2))))))));
  };
  await load();
}
