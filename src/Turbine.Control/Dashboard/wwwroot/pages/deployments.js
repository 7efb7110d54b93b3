import { h, clear, badge, empty, errorBox, table, kv, num, pct, when, toast, confirmAction } from '../dom.js';
import { api } from '../api.js';
import { lineChart, legend } from '../chart.js';

const enc = encodeURIComponent;
const t = p => new Date(p.at).getTime();

export async function deploymentsPage(app, [name], ctx) {
  if (name) return deploymentDetail(app, name, ctx);
  app.appendChild(h('h1', {}, 'Deployments'));
  const holder = app.appendChild(h('div', {}));
  const render = async () => {
    try {
      const list = (await api('/api/dashboard/deployments')).deployments;
      if (!ctx.alive) return;
      clear(holder);
      if (list.length === 0) { holder.appendChild(empty('No deployments. Apply an InferenceService with `turbine control apply -f spec.yaml`.')); return; }
      holder.appendChild(table(['Name', 'Phase', 'Ready / desired', 'Stable', 'Canary', 'Models', 'QPS', 'p99 ms', 'Source'], list.map(d => {
        const go = () => { location.hash = '#/deployments/' + enc(d.name); };
        return h('tr', { class: 'link', tabindex: 0, onclick: go, onkeydown: e => { if (e.key === 'Enter') go(); } },
          h('td', {}, h('a', { href: '#/deployments/' + enc(d.name) }, d.name)),
          h('td', { title: d.message || '' }, badge(d.phase)),
          h('td', { class: 'num' }, `${d.ready} / ${d.desired}`),
          h('td', {}, d.stableVersion ? 'v' + d.stableVersion : '–'),
          h('td', {}, d.canaryVersion ? `v${d.canaryVersion} (${d.canaryPercent ?? 0} %)` : '–'),
          h('td', {}, (d.models || []).join(', ')),
          h('td', { class: 'num' }, num(d.latest?.qps)),
          h('td', { class: 'num' }, num(d.latest?.p99Ms)),
          h('td', {}, d.storageUri));
      })));
    } catch (e) { clear(holder).appendChild(errorBox(e)); }
  };
  await render();
  ctx.every(3000, render);
}

async function deploymentDetail(app, name, ctx) {
  const readOnly = ctx.me.scope !== 'write';
  app.appendChild(h('p', {}, h('a', { href: '#/deployments' }, '← all deployments')));
  app.appendChild(h('h1', {}, 'Deployment ', name));
  const holder = app.appendChild(h('div', {}));
  const openLogs = new Set();
  const render = async () => {
    let d;
    try { d = await api('/api/dashboard/deployments/' + enc(name)); } catch (e) { clear(holder).appendChild(errorBox(e)); return; }
    // A refresh keeps what the person was doing: no refresh under an open dialog; open <details> stay open; the
    // focused control gets the focus back (found again by its tag and text).
    if (!ctx.alive || document.getElementById('confirm').open) return;
    holder.querySelectorAll('details[data-key]').forEach(x => { if (x.open) openLogs.add(x.dataset.key); else openLogs.delete(x.dataset.key); });
    const focused = holder.contains(document.activeElement) ? [document.activeElement.tagName, document.activeElement.textContent] : null;
    clear(holder).append(...view(d, readOnly, openLogs, render));
    if (focused) [...holder.querySelectorAll(focused[0])].find(el => el.textContent === focused[1])?.focus();
  };
  await render();
  ctx.every(3000, render);
}

