// Validates a multi-document YAML (or JSON) stream of Kubernetes objects and reports every error.
// Core and apps objects are checked against the Kubernetes OpenAPI schemas carried by `kubernetes-models`, KEDA objects
// by `@kubernetes-models/keda`, Prometheus Operator objects by `@kubernetes-models/prometheus-operator` (all three
// validate with precompiled ajv validators built from the official schemas / CRDs).
// Usage: node validate-k8s.mjs [--skip-group GROUP]... FILE|-     (NODE_PATH: the node_modules holding the packages)
// Prints one line per object, `ok KIND/NAME` or `error KIND/NAME: PATH: MESSAGE` (one per error), and a last line
// `N passed, M failed`; exits 1 when any object failed, 2 on a usage or read error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const load = async (name) => import(pathToFileURL(resolveEsm(name)).href);

// The packages are ESM-only with an "exports" map; resolve a subpath inside NODE_PATH by hand.
function resolveEsm(spec) {
  const root = process.env.NODE_PATH;
  if (!root) throw new Error('NODE_PATH must name the node_modules folder that holds the validator packages');
  const parts = spec.split('/');
  const pkgLength = spec.startsWith('@') ? 2 : 1;
  const pkg = parts.slice(0, pkgLength).join('/');
  const sub = parts.slice(pkgLength).join('/');
  return path.join(root, pkg, sub, 'index.js');
}

const args = process.argv.slice(2);
const skip = new Set();
let file = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--skip-group') skip.add(args[++i]);
  else if (file === null) file = args[i];
  else { console.error(`unexpected argument '${args[i]}'`); process.exit(2); }
}
if (file === null) { console.error('usage: node validate-k8s.mjs [--skip-group GROUP]... FILE|-'); process.exit(2); }

const yaml = await load('js-yaml');
let text;
try {
  text = readFileSync(file === '-' ? 0 : file, 'utf8');
} catch (e) {
  console.error(`cannot read ${file}: ${e.message}`);
  process.exit(2);
}

let docs;
try {
  docs = yaml.loadAll(text).filter((d) => d !== null && d !== undefined);
} catch (e) {
  console.error(`not YAML: ${e.message}`);
  process.exit(2);
}

// apiVersion -> module of the model classes.
function moduleFor(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`;
  return group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
}

let passed = 0;
let failed = 0;
for (const doc of docs) {
  const id = `${doc?.kind ?? '?'}/${doc?.metadata?.name ?? '?'}`;
  const errors = [];
  if (typeof doc !== 'object' || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') {
    errors.push('/: an object needs apiVersion and kind');
  } else if (skip.has(doc.apiVersion.split('/')[0])) {
    continue;
  } else {
    let models = null;
    try {
      models = await load(moduleFor(doc.apiVersion));
    } catch {
      errors.push(`/apiVersion: no schema for ${doc.apiVersion}`);
    }
    const Model = models?.[doc.kind];
    if (models && typeof Model !== 'function') {
      errors.push(`/kind: no schema for ${doc.kind} in ${doc.apiVersion}`);
    } else if (Model) {
      try {
        new Model(doc).validate();
      } catch (e) {
        for (const err of e.errors ?? [{ instancePath: '', message: e.message }]) {
          const detail = err.params && Object.keys(err.params).length ? ` ${JSON.stringify(err.params)}` : '';
          errors.push(`${err.instancePath || '/'}: ${err.message}${detail}`);
        }
      }
    }
  }
  if (errors.length === 0) {
    passed++;
    console.log(`ok ${id}`);
  } else {
    failed++;
    for (const e of errors) console.log(`error ${id}: ${e}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
