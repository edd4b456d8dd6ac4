// A small validator for the OpenAPI 3.0 schema dialect the vendored Docker Hub API description
// uses, and helpers to find an operation and apply the recorded deviations. Written here rather
// than taken from ajv: ajv validates JSON Schema drafts, not OpenAPI 3.0's dialect (`nullable`,
// `example`, `$ref` with siblings, `required: true` written on a property, as this spec does in
// places) and would need a conversion step whose own bugs would hide the spec's; the subset below
// is what the spec uses, and every rule it applies can be read in 80 lines.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A schema object (loosely typed: this is data read from JSON). */
export type Schema = Record<string, unknown>;
/** The vendored spec. */
export interface Spec {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/hub-openapi/', import.meta.url));
export const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch'] as const;

/** One recorded decision to follow Docker Hub rather than the spec. */
export interface Deviation {
  readonly id: string;
  /** `schema`: a JSON-pointer patch of the spec; `route`: a route the client uses that the spec lacks; `header`, `head-body`: rules the tests apply. */
  readonly kind: 'schema' | 'route' | 'header' | 'head-body';
  /** `schema`: JSON-pointer replacements in the spec. */
  readonly patches?: readonly { readonly pointer: string; readonly value: unknown }[];
  readonly method?: string;
  readonly path?: string;
  readonly header?: string;
  readonly spec: string;
  readonly service: string;
  readonly evidence: readonly string[];
}

/** Loads the vendored spec (a fresh copy each time: patches never leak between tests). */
export function loadSpec(): Spec {
  return JSON.parse(readFileSync(`${FIXTURES}hub-api.reduced.json`, 'utf8')) as Spec;
}

/** Loads the deviations file. */
export function loadDeviations(): Deviation[] {
  const file = JSON.parse(readFileSync(`${FIXTURES}deviations.json`, 'utf8')) as {
    deviations: Deviation[];
  };
  return file.deviations;
}

const unescape = (token: string): string => token.replaceAll('~1', '/').replaceAll('~0', '~');

/**
 * Replaces the value at a JSON pointer.
 * @throws when the pointer's parent does not exist (a deviation naming nothing is an error)
 */
export function patch(spec: Spec, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1).map(unescape);
  const last = parts.pop();
  let node: unknown = spec;
  for (const p of parts) {
    node = (node as Record<string, unknown> | undefined)?.[p];
    if (node === undefined || node === null || typeof node !== 'object')
      throw new Error(`deviation pointer ${pointer}: no ${p}`);
  }
  if (last === undefined || !(last in (node as Record<string, unknown>)))
    throw new Error(`deviation pointer ${pointer}: nothing to replace`);
  (node as Record<string, unknown>)[last] = value;
}

/** The spec with every schema deviation applied (or all but `skip`). */
export function specWithDeviations(deviations: readonly Deviation[], skip?: string): Spec {
  const spec = loadSpec();
  for (const d of deviations)
    if (d.kind === 'schema' && d.id !== skip)
      for (const p of d.patches ?? []) patch(spec, p.pointer, p.value);
  return spec;
}

function resolve(spec: Spec, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 32 && typeof s['$ref'] === 'string'; i++) {
    const ref = s['$ref'];
    const parts = ref.replace(/^#\//, '').split('/').map(unescape);
    let node: unknown = spec;
    for (const p of parts) node = (node as Record<string, unknown> | undefined)?.[p];
    if (node === undefined) throw new Error(`dangling $ref ${ref}`);
    s = node as Schema;
  }
  return s;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOk(type: unknown, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return true;
  }
}

/**
 * Validates a value against an OpenAPI 3.0 schema.
 * @returns the problems, each `path: what` (empty when valid)
 */