function view(d, readOnly, openLogs, reload) {
  const st = d.status || {};
  const hist = d.history || [];
  // Canary vs stable over the last minute of samples: error rate weighted by requests, p99 the worst interval's.
  const recent = hist.filter(p => t(p) >= (hist.length ? t(hist[hist.length - 1]) : 0) - 60000);
  const side = (qps, err, p99) => {
    const busy = recent.filter(p => p[err] !== null && p[err] !== undefined);
    const weight = busy.reduce((a, p) => a + (qps(p) || 0), 0);
    const p99s = recent.map(p => p[p99]).filter(v => v !== null && v !== undefined);
    return { err: busy.length === 0 ? null : weight > 0 ? busy.reduce((a, p) => a + (qps(p) || 0) * p[err], 0) / weight : 0, p99: p99s.length ? Math.max(...p99s) : null };
  };
  const canaryFigures = side(p => p.canaryQps, 'canaryErrorRate', 'canaryP99Ms');
  const stableFigures = side(p => p.qps - (p.canaryQps || 0), 'stableErrorRate', 'stableP99Ms');
  const out = [];
  out.push(h('div', { class: 'grid' },
    h('section', { class: 'card' }, h('h2', {}, 'Status'), kv([
      ['Phase', badge(st.phase || 'pending')], ['Message', st.message], ['Ready / desired', `${st.readyReplicas ?? 0} / ${st.desiredReplicas ?? 0}`],
      ['Stable', st.stable ? `v${st.stable.version} · ${st.stable.trafficPercent} % · ${st.stable.readyReplicas} ready` : null],
      ['Canary', st.canary ? `v${st.canary.version} · ${st.canary.trafficPercent} % · ${st.canary.readyReplicas} ready` : null],
      ['Models', (d.models || []).join(', ')], ['Generation', d.generation], ['Paused', d.paused ? 'yes' : 'no'], ['Updated', when(st.updatedAt)]])),
    h('section', { class: 'card' }, h('h2', {}, 'Spec'), kv([
      ['Storage', d.spec.storageUri], ['Format', d.spec.modelFormat], ['Replicas', `${d.spec.minReplicas} – ${d.spec.maxReplicas}`],
      ['Scale metric', d.spec.scaleMetric], ['Scale target', d.spec.scaleTarget ?? 'default'], ['Container concurrency', d.spec.containerConcurrency],
      ['Canary traffic', d.spec.canaryTrafficPercent !== null && d.spec.canaryTrafficPercent !== undefined ? d.spec.canaryTrafficPercent + ' %' : null]]),
    h('details', { dataset: { key: 'yaml' }, open: openLogs.has('yaml') }, h('summary', {}, 'YAML as applied'), h('pre', {}, d.yaml)))));

  // Rollout: canary vs stable side by side, and the buttons.
  const ro = st.rollout;
  const cmd = async (verb, label) => {
    if (!await confirmAction(`${label} the rollout of ${d.name}?`)) return;
    try { await api('/api/v1/deployments/' + enc(d.name) + '/rollout/' + verb, { method: 'POST' }); toast(`${label}: done`); reload(); }
    catch (e) { toast(e.message, true); }
  };
  const noRollout = !st.canary;
  out.push(h('section', { class: 'card rollout' }, h('h2', {}, 'Rollout'),
    ro ? kv([['State', badge(ro.state)], ['Steps', (ro.steps || []).map((s, i) => i === ro.stepIndex ? `[${s} %]` : `${s} %`).join(' → ')], ['Step since', when(ro.stepStartedAt)], ['Last analysis', ro.lastAnalysis]])
      : h('p', { class: 'muted' }, 'No rollout in progress: the stable revision takes all traffic.'),
    table(['', 'Stable', 'Canary'], [
      h('tr', {}, h('th', {}, 'Version'), h('td', {}, st.stable ? 'v' + st.stable.version : '–'), h('td', {}, st.canary ? 'v' + st.canary.version : '–')),
      h('tr', {}, h('th', {}, 'Traffic'), h('td', {}, st.stable ? st.stable.trafficPercent + ' %' : '–'), h('td', {}, st.canary ? st.canary.trafficPercent + ' %' : '–')),
      h('tr', {}, h('th', {}, 'Error rate (last minute)'), h('td', { class: 'num stable-errors' }, pct(stableFigures.err)), h('td', { class: 'num canary-errors' }, pct(canaryFigures.err))),
      h('tr', {}, h('th', {}, 'p99 latency (worst interval, last minute)'), h('td', { class: 'num stable-p99' }, stableFigures.p99 != null ? num(stableFigures.p99) + ' ms' : '–'), h('td', { class: 'num canary-p99' }, canaryFigures.p99 != null ? num(canaryFigures.p99) + ' ms' : '–')),
    ]),
    h('div', { class: 'row' },
      h('button', { class: 'primary', type: 'button', disabled: readOnly || noRollout, onclick: () => cmd('promote', 'Promote') }, 'Promote canary'),
      h('button', { class: 'danger', type: 'button', disabled: readOnly || noRollout, onclick: () => cmd('rollback', 'Roll back') }, 'Roll back'),
      d.paused || ro?.state === 'paused'
        ? h('button', { type: 'button', disabled: readOnly || noRollout, onclick: () => cmd('resume', 'Resume') }, 'Resume')
        : h('button', { type: 'button', disabled: readOnly || noRollout, onclick: () => cmd('pause', 'Pause') }, 'Pause')),
    readOnly ? h('p', { class: 'readonly-note' }, 'Read-only token: rollout commands are disabled.') : null));

  // Autoscaler over time.
  const a = st.autoscaler;
  out.push(h('div', { class: 'grid' },
    h('section', { class: 'card' }, h('h2', {}, `Autoscaler: observed ${d.spec.scaleMetric} vs target`),
      a ? h('p', { class: 'muted' }, `${a.panicMode ? 'PANIC · ' : ''}stable ${num(a.stableValue)} · panic ${num(a.panicValue)} · wants ${a.desiredReplicas} — ${a.reason}`) : h('p', { class: 'muted' }, 'No autoscaler decision yet.'),
      legend(['observed (stable window)', 'observed (panic window)', 'target × ready']),
      lineChart([
        { name: 'observed', points: hist.map(p => [t(p), p.observed]) },
        { name: 'panic', points: hist.map(p => [t(p), p.panic]) },
        { name: 'target × ready', points: hist.map(p => [t(p), p.target * Math.max(1, p.ready)]) }], { label: 'observed vs target' })),
    h('section', { class: 'card' }, h('h2', {}, 'Replicas: desired vs ready'),
      legend(['desired', 'ready']),
      lineChart([
        { name: 'desired', points: hist.map(p => [t(p), p.desired]) },
        { name: 'ready', points: hist.map(p => [t(p), p.ready]) }], { label: 'desired vs ready replicas', step: true }))));

  // Replicas with their log tails.
  const replicas = d.replicas || [];
  out.push(h('section', { class: 'card' }, h('h2', {}, 'Replicas'),
    replicas.length === 0 ? h('p', { class: 'muted' }, st.phase === 'scaledToZero' ? 'Scaled to zero: the next request starts a replica.' : 'No replicas.') :
      table(['Replica', 'State', 'Version', 'PID', 'HTTP', 'gRPC', 'Restarts', 'Since', 'Message / log'], replicas.map(r => {
        const rep = r.replica;
        return h('tr', {},
          h('td', {}, rep.id), h('td', {}, badge(rep.state)), h('td', {}, 'v' + rep.version), h('td', { class: 'num' }, rep.pid),
          h('td', { class: 'num' }, rep.httpPort), h('td', { class: 'num' }, rep.grpcPort), h('td', { class: 'num' }, rep.restarts), h('td', {}, when(rep.since)),
          h('td', {}, rep.message ? h('div', {}, rep.message) : null,
            h('details', { dataset: { key: 'log:' + rep.id }, open: openLogs.has('log:' + rep.id) }, h('summary', {}, `log (last ${r.log.length} lines)`), h('pre', {}, r.log.join('\n') || '(empty)'))));
      }))));

  out.push(h('div', { class: 'grid' },
    h('section', { class: 'card' }, h('h2', {}, 'Cold starts'),
      (d.coldStarts || []).length === 0 ? h('p', { class: 'muted' }, 'No cold start measured since the controller started.') :
        table(['At', 'Total ms', 'Fetch ms', 'Load ms', 'Warm-up ms'], d.coldStarts.slice().reverse().map(c => h('tr', {},
          h('td', {}, when(c.at)), h('td', { class: 'num' }, num(c.totalMs, 0)), h('td', { class: 'num' }, num(c.fetchMs, 0)), h('td', { class: 'num' }, num(c.loadMs, 0)), h('td', { class: 'num' }, num(c.warmupMs, 0)))))),
    h('section', { class: 'card' }, h('h2', {}, 'Events'),
      (d.events || []).length === 0 ? h('p', { class: 'muted' }, 'No events.') :
        table(['At', 'Kind', 'Reason', 'Message'], d.events.map(e => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, badge(e.kind, e.kind === 'warning' ? 'bad' : 'ok')), h('td', {}, e.reason), h('td', {}, e.message)))))));
  return out;
}
