import { h, clear, empty, errorBox, table, num } from '../dom.js';
import { api } from '../api.js';
import { contributionChart } from '../chart.js';

const enc = encodeURIComponent;
const size = shape => shape.reduce((a, d) => a * (d < 0 ? 1 : d), 1);

// KernelSHAP explains tabular models: one FP32 input [batch, features] and FP32 outputs (docs/explain.md). Null when the
// model is tabular, else why not.
function notTabular(meta) {
  const inputs = meta.inputs || [], outputs = meta.outputs || [];
  const describe = t => `${t.name} ${t.datatype} [${t.shape.join(', ')}]`;
  if (inputs.length !== 1) return `it has ${inputs.length} inputs (${inputs.map(describe).join('; ')})`;
  const [x] = inputs;
  if (x.datatype !== 'FP32' || x.shape.length !== 2 || x.shape[1] < 1) return `its input is ${describe(x)}`;
  if (outputs.length === 0 || outputs.some(o => o.datatype !== 'FP32')) return `its outputs are ${outputs.map(describe).join('; ') || 'none'}`;
  return null;
}

function explanationView(x, answer) {
  const data = answer.data || {}, meta = answer.meta || {};
  const phi = ((data.shap_values || [])[0] || [])[0] || [];
  const names = data.feature_names || phi.map((_, i) => 'f' + i);
  const expected = (data.expected_value || [])[0];
  const prediction = ((data.raw || {}).prediction || [])[0];
  const target = (meta.params || {}).target;
  const sum = phi.reduce((a, v) => a + v, 0);
  const rows = names.map((n, i) => ({ label: n, value: phi[i] }));
  return h('section', { class: 'card explanation', 'aria-label': 'Explanation' },
    h('h2', {}, `Explanation · ${meta.name || 'KernelShap'}${(meta.params || {}).exact ? ' (exact)' : ''} · output ${target}`),
    h('p', { class: 'muted' }, `Each feature's contribution to output ${target} of this instance relative to the background average: `
      + `prediction ${num(prediction, 4)} = expected ${num(expected, 4)} + Σ contributions ${num(sum, 4)}. `
      + `Background: ${(answer.turbine || {}).background || 'the server\'s'}.`),
    contributionChart(rows, { label: 'SHAP values per feature' }),
    table(['Feature', 'Value', 'SHAP value'], names.map((n, i) => h('tr', { dataset: { feature: n } },
      h('td', {}, n), h('td', { class: 'num' }, num(x[i], 4)), h('td', { class: 'num shap', dataset: { value: String(phi[i]) } }, num(phi[i], 6))))),
    h('p', { class: 'muted', dataset: { expected: String(expected), prediction: String(prediction) } },
      `expected value ${num(expected, 6)} · prediction ${num(prediction, 6)}`),
    h('details', {}, h('summary', {}, 'Raw explanation (Alibi JSON)'), h('pre', {}, JSON.stringify(answer, null, 2))));
}

