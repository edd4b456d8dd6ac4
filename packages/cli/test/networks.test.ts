// dhub on a corporate network: the real registry serving HTTPS with a private CA and requiring a
// client certificate (http.tls + clientcas, PKI made by openssl per run), reached through a real
// forward proxy (tinyproxy, CONNECT), with `--cert-dir` as skopeo's; what dhub pushes skopeo
// reads back through the same certificates directory, byte for byte. Without the client
// certificate or with a wrong CA: exit 1 naming the problem, nothing written.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTinyproxy, type Tinyproxy } from '../../../tooling/proxy/tinyproxy.js';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { cleanEnv, runInProcess, writeTestLayout } from './helpers.js';

const run = promisify(execFile);
let work: string;
let reg: RealRegistry;
let proxy: Tinyproxy;
let serverCa: Issued;
let clientCa: Issued;
let client: Issued;
let certDir: string;

async function dirWith(name: string, files: Readonly<Record<string, string>>): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  for (const [file, source] of Object.entries(files)) await copyFile(source, join(dir, file));
  return dir;
}

/** Every blob of an OCI layout, by path. */
async function blobs(layout: string): Promise<Record<string, string>> {
  const dir = join(layout, 'blobs', 'sha256');
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = (await readFile(join(dir, name))).toString('base64');
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dhub-networks-'));
  serverCa = makeCa(join(work, 'pki'), 'server-ca');
  clientCa = makeCa(join(work, 'pki'), 'client-ca');
  const server = issue(serverCa, join(work, 'pki'), 'registry', 'server');
  client = issue(clientCa, join(work, 'pki'), 'client', 'client');
  reg = await startRealRegistry({ auth: 'none', tls: { certificate: server.certFile, key: server.keyFile, clientCas: [clientCa.certFile] } });
  proxy = await startTinyproxy();
  certDir = await dirWith('certs', { 'ca.crt': serverCa.certFile, 'client.cert': client.certFile, 'client.key': client.keyFile });
});
afterAll(async () => {
  await proxy.stop();
  await reg.stop();
  await rm(work, { recursive: true, force: true });
});

