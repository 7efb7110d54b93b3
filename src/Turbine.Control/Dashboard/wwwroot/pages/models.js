import { h, clear, badge, empty, errorBox, table, kv, num, when, toast, confirmAction, safeLink } from '../dom.js';
import { api } from '../api.js';

const enc = encodeURIComponent;

export async function modelsPage(app, [name], ctx) {
  if (name) return modelDetail(app, name, ctx);
  app.appendChild(h('h1', {}, 'Models'));
  if (!ctx.me.registry) { app.appendChild(empty('No registry is configured for this control service (--registry-url), so there are no models to show.')); return; }
  const list = (await api('/api/dashboard/models')).models || [];
  if (list.length === 0) { app.appendChild(empty('The registry has no registered models yet. Register one with `turbine registry` or `turbine up`.')); return; }
  app.appendChild(table(['Name', 'Latest', 'Stages', 'Aliases', 'Owner', 'Description', 'Updated'],
    list.map(m => {
      const go = () => { location.hash = '#/models/' + enc(m.name); };
      return h('tr', { class: 'link', tabindex: 0, onclick: go, onkeydown: e => { if (e.key === 'Enter') go(); } },
        h('td', {}, h('a', { href: '#/models/' + enc(m.name), class: 'model-name' }, m.name)),
        h('td', { class: 'num' }, m.latestVersion ?? '–'),
        h('td', {}, Object.entries(m.stages || {}).map(([s, v]) => badge(`${s}: v${v}`, s))),
        h('td', {}, Object.entries(m.aliases || {}).map(([a, v]) => badge(`@${a} → v${v}`, 'alias'))),
        h('td', {}, m.owner || ''),
        h('td', {}, m.description || ''),
        h('td', {}, when(m.updatedAt)));
    })));
}

async function modelDetail(app, name, ctx) {
  const readOnly = ctx.me.scope !== 'write';
  const [model, versions] = await Promise.all([
    api('/api/dashboard/models/' + enc(name)),
    api('/api/dashboard/models/' + enc(name) + '/versions'),
  ]);
  const list = (versions.versions || []).slice().reverse();
  app.appendChild(h('p', {}, h('a', { href: '#/models' }, '← all models')));
  app.appendChild(h('h1', {}, 'Model ', h('span', { class: 'model-name' }, model.name)));
  app.appendChild(h('div', { class: 'card' }, kv([
    ['Description', model.description], ['Owner', model.owner],
    ['Tags', Object.entries(model.tags || {}).map(([k, v]) => badge(`${k}=${v}`, 'tag'))],
    ['Stages', Object.entries(model.stages || {}).map(([s, v]) => badge(`${s}: v${v}`, s))],
    ['Aliases', Object.entries(model.aliases || {}).map(([a, v]) => badge(`@${a} → v${v}`, 'alias'))],
    ['Created', when(model.createdAt)],
  ])));
  if (readOnly) app.appendChild(h('p', { class: 'readonly-note' }, 'Read-only token: promote, alias and archive are disabled (the API refuses them too).'));
  if (list.length === 0) { app.appendChild(empty('No versions yet.')); return; }
  for (const v of list) app.appendChild(versionCard(name, v, readOnly, () => { clear(app); modelDetail(app, name, ctx).catch(e => app.appendChild(errorBox(e))); }));
}