export function validate(spec: Spec, schemaIn: Schema, value: unknown, at = ''): string[] {
  const schema = resolve(spec, schemaIn);
  const where = at === '' ? '(root)' : at;
  if (value === null) {
    const en = schema['enum'];
    return schema['nullable'] === true || (Array.isArray(en) && en.includes(null))
      ? []
      : [`${where}: null where the spec does not allow null`];
  }
  const problems: string[] = [];
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    const results = (list as Schema[]).map((s) => validate(spec, s, value, at));
    const passing = results.filter((r) => r.length === 0).length;
    if (key === 'allOf') problems.push(...results.flat());
    if (key === 'anyOf' && passing === 0)
      problems.push(`${where}: matches none of anyOf`, ...results.flat());
    if (key === 'oneOf' && passing !== 1)
      problems.push(`${where}: matches ${passing} of oneOf, not exactly one`);
  }
  const type = schema['type'];
  if (type !== undefined && !typeOk(type, value))
    return [
      ...problems,
      `${where}: expected ${JSON.stringify(type)}, got ${Array.isArray(value) ? 'array' : typeof value}`,
    ];
  const en = schema['enum'];
  if (Array.isArray(en) && !en.includes(value))
    problems.push(`${where}: ${JSON.stringify(value)} not in enum ${JSON.stringify(en)}`);
  if (typeof value === 'string') {
    const max = schema['maxLength'];
    const min = schema['minLength'];
    const length = value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
    if (typeof max === 'number' && length > max)
      problems.push(`${where}: longer than maxLength ${max}`);
    if (typeof min === 'number' && length < min)
      problems.push(`${where}: shorter than minLength ${min}`);
    const pattern = schema['pattern'];
    if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(value))
      problems.push(`${where}: does not match ${pattern}`);
    if (schema['format'] === 'date-time' && !DATE_TIME.test(value))
      problems.push(`${where}: not an RFC 3339 date-time`);
  }
  if (typeof value === 'number') {
    const min = schema['minimum'];
    const max = schema['maximum'];
    if (typeof min === 'number' && value < min) problems.push(`${where}: below minimum ${min}`);
    if (typeof max === 'number' && value > max) problems.push(`${where}: above maximum ${max}`);
  }
  if (Array.isArray(value) && schema['items'] !== undefined)
    value.forEach((item, i) =>
      problems.push(...validate(spec, schema['items'] as Schema, item, `${at}/${i}`)),
    );
  if (typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema['properties'] ?? {}) as Record<string, Schema>;
    const required = new Set(
      Array.isArray(schema['required']) ? (schema['required'] as string[]) : [],
    );
    // The spec writes `required: true` on some properties (not OpenAPI): read as meant.
    for (const [name, p] of Object.entries(props)) if (p['required'] === true) required.add(name);
    for (const name of required)
      if (!(name in obj)) problems.push(`${at}/${name}: required property missing`);
    for (const [name, v] of Object.entries(obj)) {
      const p = props[name];
      if (p !== undefined) problems.push(...validate(spec, p, v, `${at}/${name}`));
      else if (schema['additionalProperties'] === false)
        problems.push(`${at}/${name}: not allowed (additionalProperties: false)`);
      else if (typeof schema['additionalProperties'] === 'object')
        problems.push(
          ...validate(spec, schema['additionalProperties'] as Schema, v, `${at}/${name}`),
        );
    }
  }
  return problems;
}

/** A spec operation matched to a concrete request. */
export interface MatchedOperation {
  readonly template: string;
  readonly method: string;
  readonly operation: Schema;
  readonly pathItem: Record<string, unknown>;
  readonly params: Record<string, string>;
}

/** Finds the spec operation for a method and path (exact template match, no trailing-slash leniency). */
export function findOperation(
  spec: Spec,
  method: string,
  path: string,
): MatchedOperation | undefined {
  for (const [template, item] of Object.entries(spec.paths)) {
    const names: string[] = [];
    const re = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, n: string) => {
        names.push(n);
        return '([^/]+)';
      })}$`,
    );
    const m = re.exec(path);
    const op = item[method.toLowerCase()];
    if (m === null || op === undefined) continue;
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    return {
      template,
      method: method.toUpperCase(),
      operation: op as Schema,
      pathItem: item,
      params,
    };
  }
  return undefined;
}

/** Every operation of the spec as `METHOD template`. */
export function allOperations(spec: Spec): string[] {
  const out: string[] = [];
  for (const [template, item] of Object.entries(spec.paths))
    for (const m of METHODS) if (item[m] !== undefined) out.push(`${m.toUpperCase()} ${template}`);
  return out;
}

/** The response schema (application/json) of a status, `undefined` when it declares no body; throws when the status is not declared. */
export function responseSchema(spec: Spec, op: Schema, status: number): Schema | undefined {
  const responses = op['responses'] as Record<string, Schema>;
  const declared =
    responses[String(status)] ?? responses[`${String(status)[0] ?? ''}XX`] ?? responses['default'];
  if (declared === undefined)
    throw new Error(
      `status ${status} is not declared (declared: ${Object.keys(responses).join(', ')})`,
    );
  const res = resolve(spec, declared);
  const content = res['content'] as Record<string, Schema> | undefined;
  return content?.['application/json']?.['schema'] as Schema | undefined;
}

/** The request body schema (application/json) of an operation. */
export function requestSchema(spec: Spec, op: Schema): Schema | undefined {
  const body = op['requestBody'] as Schema | undefined;
  if (body === undefined) return undefined;
  const content = resolve(spec, body)['content'] as Record<string, Schema> | undefined;
  return content?.['application/json']?.['schema'] as Schema | undefined;
}

/** The query and path parameters of an operation (path-level and operation-level, resolved). */
export function parameters(spec: Spec, matched: MatchedOperation): Schema[] {
  const list = [
    ...((matched.pathItem['parameters'] as Schema[] | undefined) ?? []),
    ...((matched.operation['parameters'] as Schema[] | undefined) ?? []),
  ];
  return list.map((p) => resolve(spec, p));
}

/** Validates a query string against the operation's query parameters: unknown names and bad values. */
export function validateQuery(
  spec: Spec,
  matched: MatchedOperation,
  query: URLSearchParams,
): string[] {
  const params = parameters(spec, matched).filter((p) => p['in'] === 'query');
  const problems: string[] = [];
  for (const [name, raw] of query) {
    const p = params.find((x) => x['name'] === name);
    if (p === undefined) {
      problems.push(`query ${name}: not a parameter of ${matched.method} ${matched.template}`);
      continue;
    }
    const schema = (p['schema'] ?? {}) as Schema;
    const t = resolve(spec, schema)['type'];
    const value =
      t === 'integer' || t === 'number' ? Number(raw) : t === 'boolean' ? raw === 'true' : raw;
    problems.push(...validate(spec, schema, value, `query ${name}`));
  }
  return problems;
}
