// The binary behind a fault-injecting proxy in front of the real registry (no auth): 503s, 429 with
// Retry-After and resets mid-body are retried to identical bytes; a corrupted blob fails the pull
// with DIGEST_MISMATCH and leaves nothing behind.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../tooling/fault-proxy/fault-proxy.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { cleanEnv, runBin, writeTestLayout } from './helpers.js';

describe('dhub through a fault proxy in front of the real registry', () => {
  let registry: RealRegistry;
  let proxy: FaultProxy;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let image: GeneratedImage;

  beforeAll(async () => {
    registry = await startRealRegistry({ auth: 'none' });
    proxy = await startFaultProxy(registry.url);
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-proxy-'));
    image = await writeTestLayout(join(work, 'layout'), 'v1', 'through the proxy');
    expect(
      (await runBin(['push', 'layout', `${registry.host}/team/app:v1`], { env, cwd: work })).code,
    ).toBe(0);
  });
  afterAll(async () => {
    await proxy.close();
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('retries 503, 429 and a reset mid-body, then pulls identical bytes', async () => {
    const layer = image.blobs[2];
    proxy.add(
      { match: { method: 'GET', path: '/manifests/' }, status: 503 },
      { match: { method: 'GET', path: '/blobs/' }, status: 429, retryAfter: '0' },
      { match: { method: 'GET', path: `/blobs/${layer?.digest ?? ''}` }, resetAfterBytes: 20 },
    );
    const r = await runBin(
      ['pull', `${proxy.host}/team/app:v1`, 'ok', '--platform', 'linux/arm64'],
      { env, cwd: work },
    );
    expect(r).toMatchObject({ code: 0, stdout: `${image.manifests[1]?.digest ?? ''}\n` });
    const pulled = await readFile(
      join(work, 'ok', 'blobs', 'sha256', layer?.digest.slice(7) ?? ''),
    );
    expect(pulled.equals(Buffer.from(layer?.bytes ?? []))).toBe(true);
    // The faults fired: the manifest and the layer were asked for more than once.
    const gets = (part: string) =>
      proxy.log.filter((l) => l.startsWith('GET ') && l.includes(part)).length;
    expect(gets('/manifests/v1')).toBeGreaterThanOrEqual(2);
    expect(gets(`/blobs/${layer?.digest ?? ''}`)).toBeGreaterThanOrEqual(2);
  });

  it('fails a pull whose blob bytes are corrupted: exit 1, DIGEST_MISMATCH, no files', async () => {
    proxy.add({ match: { method: 'GET', path: '/blobs/' }, corruptAtByte: 3, times: 50 });
    const r = await runBin(['pull', `${proxy.host}/team/app:v1`, 'bad', '--all-platforms'], {
      env,
      cwd: work,
    });
    proxy.clear();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^DIGEST_MISMATCH: [^\n]*\n$/);
    expect(existsSync(join(work, 'bad'))).toBe(false);
  });
});