function versionCard(name, v, readOnly, reload) {
  const base = '/api/dashboard/models/' + enc(name) + '/versions/' + v.version;
  const stage = async (target, archiveExisting, verb) => {
    if (!await confirmAction(`${verb} ${name} version ${v.version}${target === 'Production' ? ' to Production (the current Production version is archived)' : ''}?`)) return;
    try {
      await api(base + '/stage', { method: 'POST', body: { stage: target, archiveExisting } });
      toast(`${name} v${v.version} is now ${target}`);
      reload();
    } catch (e) { toast(e.message, true); }
  };
  const aliasInput = h('input', { type: 'text', placeholder: 'alias, e.g. champion', size: 16, 'aria-label': `alias for version ${v.version}`, disabled: readOnly });
  const setAlias = async () => {
    const alias = aliasInput.value.trim();
    if (!alias) { toast('Type an alias name first', true); return; }
    if (!await confirmAction(`Point alias @${alias} of ${name} at version ${v.version}?`)) return;
    try {
      await api('/api/dashboard/models/' + enc(name) + '/aliases/' + enc(alias), { method: 'PUT', body: { version: v.version } });
      toast(`@${alias} → v${v.version}`);
      reload();
    } catch (e) { toast(e.message, true); }
  };
  const sig = v.signature;
  const tensorRows = list => (list || []).map(t => h('tr', {}, h('td', {}, t.name), h('td', {}, t.datatype), h('td', {}, '[' + (t.shape || []).join(', ') + ']')));
  const lineage = v.lineage || {};
  return h('section', { class: 'card version', dataset: { version: v.version } },
    h('h2', {}, `Version ${v.version} `, badge(v.stage, v.stage), (v.aliases || []).map(a => badge('@' + a, 'alias'))),
    h('div', { class: 'row' },
      h('button', { class: 'primary', type: 'button', disabled: readOnly || v.stage === 'Production', title: readOnly ? 'read-only token' : null, onclick: () => stage('Production', true, 'Promote') }, 'Promote to Production'),
      h('button', { type: 'button', disabled: readOnly || v.stage === 'Staging', title: readOnly ? 'read-only token' : null, onclick: () => stage('Staging', false, 'Move') }, 'Move to Staging'),
      h('button', { class: 'danger', type: 'button', disabled: readOnly || v.stage === 'Archived', title: readOnly ? 'read-only token' : null, onclick: () => stage('Archived', false, 'Archive') }, 'Archive'),
      aliasInput,
      h('button', { type: 'button', disabled: readOnly, onclick: setAlias }, 'Set alias')),
    h('div', { class: 'side' },
      h('div', {},
        h('h3', {}, 'Details'),
        kv([['Created', when(v.createdAt)], ['By', v.createdBy], ['Description', v.description], ['Format', v.format],
          ['Artifact', v.artifact ? `${v.artifact.sha256 ? v.artifact.sha256.slice(0, 16) + '…' : ''} ${v.artifact.size !== undefined ? num(v.artifact.size, 0) + ' bytes' : ''}` : null]]),
        h('h3', {}, 'Lineage'),
        Object.keys(lineage).length === 0 ? h('p', { class: 'muted' }, 'No lineage recorded.') : kv([
          ['Parent version', lineage.parentVersion !== undefined && lineage.parentVersion !== null ? 'v' + lineage.parentVersion : null],
          ['Dataset', lineage.datasetUri], ['Dataset digest', lineage.datasetDigest], ['Code', lineage.codeRepository ? safeLink(lineage.codeRepository) : null],
          ['Commit', lineage.codeCommit], ['Run', lineage.runId]]),
        h('h3', {}, 'Metrics'),
        Object.keys(v.metrics || {}).length === 0 ? h('p', { class: 'muted' }, 'No metrics recorded.') : kv(Object.entries(v.metrics).map(([k, x]) => [k, num(x, 4)])),
        h('h3', {}, 'Parameters'),
        Object.keys(v.params || {}).length === 0 ? h('p', { class: 'muted' }, 'No parameters recorded.') : kv(Object.entries(v.params))),
      h('div', {},
        h('h3', {}, 'ONNX signature'),
        sig ? [h('h4', {}, 'Inputs'), table(['Name', 'Type', 'Shape'], tensorRows(sig.inputs)), h('h4', {}, 'Outputs'), table(['Name', 'Type', 'Shape'], tensorRows(sig.outputs))]
          : h('p', { class: 'muted' }, 'The registry could not read a signature from this artifact.'))));
}
