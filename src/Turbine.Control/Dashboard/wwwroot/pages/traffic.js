import { h, clear, empty, errorBox, table, num, pct } from '../dom.js';
import { api } from '../api.js';
import { lineChart, legend } from '../chart.js';

const t = p => new Date(p.at).getTime();

export async function trafficPage(app, _, ctx) {
  app.appendChild(h('h1', {}, 'Traffic'));
  const note = app.appendChild(h('p', { class: 'muted' }, ''));
  const holder = app.appendChild(h('div', {}));
  const render = async () => {
    let data;
    try { data = await api('/api/dashboard/traffic'); } catch (e) { clear(holder).appendChild(errorBox(e)); return; }
    if (!ctx.alive) return;
    note.textContent = `Per deployment, from the gateway's counters (requests, errors, latency) and the servers' statistics (batch size, queue time), sampled every ${data.intervalSeconds} s; figures are per second over the last interval.`;
    clear(holder);
    if (data.rows.length === 0) { holder.appendChild(empty('No deployments, so no traffic to show.')); return; }
    holder.appendChild(table(['Deployment', 'Models', 'Version', 'QPS', 'p50 ms', 'p99 ms', 'Error rate', 'Batch size', 'Queue ms', 'Held'], data.rows.map(r => {
      const l = r.latest || {};
      return h('tr', { dataset: { deployment: r.deployment } },
        h('td', {}, h('a', { href: '#/deployments/' + encodeURIComponent(r.deployment) }, r.deployment)),
        h('td', {}, r.models.join(', ')),
        h('td', {}, (r.stableVersion ? 'v' + r.stableVersion : '–') + (r.canaryVersion ? ` / canary v${r.canaryVersion}` : '')),
        h('td', { class: 'num qps' }, num(l.qps)), h('td', { class: 'num' }, num(l.p50Ms)), h('td', { class: 'num' }, num(l.p99Ms)),
        h('td', { class: 'num' }, pct(l.errorRate)), h('td', { class: 'num' }, num(l.batchSize)), h('td', { class: 'num' }, num(l.queueMs, 3)), h('td', { class: 'num' }, l.held ?? 0));
    })));
    const grid = holder.appendChild(h('div', { class: 'grid' }));
    for (const r of data.rows) {
      const s = r.series;
      grid.appendChild(h('section', { class: 'card' }, h('h2', {}, `${r.deployment}: requests per second`),
        legend(['QPS', 'errors per second']),
        lineChart([
          { name: 'QPS', points: s.map(p => [t(p), p.qps]) },
          { name: 'errors/s', points: s.map(p => [t(p), p.qps * p.errorRate]) }], { label: `request rate of ${r.deployment}` })));
      grid.appendChild(h('section', { class: 'card' }, h('h2', {}, `${r.deployment}: latency (ms, through the gateway)`),
        legend(['p50', 'p99']),
        lineChart([
          { name: 'p50 ms', points: s.map(p => [t(p), p.p50Ms]) },
          { name: 'p99 ms', points: s.map(p => [t(p), p.p99Ms]) }], { label: `latency of ${r.deployment}` })));
    }
  };
  await render();
  ctx.every(2000, render);
}
