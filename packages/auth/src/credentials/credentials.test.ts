import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortedError, ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HelperSandbox, helperSandbox } from '../../test/helpers/credential-sandbox.js';
import {
  credentialHelperErase,
  credentialHelperGet,
  credentialHelperStore,
} from './credential-helper.js';
import {
  credentialFromAuthEntry,
  dockerConfigPath,
  findConfigKey,
  readDockerConfig,
} from './docker-config.js';
import { credentialKey, isDockerHub, normalizeRegistryHost } from './registry-host.js';
import { createCredentialProvider, resolveCredentials } from './resolve-credentials.js';
import { eraseCredentials, storeCredentials } from './store-credentials.js';
import {
  accountOf,
  ANONYMOUS,
  disposeCredential,
  type RegistryCredential,
  toCredential,
} from './types.js';

let box: HelperSandbox;
beforeEach(async () => {
  box = await helperSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function secretOf(c: RegistryCredential): string {
  if (c.kind === 'basic') return `${c.username}:${c.password.reveal()}`;
  if (c.kind === 'anonymous') return 'anonymous';
  return `${c.kind}:${c.token.reveal()}`;
}

describe('registry hosts', () => {
  it('normalizes and recognizes Docker Hub', () => {
    expect(normalizeRegistryHost('https://index.docker.io/v1/')).toBe('index.docker.io');
    expect(normalizeRegistryHost('LOCALHOST:5000')).toBe('localhost:5000');
    expect(normalizeRegistryHost('http://127.0.0.1:80/x')).toBe('127.0.0.1');
    expect(normalizeRegistryHost('bad host:x')).toBe('bad host:x');
    expect(isDockerHub('registry-1.docker.io')).toBe(true);
    expect(isDockerHub('docker.io')).toBe(true);
    expect(isDockerHub('ghcr.io')).toBe(false);
    expect(credentialKey('docker.io')).toBe('https://index.docker.io/v1/');
    expect(credentialKey('https://registry.example.com:5000/v2/')).toBe(
      'registry.example.com:5000',
    );
  });

  it('finds config keys by exact key, host, or Hub alias', () => {
    expect(findConfigKey(['https://index.docker.io/v1/', 'x'], 'registry-1.docker.io')).toBe(
      'https://index.docker.io/v1/',
    );
    expect(findConfigKey(['index.docker.io'], 'docker.io')).toBe('index.docker.io');
    expect(findConfigKey(['https://localhost:5000'], 'localhost:5000')).toBe(
      'https://localhost:5000',
    );
    expect(findConfigKey(['localhost:5001'], 'localhost:5000')).toBeUndefined();
  });
});

describe('credential types', () => {
  it('wraps input in secrets and names accounts', () => {
    const basic = toCredential({ username: 'u', password: 'p' });
    expect(basic).toMatchObject({ kind: 'basic', username: 'u', source: 'explicit' });
    expect(accountOf(basic)).toBe('u');
    const id = toCredential({ identityToken: new Secret('i') }, 'env');
    expect(accountOf(id)).toBe('');
    expect(toCredential({ registryToken: 'r' }).kind).toBe('registry-token');
    expect(accountOf(ANONYMOUS)).toBe('');
    disposeCredential(basic);
    disposeCredential(id);
    disposeCredential(ANONYMOUS);
    expect(basic.kind === 'basic' && basic.password.disposed).toBe(true);
    expect(id.kind === 'identity-token' && id.token.disposed).toBe(true);
  });
});

describe('readDockerConfig', () => {
  it('uses DOCKER_CONFIG, and a missing file reads as empty', async () => {
    expect(dockerConfigPath({ env: box.env })).toBe(join(box.dir, 'docker', 'config.json'));
    expect(dockerConfigPath({ env: {} })).toMatch(/\.docker\/config\.json$/);
    const file = await readDockerConfig({ env: box.env });
    expect(file.exists).toBe(false);
    expect(file.auths).toEqual({});
  });

  it.each([
    ['{not json', 'not valid JSON'],
    ['[1,2]', 'JSON object'],
    ['{"auths": []}', '"auths" must be an object'],
    ['{"auths": {"x": 5}}', '"auths.x" must be an object'],
    ['{"auths": {"x": {"auth": 5}}}', '"auths.x.auth" must be a string'],
    ['{"credHelpers": {"x": 1}}', '"credHelpers.x" must be a string'],
    ['{"credHelpers": "x"}', '"credHelpers" must be an object'],
    ['{"credsStore": 3}', '"credsStore" must be a string'],
  ])('names the file when it is malformed: %s', async (text, message) => {
    const path = await box.writeConfig(text);
    const err = await readDockerConfig({ env: box.env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues[0]?.path).toBe(path);
    expect((err as Error).message).toContain(message);
  });

  it('does not quote file content (which may hold secrets) in parse errors', async () => {
    await box.writeConfig('{"auths": {"x": {"auth": "c2VjcmV0LXZhbHVl"}}, oops}');
    const err = await readDockerConfig({ env: box.env }).catch((e: unknown) => e);
    expect((err as Error).message).not.toContain('c2VjcmV0LXZhbHVl');
  });

  it('honours an abort signal', async () => {
    await box.writeConfig('{}');
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(readDockerConfig({ env: box.env }, ac.signal)).rejects.toBeInstanceOf(
      AbortedError,
    );
  });

  it('reads an empty file as empty', async () => {
    await box.writeConfig('  ');
    expect((await readDockerConfig({ env: box.env })).exists).toBe(true);
  });

  it('reads a path under a file as missing and names the file when it cannot be read', async () => {
    await box.writeConfig('{}');
    expect(
      await readDockerConfig({ configDir: join(box.dir, 'docker', 'config.json') }),
    ).toMatchObject({ exists: false });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(box.dir, 'isdir', 'config.json'), { recursive: true });
    await expect(readDockerConfig({ configDir: join(box.dir, 'isdir') })).rejects.toThrow(
      /cannot read file \(EISDIR\)/,
    );
  });
});

describe('credentialFromAuthEntry', () => {
  it('decodes auth, prefers identitytoken, reads registrytoken and username/password', () => {
    expect(
      secretOf(credentialFromAuthEntry({ auth: b64('u:p:with:colons') }, 'f', 'k') ?? ANONYMOUS),
    ).toBe('u:p:with:colons');
    expect(
      credentialFromAuthEntry({ auth: b64('u:'), identitytoken: 'idt' }, 'f', 'k'),
    ).toMatchObject({ kind: 'identity-token', username: 'u' });
    expect(credentialFromAuthEntry({ identitytoken: 'idt' }, 'f', 'k')).toMatchObject({
      kind: 'identity-token',
      username: undefined,
    });
    expect(credentialFromAuthEntry({ registrytoken: 'rt' }, 'f', 'k')).toMatchObject({
      kind: 'registry-token',
    });
    expect(
      secretOf(credentialFromAuthEntry({ username: 'a', password: 'b' }, 'f', 'k') ?? ANONYMOUS),
    ).toBe('a:b');
    expect(credentialFromAuthEntry({}, 'f', 'k')).toBeUndefined();
  });

  it('rejects auth that is not base64 of user:password', () => {
    expect(() => credentialFromAuthEntry({ auth: b64('nocolon') }, 'f', 'k')).toThrow(/not base64/);
    expect(() => credentialFromAuthEntry({ auth: '!!!' }, 'f', 'k')).toThrow(ConfigError);
  });
});

describe('credential helpers', () => {
  it('gets basic and identity-token credentials and "not found"', async () => {
    const opts = { env: box.env };
    expect(secretOf((await credentialHelperGet('fake', 'localhost:5000', opts)) ?? ANONYMOUS)).toBe(
      'helper-user:helper-secret',
    );
    expect(await credentialHelperGet('fake', 'https://index.docker.io/v1/', opts)).toMatchObject({
      kind: 'identity-token',
      source: 'credential-helper',
    });
    expect(await credentialHelperGet('fake', 'unknown.test', opts)).toBeUndefined();
    expect(await credentialHelperGet('fake', 'empty.test', opts)).toBeUndefined();
    await expect(credentialHelperGet('fake', 'nouser.test', opts)).rejects.toThrow(
      /without a Username/,
    );
  });

  it('names the helper and config file when the helper is missing', async () => {
    const err = await credentialHelperGet('missing', 'x', {
      env: box.env,
      configFile: '/cfg/config.json',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('docker-credential-missing');
    expect((err as Error).message).toContain('not found on PATH');
    expect((err as Error).message).toContain('/cfg/config.json');
  });

  it('reports garbage output, failures and timeouts without quoting the output', async () => {
    await expect(credentialHelperGet('garbage', 'x', { env: box.env })).rejects.toThrow(
      /did not print JSON/,
    );
    const failing = await credentialHelperGet('failing', 'x', { env: box.env }).catch(
      (e: unknown) => e,
    );
    expect((failing as Error).message).toMatch(/exited with code 3/);
    expect((failing as Error).message).not.toContain('secret-ish');
    await expect(
      credentialHelperGet('slow', 'x', { env: box.env, timeoutMs: 150 }),
    ).rejects.toThrow(/timed out after 150 ms/);
    await expect(credentialHelperGet('bad name!', 'x', { env: box.env })).rejects.toThrow(
      /helper name/,
    );
  });

  it('honours an abort signal', async () => {
    const ac = new AbortController();
    const p = credentialHelperGet('slow', 'x', { env: box.env, signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    await expect(
      credentialHelperGet('slow', 'x', { env: box.env, signal: ac.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
  });

  it('stores and erases through the helper', async () => {
    await credentialHelperStore(
      'fake',
      'h.test',
      { username: 'u', secret: new Secret('s') },
      { env: box.env },
    );
    await credentialHelperErase('fake', 'h.test', { env: box.env });
    const log = await readFile(box.storeLog, 'utf8');
    expect(JSON.parse(log.split('\n')[0] ?? '')).toEqual({
      ServerURL: 'h.test',
      Username: 'u',
      Secret: 's',
    });
    expect(log).toContain('erase h.test');
    await expect(
      credentialHelperStore(
        'failing',
        'h',
        { username: 'u', secret: new Secret('s') },
        { env: box.env },
      ),
    ).rejects.toThrow(/"store" exited/);
    await expect(credentialHelperErase('failing', 'h', { env: box.env })).rejects.toThrow(
      /"erase" exited/,
    );
  });
});

describe('resolveCredentials', () => {
  it('uses explicit credentials first (single or per registry)', async () => {
    await box.writeConfig({ auths: { 'localhost:5000': { auth: b64('file:pw') } } });
    expect(
      secretOf(
        await resolveCredentials('localhost:5000', {
          env: box.env,
          explicit: { username: 'x', password: 'y' },
        }),
      ),
    ).toBe('x:y');
    const map = { 'localhost:5000': { username: 'm', password: new Secret('n') } };
    expect(
      secretOf(await resolveCredentials('localhost:5000', { env: box.env, explicit: map })),
    ).toBe('m:n');
    expect(
      secretOf(
        await resolveCredentials('localhost:5000', {
          env: box.env,
          explicit: { 'other:1': { username: 'm', password: 'n' } },
        }),
      ),
    ).toBe('file:pw');
  });

  it('uses the Docker Hub env vars only for Docker Hub, access token winning over password', async () => {
    const env = {
      ...box.env,
      DOCKER_HUB_USERNAME: 'hubber',
      DOCKER_HUB_PASSWORD: 'pw',
      DOCKER_HUB_ACCESS_TOKEN: 'dckr_pat_x',
    };
    const hub = await resolveCredentials('registry-1.docker.io', { env });
    expect(hub.source).toBe('env');
    expect(secretOf(hub)).toBe('hubber:dckr_pat_x');
    expect(
      secretOf(
        await resolveCredentials('docker.io', {
          env: { ...env, DOCKER_HUB_ACCESS_TOKEN: undefined },
        }),
      ),
    ).toBe('hubber:pw');
    expect((await resolveCredentials('localhost:5000', { env })).kind).toBe('anonymous');
    expect(
      (await resolveCredentials('docker.io', { env: { ...box.env, DOCKER_HUB_USERNAME: 'x' } }))
        .kind,
    ).toBe('anonymous');
  });

  it('reads config.json auths for Docker Hub and host:port keys', async () => {
    await box.writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:hubpw') },
        'localhost:5000': { identitytoken: 'idt' },
      },
    });
    expect(secretOf(await resolveCredentials('docker.io', { env: box.env }))).toBe('hub:hubpw');
    expect(await resolveCredentials('localhost:5000', { env: box.env })).toMatchObject({
      kind: 'identity-token',
      source: 'docker-config',
    });
    expect(
      (await resolveCredentials('localhost:5000', { env: box.env, ignoreDockerConfig: true })).kind,
    ).toBe('anonymous');
  });

  it('prefers credHelpers, then credsStore, then auths, then anonymous', async () => {
    await box.writeConfig({
      credHelpers: { 'localhost:5000': 'fake' },
      credsStore: 'fake',
      auths: { 'other.test': { auth: b64('o:p') } },
    });
    expect(await resolveCredentials('localhost:5000', { env: box.env })).toMatchObject({
      kind: 'basic',
      username: 'helper-user',
      source: 'credential-helper',
    });
    expect(await resolveCredentials('docker.io', { env: box.env })).toMatchObject({
      kind: 'identity-token',
    });
    expect(secretOf(await resolveCredentials('other.test', { env: box.env }))).toBe('o:p');
    expect((await resolveCredentials('nothing.test', { env: box.env })).kind).toBe('anonymous');
  });

  it('fails clearly when a configured helper is missing', async () => {
    const path = await box.writeConfig({ credsStore: 'nosuchhelper' });
    const err = await resolveCredentials('x.test', { env: box.env, helperTimeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain('docker-credential-nosuchhelper');
    expect((err as Error).message).toContain(path);
  });

  it('createCredentialProvider resolves each registry once and disposes non-explicit secrets', async () => {
    await box.writeConfig({ auths: { 'localhost:5000': { auth: b64('a:b') } } });
    const provider = createCredentialProvider({ env: box.env });
    const one = await provider('http://localhost:5000/v2/');
    const two = await provider('localhost:5000');
    expect(two).toBe(one);
    expect(await provider('docker.io')).toBe(await provider('registry-1.docker.io'));
    provider.dispose();
    await new Promise((r) => setImmediate(r));
    expect(one.kind === 'basic' && one.password.disposed).toBe(true);
    const failing = createCredentialProvider({ env: box.env, configDir: join(box.dir, 'none') });
    expect((await failing('x')).kind).toBe('anonymous');
  });

  it('does not dispose explicit secrets the caller owns', async () => {
    const password = new Secret('mine');
    const provider = createCredentialProvider({
      env: box.env,
      explicit: { username: 'u', password },
    });
    await provider('x');
    provider.dispose();
    await new Promise((r) => setImmediate(r));
    expect(password.disposed).toBe(false);
  });

  it('forgets a failed resolution so a fixed config is read next time', async () => {
    await box.writeConfig('{broken');
    const provider = createCredentialProvider({ env: box.env });
    await expect(provider('x.test')).rejects.toBeInstanceOf(ConfigError);
    await box.writeConfig({});
    expect((await provider('x.test')).kind).toBe('anonymous');
  });
});

describe('storeCredentials / eraseCredentials', () => {
  it('writes auths atomically with mode 0600, keeping other content', async () => {
    await box.writeConfig({
      auths: { 'index.docker.io': { auth: b64('old:old') } },
      psFormat: 'table',
    });
    expect(
      await storeCredentials(
        'docker.io',
        { username: 'alice', password: new Secret('pw') },
        { env: box.env },
      ),
    ).toBe('docker-config');
    const path = join(box.dir, 'docker', 'config.json');
    const doc = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(doc).toEqual({
      auths: { 'https://index.docker.io/v1/': { auth: b64('alice:pw') } },
      psFormat: 'table',
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(secretOf(await resolveCredentials('docker.io', { env: box.env }))).toBe('alice:pw');
  });

  it('stores an identity token and creates the directory', async () => {
    await storeCredentials(
      'localhost:5000',
      { username: 'bob', identityToken: new Secret('idt') },
      { env: box.env },
    );
    await storeCredentials('other:1', { identityToken: new Secret('idt2') }, { env: box.env });
    const doc = JSON.parse(await readFile(join(box.dir, 'docker', 'config.json'), 'utf8')) as {
      auths: Record<string, unknown>;
    };
    expect(doc.auths['localhost:5000']).toEqual({ auth: b64('bob:'), identitytoken: 'idt' });
    expect(doc.auths['other:1']).toEqual({ identitytoken: 'idt2' });
  });

  it('erases from auths and reports whether anything was removed', async () => {
    await box.writeConfig({ auths: { 'localhost:5000': { auth: b64('a:b') }, keep: {} } });
    expect(await eraseCredentials('localhost:5000', { env: box.env })).toBe(true);
    expect(await eraseCredentials('localhost:5000', { env: box.env })).toBe(false);
    const doc = JSON.parse(await readFile(join(box.dir, 'docker', 'config.json'), 'utf8')) as {
      auths: Record<string, unknown>;
    };
    expect(doc.auths).toEqual({ keep: {} });
  });

  it('goes through the configured helper', async () => {
    await box.writeConfig({
      credHelpers: { 'localhost:5000': 'fake' },
      auths: { 'localhost:5000': {} },
    });
    expect(
      await storeCredentials(
        'localhost:5000',
        { username: 'u', password: new Secret('s') },
        { env: box.env },
      ),
    ).toBe('credential-helper');
    await storeCredentials('localhost:5000', { identityToken: new Secret('t') }, { env: box.env });
    expect(await eraseCredentials('localhost:5000', { env: box.env })).toBe(true);
    const log = (await readFile(box.storeLog, 'utf8')).trim().split('\n');
    expect(JSON.parse(log[0] ?? '')).toMatchObject({ Username: 'u', Secret: 's' });
    expect(JSON.parse(log[1] ?? '')).toMatchObject({ Username: '<token>', Secret: 't' });
    expect(log[2]).toBe('erase localhost:5000');
  });
});
