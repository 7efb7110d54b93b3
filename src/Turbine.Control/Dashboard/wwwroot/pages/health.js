import { h, clear, empty, errorBox, table, kv, num, when, safeLink, badge } from '../dom.js';
import { api } from '../api.js';
import { barChart, lineChart, legend } from '../chart.js';

const enc = encodeURIComponent;

// Model health reads the monitoring summary (shape in docs/dashboard.md) through /api/dashboard/health/{model}.
export async function healthPage(app, [model], ctx) {
  app.appendChild(h('h1', {}, 'Model health'));
  if (!ctx.me.monitoring) {
    app.appendChild(empty('Monitoring is not configured for this control service, so there is no drift, data-quality or performance data to show yet. Point the dashboard at a monitoring service (DashboardOptions.MonitoringUrl) to fill this page.'));
    return;
  }
  const names = [...new Set([...(await modelNames()), ...(ctx.me.gatewayModels || [])])].sort();
  if (model && !names.includes(model)) names.unshift(model); // a model served outside a deployment (e.g. up's embedded server)
  const select = h('select', { id: 'health-model', 'aria-label': 'Model' }, h('option', { value: '' }, '— choose a model —'), names.map(n => h('option', { value: n, selected: n === model }, n)));
  select.addEventListener('change', () => { location.hash = '#/health/' + enc(select.value); });
  app.appendChild(h('div', { class: 'row' }, h('label', {}, 'Model', select)));
  if (!model) return;
  const holder = app.appendChild(h('div', {}));
  let s;
  try { s = await api('/api/dashboard/health/' + enc(model)); } catch (e) { holder.appendChild(errorBox(e)); return; }
  if (s.configured === false) { holder.appendChild(empty(s.message)); return; }
  render(holder, s);
}

async function modelNames() {
  const set = new Set();
  try { (await api('/api/dashboard/deployments')).deployments.forEach(d => (d.models || []).forEach(m => set.add(m))); } catch { /* none */ }
  return [...set].sort();
}

function render(holder, s) {
  clear(holder);
  holder.appendChild(h('div', { class: 'card' }, kv([
    ['Window', s.window ? `${when(s.window.from)} → ${when(s.window.to)}` : null],
    ['Rows', s.quality ? num(s.quality.rows, 0) : null],
    ['Dataset drift', typeof s.datasetDrift === 'boolean' ? h('span', { class: 'dataset-drift' }, badge(s.datasetDrift ? 'drift' : 'stable', s.datasetDrift ? 'bad' : 'ok'),
      typeof s.driftShare === 'number' ? ` ${num(s.driftShare * 100, 0)} % of the features drifted` : '') : null],
    ['Full report', s.reportUrl ? safeLink(s.reportUrl, 'open the HTML report') : null]])));
  const features = s.features || [];
  holder.appendChild(h('h2', {}, 'Drift per feature'));
  if (features.length === 0) holder.appendChild(empty('No feature statistics yet.'));
  const grid = holder.appendChild(h('div', { class: 'grid' }));
  for (const f of features) {
    const ref = f.reference || {}, cur = f.current || {};
    const labels = ref.bins || cur.bins || (ref.counts || []).map((_, i) => String(i));
    const frac = a => { const total = (a || []).reduce((x, y) => x + y, 0) || 1; return (a || []).map(v => v / total); };
    const r = frac(ref.counts), c = frac(cur.counts);
    const groups = labels.map((label, i) => ({ label, values: [r[i] ?? 0, c[i] ?? 0] }));
    const drift = f.drift || {};
    grid.appendChild(h('section', { class: 'card feature' }, h('h3', {}, f.name, ' ', drift.drifted ? badge('drift', 'bad') : badge('stable', 'ok')),
      h('p', { class: 'muted' }, `${drift.method || 'score'} ${num(drift.score, 4)} (threshold ${num(drift.threshold, 4)})`),
      legend(['reference', 'current']), barChart(groups, ['reference', 'current'], { label: `histograms of ${f.name}` })));
  }
  const q = s.quality;
  holder.appendChild(h('h2', {}, 'Data quality'));
  holder.appendChild(q ? table(['Check', 'Count'], Object.entries(q).filter(([k]) => k !== 'rows').map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, typeof v === 'object' ? JSON.stringify(v) : num(v, 0)))))
    : empty('No data-quality counts.'));
  const perf = s.performance || [];
  holder.appendChild(h('h2', {}, 'Performance from feedback'));
  if (perf.length === 0) { holder.appendChild(empty('No ground truth received yet.')); return; }
  const metrics = [...new Set(perf.map(p => p.metric))];
  holder.appendChild(h('div', { class: 'card' }, legend(metrics), lineChart(metrics.map(m => ({ name: m, points: perf.filter(p => p.metric === m).map(p => [new Date(p.at).getTime(), p.value]) })), { label: 'performance over time', endLabel: 'last' })));
}
