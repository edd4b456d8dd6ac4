// Redaction without holes: random secrets are planted in every place a registry, token service or
// Hub API can carry one (JSON at any depth and any key case, form bodies, query strings, request
// and response headers, bodies not labelled JSON, base64 `user:pass`), a session is recorded, and
// the written file is scanned raw and base64-decoded.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCassette, findSecrets, type FetchHandler } from '../src/index.js';

const SECRET_KEYS = [
  'token',
  'access_token',
  'refresh_token',
  'identitytoken',
  'registrytoken',
  'password',
  'secret',
  'client_secret',
  'api_key',
  'login_2fa_token',
];
const SECRET_QUERY = ['token', 'access_token', 'password', 'api_key', 'secret', 'client_secret'];
const PLAIN_KEYS = ['data', 'results', 'meta', 'config', 'auths', 'x'];

interface Plant {
  readonly secret: string;
  readonly user: string;
  readonly jsonKey: string;
  readonly queryName: string;
  readonly formName: string;
  readonly path: readonly (string | number)[];
  readonly jsonLabel: string;
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

function nest(path: readonly (string | number)[], leaf: unknown): unknown {
  return path.reduceRight<unknown>(
    (inner, step) => (typeof step === 'number' ? [inner] : { [step]: inner }),
    leaf,
  );
}

function jwt(secret: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: secret })}.${secret}`;
}

/** Answers every request with secrets in the body, headers and redirect URL. */
function plantingUpstream(p: Plant): FetchHandler {
  return (request) => {
    const path = new URL(request.url).pathname;
    const s = p.secret;
    const headers = new Headers({
      location: `/v2/x/blobs/uploads/1?_state=abc&${p.queryName}=${s}`,
      'www-authenticate': `Bearer realm="http://h/token",service="s",${p.queryName}="${s}"`,
      'x-registry-auth': b64(JSON.stringify({ username: p.user, password: s })),
      'set-cookie': `session=${s}; HttpOnly`,
      'x-api-key': s,
      link: `</v2/_catalog?last=a&${p.queryName}=${s}>; rel="next"`,
    });
    let body: string;
    if (path === '/token') {
      // A token answer not labelled JSON.
      headers.set('content-type', p.jsonLabel);
      body = JSON.stringify({
        [p.jsonKey]: s,
        token: jwt(s),
        expires_in: 300,
        issued_at: new Date().toISOString(),
      });
    } else if (path === '/form') {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = `${p.formName}=${s}&token_type=bearer&scope=x`;
    } else if (path === '/text') {
      headers.set('content-type', 'text/plain');
      body = `Authorization: Basic ${b64(`${p.user}:${s}`)}\nBearer ${jwt(s)}\n`;
    } else {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(
        nest(p.path, {
          [p.jsonKey]: s,
          auth: b64(`${p.user}:${s}`),
          next: `https://hub.test/v2/x?page=2&${p.queryName}=${s}`,
          keep: 'visible',
        }),
      );
    }
    return Promise.resolve(new Response(body, { status: 200, headers }));
  };
}

/** The requests a client sends, each carrying the secret somewhere. */
function requests(p: Plant): Request[] {
  const s = p.secret;
  const basic = `Basic ${b64(`${p.user}:${s}`)}`;
  const credentialHeaders = {
    authorization: basic,
    'x-registry-auth': b64(JSON.stringify({ username: p.user, password: s })),
    cookie: `session=${s}`,
    accept: 'application/json',
  };
  return [
    new Request(`http://h/token?service=s&${p.queryName}=${s}&scope=repository:x:pull`, {
      headers: credentialHeaders,
    }),
    new Request('http://h/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=password&username=${p.user}&${p.formName}=${s}`,
    }),
    new Request('http://h/v2/users/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: p.user, [p.jsonKey]: s }),
    }),
    new Request(`http://h/form?${p.queryName}=${s}`, { headers: credentialHeaders }),
    new Request('http://h/text', { headers: credentialHeaders }),
    new Request(`http://h/v2/repositories/x/?page_size=10&${p.queryName}=${s}`, {
      headers: credentialHeaders,
    }),
  ];
}

/** The file's text plus every base64 or base64url run in it, decoded. */
function scanText(file: string): string {
  const decoded = (file.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []).flatMap((run) => [
    Buffer.from(run, 'base64').toString('utf8'),
    Buffer.from(run, 'base64url').toString('utf8'),
  ]);
  return [file, ...decoded].join('\n');
}

describe('cassette redaction (property)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-cassette-redact-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('no planted secret reaches the written files, raw or base64-decoded', async () => {
    const plant = fc.record({
      secret: fc.stringMatching(/^[A-Za-z0-9]{14,32}$/),
      user: fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/),
      jsonKey: fc.mixedCase(fc.constantFrom(...SECRET_KEYS)),
      queryName: fc.mixedCase(fc.constantFrom(...SECRET_QUERY)),
      formName: fc.mixedCase(fc.constantFrom('password', 'access_token', 'client_secret')),
      path: fc.array(fc.oneof(fc.constantFrom(...PLAIN_KEYS), fc.constant(0)), { maxLength: 5 }),
      jsonLabel: fc.constantFrom('text/plain', 'application/octet-stream', 'application/json'),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(plant, async (p) => {
        run += 1;
        const path = join(dir, `run-${String(run)}.json`);
        const cassette = createCassette({
          path,
          mode: 'record',
          upstream: plantingUpstream(p),
          // Even headers chosen for matching lose their credentials.
          matchRequestsBy: { headers: ['accept', 'authorization', 'x-registry-auth', 'cookie'] },
        });
        for (const r of requests(p)) await (await cassette.fetch(r)).arrayBuffer();
        await cassette.save();
        const file = await readFile(path, 'utf8');
        const blobs = await readdir(`${path}.blobs`).catch(() => []);
        expect(blobs).toEqual([]);
        const secrets = [p.secret, b64(`${p.user}:${p.secret}`)];
        expect(findSecrets(scanText(file), secrets)).toEqual([]);
        expect(file).toContain('visible');
      }),
      { numRuns: 60 },
    );
  });
});