describe('dhub with a private CA, a client certificate and a proxy', () => {
  it('push and pull through the proxy with --cert-dir, byte-identical to what skopeo --cert-dir reads back', async () => {
    const env = await cleanEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
    const src = join(work, 'src');
    await writeTestLayout(src, 'v1', 'networks');
    const ref = `${reg.host}/team/app:v1`;
    const before = proxy.connects().length;
    const pushed = await runInProcess(['push', '-q', '--cert-dir', certDir, src, ref], { env });
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    const out = join(work, 'pulled');
    const pulled = await runInProcess(['--cert-dir', certDir, 'pull', '-q', ref, out, '--all-platforms'], { env });
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    expect(proxy.connects().slice(before)).toContain(reg.host);

    const viaSkopeo = join(work, 'skopeo-out');
    await run('skopeo', ['copy', '--all', '--src-cert-dir', certDir, `docker://${ref}`, `oci:${viaSkopeo}:v1`], { timeout: 60_000 });
    expect(await blobs(out)).toEqual(await blobs(viaSkopeo));
    expect(await blobs(out)).toEqual(await blobs(src));
    const raw = (await run('skopeo', ['inspect', '--raw', '--cert-dir', certDir, `docker://${ref}`], { timeout: 60_000 })).stdout;
    expect(raw.length).toBeGreaterThan(0);
  });

  it('--cert-dir applies to the registry serving docker.io references (DOCKER_REGISTRY_URL)', async () => {
    const res = await runInProcess(['tags', 'team/app', '--cert-dir', certDir], { env: await cleanEnv({ DOCKER_REGISTRY_URL: reg.url }) });
    expect(res).toMatchObject({ code: 0, stdout: 'v1\n' });
  });

  it('without the client certificate: exit 1, the error names it, nothing written', async () => {
    const caOnly = await dirWith('ca-only', { 'ca.crt': serverCa.certFile });
    const out = join(work, 'no-client-cert');
    const res = await runInProcess(['pull', '--cert-dir', caOnly, `${reg.host}/team/app:v1`, out], { env: await cleanEnv() });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('the registry asked for a client certificate');
    expect(res.stderr).toContain(`put client.cert and client.key in ${caOnly}`);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('with a wrong CA: exit 1, the error names the CA problem, nothing written', async () => {
    const wrong = await dirWith('wrong-ca', { 'ca.crt': clientCa.certFile, 'client.cert': client.certFile, 'client.key': client.keyFile });
    const out = join(work, 'wrong-ca-out');
    const res = await runInProcess(['pull', `${reg.host}/team/app:v1`, out, '--cert-dir', wrong], { env: await cleanEnv() });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('certificate signed by unknown authority');
    expect(res.stderr).toContain(`add it as ca.crt in ${wrong}`);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('the default certs.d folder under DOCKER_CONFIG is used without --cert-dir; the key never shows in --debug output', async () => {
    const env = await cleanEnv();
    const hostDir = join(env['DOCKER_CONFIG'] ?? '', 'certs.d', reg.host);
    await mkdir(hostDir, { recursive: true });
    for (const [file, source] of [['ca.crt', serverCa.certFile], ['client.cert', client.certFile], ['client.key', client.keyFile]] as const) {
      await copyFile(source, join(hostDir, file));
    }
    const ok = await runInProcess(['tags', `${reg.host}/team/app`], { env });
    expect(ok).toMatchObject({ code: 0, stdout: 'v1\n' });
    // The client key loaded, the CA wrong: the failure with --debug (stack traces) shows no key material.
    const wrong = await dirWith('wrong-ca-debug', { 'ca.crt': clientCa.certFile, 'client.cert': client.certFile, 'client.key': client.keyFile });
    const failed = await runInProcess(['--debug', 'tags', `${reg.host}/team/app`, '--json', '--cert-dir', wrong], { env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('certificate signed by unknown authority');
    const keyBody = client.key.split('\n')[1] ?? 'missing';
    expect(`${ok.stdout}${ok.stderr}${failed.stdout}${failed.stderr}`).not.toContain(keyBody);
  });
});

describe('dhub pull with registry mirrors', () => {
  let upstream: RealRegistry;
  let mirror: RealRegistry;

  beforeAll(async () => {
    upstream = await startRealRegistry({ auth: 'none' });
    mirror = await startRealRegistry({ auth: 'none' });
    const src = join(work, 'hub-src');
    await writeTestLayout(src, 'v1', 'mirrored');
    const pushed = await runInProcess(['push', '-q', src, 'team/app:v1'], { env: await cleanEnv({ DOCKER_REGISTRY_URL: upstream.url }) });
    expect(pushed.code).toBe(0);
  });
  afterAll(async () => {
    await upstream.stop();
    await mirror.stop();
  });

  it('a mirror that is down and one answering 404: the pull succeeds from the upstream and says so', async () => {
    const env = await cleanEnv({ DOCKER_REGISTRY_URL: upstream.url, DOCKER_REGISTRY_MIRRORS: `http://127.0.0.1:9,${mirror.url}`, DOCKER_MAX_RETRIES: '1' });
    const res = await runInProcess(['pull', 'team/app:v1', join(work, 'hub-pulled'), '--all-platforms'], { env });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`served by the registry ${upstream.url} (skipped http://127.0.0.1:9: NETWORK, ${mirror.url}: status 404)`);
    const json = await runInProcess(['pull', '--json', 'team/app:v1', join(work, 'hub-pulled-json')], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ servedBy: { endpoint: upstream.url, mirror: false, skipped: [{ endpoint: 'http://127.0.0.1:9', reason: 'NETWORK' }, { endpoint: mirror.url, reason: 'status 404' }] } });
  });
});