export async function tryitPage(app, [deployment, model], ctx) {
  app.appendChild(h('h1', {}, 'Try it'));
  const list = (await api('/api/dashboard/deployments')).deployments;
  // Models the gateway routes outside any deployment (turbine up's embedded server) come under the pseudo-deployment _gateway.
  const targets = list.flatMap(d => (d.models || []).map(m => ({ d: d.name, m }))).concat((ctx.me.gatewayModels || []).map(m => ({ d: '_gateway', m })));
  if (targets.length === 0) { app.appendChild(empty('No deployment routes a model yet, so there is nothing to send a request to.')); return; }
  const select = h('select', { id: 'tryit-target', 'aria-label': 'Deployment and model' }, h('option', { value: '' }, '— choose —'),
    targets.map(x => h('option', { value: `${x.d}/${x.m}`, selected: x.d === deployment && x.m === model }, x.d === '_gateway' ? `gateway · ${x.m}` : `${x.d} · ${x.m}`)));
  select.addEventListener('change', () => { const [d, m] = select.value.split('/'); location.hash = `#/tryit/${enc(d)}/${enc(m)}`; });
  app.appendChild(h('div', { class: 'row' }, h('label', {}, 'Deployment · model', select)));
  if (!deployment || !model) return;
  const meta = await api(`/api/dashboard/tryit/${enc(deployment)}/${enc(model)}`);
  const readOnly = ctx.me.scope !== 'write';
  const fields = (meta.inputs || []).map(input => {
    const shape = input.shape.map(d => (d < 0 ? 1 : d));
    const area = h('textarea', { rows: 3, name: input.name, 'aria-label': `data of ${input.name}`, dataset: { input: input.name } },
      JSON.stringify(Array.from({ length: size(shape) }, () => (input.datatype === 'BYTES' ? '' : input.datatype === 'BOOL' ? false : 0))));
    const shapeInput = h('input', { type: 'text', value: JSON.stringify(shape), size: 16, 'aria-label': `shape of ${input.name}` });
    return { input, area, shapeInput };
  });
  const result = h('div', {});
  const send = async e => {
    e.preventDefault();
    clear(result);
    let body;
    try {
      body = { inputs: fields.map(f => ({ name: f.input.name, datatype: f.input.datatype, shape: JSON.parse(f.shapeInput.value), data: JSON.parse(f.area.value) })) };
    } catch (err) { result.appendChild(errorBox('The data and shapes must be JSON: ' + err.message)); return; }
    try {
      const answer = await api(`/api/dashboard/tryit/${enc(deployment)}/${enc(model)}/infer`, { method: 'POST', body });
      result.appendChild(h('h2', {}, 'Answer'));
      result.appendChild(table(['Output', 'Type', 'Shape', 'Data'], (answer.outputs || []).map(o => h('tr', { dataset: { output: o.name } },
        h('td', {}, o.name), h('td', {}, o.datatype), h('td', {}, '[' + o.shape.join(', ') + ']'), h('td', { class: 'output-data' }, JSON.stringify(o.data))))));
      result.appendChild(h('p', { class: 'muted' }, `model ${answer.model_name} version ${answer.model_version}${answer.id ? ' · id ' + answer.id : ''}`));
      result.appendChild(h('details', {}, h('summary', {}, 'Raw JSON'), h('pre', {}, JSON.stringify(answer, null, 2))));
    } catch (err) { result.appendChild(errorBox(err)); }
  };
  const why = notTabular(meta);
  const explained = h('div', {});
  const explain = async () => {
    clear(explained);
    const f = fields[0];
    let x;
    try {
      const data = JSON.parse(f.area.value);
      const width = f.input.shape[1];
      x = (Array.isArray(data[0]) ? data[0] : data).slice(0, width);
      if (x.length !== width || x.some(v => typeof v !== 'number')) throw new Error(`the first row must hold ${width} numbers`);
    } catch (err) { explained.appendChild(errorBox('The data must be JSON numbers: ' + err.message)); return; }
    explained.appendChild(h('p', { class: 'muted' }, 'Explaining (KernelSHAP sends the perturbed rows through the model)…'));
    try {
      const answer = await api(`/api/dashboard/tryit/${enc(deployment)}/${enc(model)}/explain`, { method: 'POST', body: { instances: [x] } });
      clear(explained).appendChild(explanationView(x, answer));
    } catch (err) { clear(explained).appendChild(errorBox(err)); }
  };
  app.appendChild(h('form', { class: 'card', id: 'tryit-form', onsubmit: send },
    h('h2', {}, `${meta.name} (${meta.platform || 'model'}) · versions ${(meta.versions || []).join(', ')}`),
    fields.length === 0 ? h('p', { class: 'muted' }, 'The model declares no inputs.') : null,
    fields.map(f => h('div', { class: 'card' }, h('h3', {}, `${f.input.name} · ${f.input.datatype} · [${f.input.shape.join(', ')}]`),
      h('div', { class: 'row' }, h('label', {}, 'Shape (JSON)', f.shapeInput)), h('label', { class: 'wide' }, 'Data (JSON, row-major)', f.area))),
    h('button', { class: 'primary', type: 'submit', disabled: readOnly, title: readOnly ? 'read-only token' : null }, 'Send request'),
    why ? null : h('button', { type: 'button', id: 'tryit-explain', disabled: readOnly, title: readOnly ? 'read-only token' : null, onclick: explain }, 'Explain (first row)'),
    why ? h('p', { class: 'muted explain-note' }, `No explanation for ${model}: KernelSHAP explains tabular models (one FP32 input [batch, features] and FP32 outputs), and ${why}.`) : null,
    readOnly ? h('p', { class: 'readonly-note' }, 'Read-only token: sending an inference or an explanation needs a write token.') : null));
  app.appendChild(result);
  app.appendChild(explained);
}
