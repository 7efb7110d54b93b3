import { h, clear, empty, errorBox, table } from '../dom.js';
import { api } from '../api.js';

const enc = encodeURIComponent;
const size = shape => shape.reduce((a, d) => a * (d < 0 ? 1 : d), 1);

export async function tryitPage(app, [deployment, model], ctx) {
  app.appendChild(h('h1', {}, 'Try it'));
  const list = (await api('/api/dashboard/deployments')).deployments;
  const targets = list.flatMap(d => (d.models || []).map(m => ({ d: d.name, m })));
  if (targets.length === 0) { app.appendChild(empty('No deployment routes a model yet, so there is nothing to send a request to.')); return; }
  const select = h('select', { id: 'tryit-target', 'aria-label': 'Deployment and model' }, h('option', { value: '' }, '— choose —'),
    targets.map(x => h('option', { value: `${x.d}/${x.m}`, selected: x.d === deployment && x.m === model }, `${x.d} · ${x.m}`)));
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
      result.appendChild(h('p', { class: 'muted' }, 'Explanations: this model publishes no explainer (explanations come with monitoring).'));
    } catch (err) { result.appendChild(errorBox(err)); }
  };
  app.appendChild(h('form', { class: 'card', id: 'tryit-form', onsubmit: send },
    h('h2', {}, `${meta.name} (${meta.platform || 'model'}) · versions ${(meta.versions || []).join(', ')}`),
    fields.length === 0 ? h('p', { class: 'muted' }, 'The model declares no inputs.') : null,
    fields.map(f => h('div', { class: 'card' }, h('h3', {}, `${f.input.name} · ${f.input.datatype} · [${f.input.shape.join(', ')}]`),
      h('div', { class: 'row' }, h('label', {}, 'Shape (JSON)', f.shapeInput)), h('label', { class: 'wide' }, 'Data (JSON, row-major)', f.area))),
    h('button', { class: 'primary', type: 'submit', disabled: readOnly, title: readOnly ? 'read-only token' : null }, 'Send request'),
    readOnly ? h('p', { class: 'readonly-note' }, 'Read-only token: sending an inference needs a write token.') : null));
  app.appendChild(result);
}
