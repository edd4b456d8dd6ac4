// Runs the authentication examples of docs/ (docs/examples/auth-registry.ts, hub-login.ts,
// copied verbatim into docs/authentication.md) against a node:http server on 127.0.0.1 playing a
// token-auth registry and the Docker Hub API.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Secret } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

async function example<T>(name: string): Promise<T> {
  return (await import(
    fileURLToPath(new URL(`../../../docs/examples/${name}`, import.meta.url))
  )) as T;
}

const PAT = 'dckr_pat_docs-example-secret';
const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const JWT = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 })}.c2ln`;

let server: Server;
let base = '';
const seen: { method: string; url: string; authorization: string | undefined }[] = [];

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', base);
  const authorization = req.headers.authorization;
  seen.push({ method: req.method ?? '', url: url.pathname, authorization });
  if (url.pathname === '/token') {
    const ok = authorization === `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
    if (ok && url.searchParams.get('scope') === 'repository:myorg/app:pull')
      json(res, 200, { token: 'registry-token', expires_in: 300 });
    else json(res, 401, { details: 'incorrect username or password' });
  } else if (url.pathname === '/v2/myorg/app/tags/list') {
    if (authorization === 'Bearer registry-token')
      json(res, 200, { name: 'myorg/app', tags: ['v1', 'v2'] });
    else
      json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        {
          'www-authenticate': `Bearer realm="${base}/token",service="docs-registry",scope="repository:myorg/app:pull"`,
        },
      );
  } else if (url.pathname === '/v2/auth/token' && req.method === 'POST') {
    const creds = JSON.parse(body) as { identifier?: string; secret?: string };
    if (creds.identifier === 'alice' && creds.secret === PAT) json(res, 200, { access_token: JWT });
    else json(res, 401, { detail: 'Incorrect authentication credentials' });
  } else if (url.pathname === '/v2/repositories/alice/') {
    if (authorization === `Bearer ${JWT}`)
      json(res, 200, {
        count: 2,
        next: null,
        previous: null,
        results: [{ name: 'app' }, { name: 'web' }],
      });
    else json(res, 401, { detail: 'Authentication credentials were not provided.' });
  } else {
    json(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });
  }
}

let configDir = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  configDir = mkdtempSync(join(tmpdir(), 'docs-auth-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  rmSync(configDir, { recursive: true, force: true });
});

describe('docs/examples/auth-registry.ts', () => {
  type ListTags = (
    registry: string,
    repository: string,
    where?: { env?: NodeJS.ProcessEnv; configDir?: string },
  ) => Promise<string[]>;

  it('answers the challenge with credentials from config.json and lists the tags', async () => {
    const { listPrivateTags } = await example<{ listPrivateTags: ListTags }>('auth-registry.ts');
    const host = new URL(base).host;
    writeFileSync(
      join(configDir, 'config.json'),
      JSON.stringify({
        auths: { [host]: { auth: Buffer.from('alice:s3cret').toString('base64') } },
      }),
    );
    seen.length = 0;
    await expect(listPrivateTags(base, 'myorg/app', { env: {}, configDir })).resolves.toEqual([
      'v1',
      'v2',
    ]);
    expect(seen.map((s) => [s.url, s.authorization?.split(' ')[0]])).toEqual([
      ['/v2/myorg/app/tags/list', undefined],
      ['/token', 'Basic'],
      ['/v2/myorg/app/tags/list', 'Bearer'],
    ]);
  });

  it('fails with UNAUTHORIZED when config.json has no credentials for the registry', async () => {
    const { listPrivateTags } = await example<{ listPrivateTags: ListTags }>('auth-registry.ts');
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: {} }));
    await expect(listPrivateTags(base, 'myorg/app', { env: {}, configDir })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});

describe('docs/examples/hub-login.ts', () => {
  type List = (
    hubUrl: string,
    identifier: string,
    token: Secret,
    namespace: string,
  ) => Promise<string[]>;

  it('logs in with a personal access token and lists repositories with the JWT', async () => {
    const { listRepositories } = await example<{ listRepositories: List }>('hub-login.ts');
    seen.length = 0;
    await expect(listRepositories(base, 'alice', new Secret(PAT), 'alice')).resolves.toEqual([
      'app',
      'web',
    ]);
    expect(seen.map((s) => [s.method, s.url])).toContainEqual(['POST', '/v2/auth/token']);
    expect(seen.find((s) => s.url === '/v2/repositories/alice/')?.authorization).toBe(
      `Bearer ${JWT}`,
    );
  });

  it('refuses a wrong token with UNAUTHORIZED and never echoes it', async () => {
    const { listRepositories } = await example<{ listRepositories: List }>('hub-login.ts');
    const err = await listRepositories(
      base,
      'alice',
      new Secret('dckr_pat_wrong-token-value'),
      'alice',
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(`${String(err)} ${JSON.stringify(err)}`).not.toContain('dckr_pat_wrong-token-value');
  });
});
