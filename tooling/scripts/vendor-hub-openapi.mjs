#!/usr/bin/env node
// Vendors Docker's published Docker Hub API description (OpenAPI 3.0, Apache-2.0) into
// fixtures/hub-openapi/hub-api.reduced.json: the paths, their operations (operationId,
// parameters, request bodies, responses with their schemas and examples), the components they
// reference, and the rate-limiting note. Prose (`description` keywords outside `properties`,
// `summary`, `x-*` extensions) is dropped; every schema, enum, pattern, length and example stays.
//
// Runs only by hand, when Docker publishes a new version: CI and the tests read only the vendored
// fixture, never the source file (which lives outside this repository).
//
// Usage: node tooling/scripts/vendor-hub-openapi.mjs [SOURCE.yaml] [--check]
//   SOURCE.yaml  default ../shared/reference/docker-hub-api.openapi.yaml (beside this checkout)
//   --check      do not write; exit 1 when the fixture differs from what SOURCE.yaml gives
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The YAML parser the services package already depends on (no root dependency for a hand-run script).
const { parse } = createRequire(join(root, 'packages/services/package.json'))('yaml');

const args = process.argv.slice(2);
const check = args.includes('--check');
const source = resolve(
  args.find((a) => !a.startsWith('--')) ??
    join(root, '../shared/reference/docker-hub-api.openapi.yaml'),
);
const out = join(root, 'fixtures/hub-openapi/hub-api.reduced.json');

const text = readFileSync(source, 'utf8');
const spec = parse(text);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const OPERATION_KEYS = [
  'operationId',
  'tags',
  'security',
  'parameters',
  'requestBody',
  'responses',
];

const VERBATIM = new Set(['example', 'value', 'default', 'enum']);

/** Drops prose and extensions, keeping schema keywords; `properties` keys are names, kept all. */
function strip(value, parentKey) {
  if (Array.isArray(value)) return value.map((v) => strip(v, undefined));
  if (value === null || typeof value !== 'object') return value;
  const outObj = {};
  for (const [k, v] of Object.entries(value)) {
    const isName =
      parentKey === 'properties' || parentKey === 'examples' || parentKey === 'headers';
    if (!isName && (k === 'description' || k === 'summary' || k.startsWith('x-'))) continue;
    // Example and default values are data: copied as they are (a `description` field stays).
    outObj[k] = VERBATIM.has(k) && !isName ? v : strip(v, k);
  }
  return outObj;
}

const paths = {};
for (const [path, item] of Object.entries(spec.paths ?? {})) {
  const kept = {};
  if (item.parameters !== undefined) kept.parameters = strip(item.parameters, 'parameters');
  for (const method of METHODS) {
    const op = item[method];
    if (op === undefined) continue;
    const reduced = {};
    for (const key of OPERATION_KEYS) if (op[key] !== undefined) reduced[key] = strip(op[key], key);
    kept[method] = reduced;
  }
  paths[path] = kept;
}

// Components reachable from the paths, followed transitively.
const refs = new Set();
const walk = (v) => {
  if (Array.isArray(v)) v.forEach(walk);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith('#/components/') && !refs.has(x)) {
        refs.add(x);
        const [, , section, name] = x.split('/');
        walk(spec.components?.[section]?.[name]);
      } else walk(x);
    }
  }
};
walk(paths);
const components = {};
for (const ref of [...refs].sort()) {
  const [, , section, name] = ref.split('/');
  const value = spec.components?.[section]?.[name];
  if (value === undefined) throw new Error(`dangling $ref ${ref} in ${source}`);
  components[section] ??= {};
  components[section][name] = strip(value, section);
}

const rateLimiting = (spec.tags ?? []).find((t) => t.name === 'rate-limiting')?.description;
const reduced = {
  openapi: spec.openapi,
  info: { title: spec.info?.title, version: spec.info?.version },
  'x-vendored': {
    source:
      'https://github.com/docker/docs/blob/c065f8002e74b9ef1a9a5afe638f8ae13da5193d/content/reference/api/hub/latest.yaml',
    license: 'Apache-2.0',
    sourceSha256: createHash('sha256').update(text).digest('hex'),
    reducedBy: 'tooling/scripts/vendor-hub-openapi.mjs',
    rateLimiting,
  },
  paths,
  components,
};
const json = `${JSON.stringify(reduced, null, 2)}\n`;
if (check) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing: differs
  }
  if (current !== json) {
    console.error(`${out} differs from what ${source} gives; run without --check to rewrite it`);
    process.exit(1);
  }
  console.log(`${out} is up to date`);
} else {
  writeFileSync(out, json);
  const operations = Object.values(paths).reduce(
    (n, item) => n + METHODS.filter((m) => item[m] !== undefined).length,
    0,
  );
  console.log(
    `wrote ${out}: ${Object.keys(paths).length} paths, ${operations} operations, ${refs.size} components, ${json.length} bytes`,
  );
}
