import { dockerHubBody, fixture } from './fixtures.js';

/** A request that must be refused, with the status it must get. */
export interface HostileCase {
  readonly name: string;
  readonly status: number;
  readonly body: string | Uint8Array;
  readonly contentType?: string;
  readonly method?: string;
}

const pushManifest = fixture('distribution-push-manifest');

/** Malformed, truncated, oversized (for a 4 KiB limit), wrong-type and hostile deliveries. */
export const HOSTILE_CASES: readonly HostileCase[] = [
  { name: 'malformed JSON', status: 400, body: '{"push_data": {' },
  { name: 'truncated Docker Hub body', status: 400, body: fixture('dockerhub-push').slice(0, 300) },
  {
    name: 'truncated distribution body',
    status: 400,
    body: pushManifest.slice(0, -20),
    contentType: 'application/vnd.docker.distribution.events.v1+json',
  },
  { name: 'empty body', status: 400, body: '' },
  { name: 'JSON that is not an object', status: 400, body: '"push"' },
  {
    name: 'invalid UTF-8',
    status: 400,
    body: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
  },
  {
    name: 'wrong field type',
    status: 400,
    body: dockerHubBody((p) => (p.push_data['tag'] = ['latest'])),
  },
  {
    name: 'missing repository',
    status: 400,
    body: dockerHubBody((p) => Reflect.deleteProperty(p, 'repository')),
  },
  {
    name: 'tag with path traversal',
    status: 400,
    body: dockerHubBody((p) => (p.push_data['tag'] = '../../admin')),
  },
  {
    name: 'unknown distribution action',
    status: 400,
    body: pushManifest.replace('"push"', '"explode"'),
    contentType: 'application/vnd.docker.distribution.events.v1+json',
  },
  {
    name: '__proto__ key',
    status: 400,
    body: dockerHubBody().replace('{', '{"__proto__":{"isAdmin":true},'),
  },
  {
    name: 'constructor.prototype keys',
    status: 400,
    body: dockerHubBody(
      (p) => (p.repository['x'] = { constructor: { prototype: { isAdmin: true } } }),
    ),
  },
  { name: 'deeply nested JSON', status: 400, body: `{"a":${'['.repeat(1000)}${']'.repeat(1000)}}` },
  {
    name: 'huge string',
    status: 400,
    body: dockerHubBody((p) => (p.repository['description'] = 'x'.repeat(70_000))),
  },
  {
    name: 'callback_url at 127.0.0.1',
    status: 400,
    body: dockerHubBody((p) => (p['callback_url'] = 'CALLBACK_LOOPBACK')),
  },
  {
    name: 'callback_url at 169.254.169.254',
    status: 400,
    body: dockerHubBody(
      (p) => (p['callback_url'] = 'http://169.254.169.254/latest/meta-data/iam/'),
    ),
  },
  {
    name: 'oversized body',
    status: 413,
    body: dockerHubBody((p) => (p.repository['description'] = 'x'.repeat(500_000))),
  },
  {
    name: 'wrong content type',
    status: 415,
    body: fixture('dockerhub-push'),
    contentType: 'text/plain',
  },
  {
    name: 'form content type',
    status: 415,
    body: 'payload=%7B%7D',
    contentType: 'application/x-www-form-urlencoded',
  },
  { name: 'GET instead of POST', status: 405, body: '', method: 'GET' },
  { name: 'PUT instead of POST', status: 405, body: fixture('dockerhub-push'), method: 'PUT' },
];
