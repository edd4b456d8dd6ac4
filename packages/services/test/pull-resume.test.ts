// Pulls resume across runs, against the real registry (token auth) behind a fault proxy that
// counts requests: an interrupted pull leaves only complete, verified blobs and no index.json; the
// next pull into the same directory downloads only what was missing and ends byte-identical; a
// damaged file under a blob's name is downloaded again.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutBlobs, listFiles, writeLayout } from './oci-fixture.js';
import { startProxiedRegistry, type ProxiedRegistry } from './helpers.js';

let env: ProxiedRegistry;
let work: string;
let source: string;
let top: string;

beforeAll(async () => {
  env = await startProxiedRegistry();
  work = mkdtempSync(join(tmpdir(), 'svc-resume-'));
  source = join(work, 'src');
  top = writeLayout(source, 'v1', ['amd64', 'arm64'], 200_000);
  await env.direct.images.push(source, `${env.reg.host}/resume/img:v1`);
}, 120_000);

afterAll(async () => {
  await env.close();
  rmSync(work, { recursive: true, force: true });
});

const blobGets = (log: readonly string[]): string[] => log.filter((l) => l.startsWith('GET ') && l.includes('/v2/resume/img/blobs/sha256:'));

describe('a pull interrupted mid-transfer', () => {
  it('keeps only verified blobs, and the re-run fetches only what was missing, byte-identical', async () => {
    const all = layoutBlobs(source);
    const layers = [...all.keys()].filter((hex) => all.get(hex)?.length !== undefined && (all.get(hex)?.length ?? 0) > 50_000);
    const held = layers[0] ?? '';
    // One layer hangs at the proxy; the pull is aborted once every other blob has finished.
    env.proxy.add({ match: { method: 'GET', path: `/blobs/sha256:${held}` }, delayMs: 30_000 });
    const abort = new AbortController();
    const dest = join(work, 'dest');
    let done = 0;
    const ref = `${env.proxy.host}/resume/img:v1`;
    await expect(
      env.viaProxy.images.pull(ref, dest, {
        allPlatforms: true,
        signal: abort.signal,
        onBlob: () => {
          // 4 layers + 2 configs; all but the held one.
          if (++done === 5) abort.abort(new Error('interrupted'));
        },
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    env.proxy.clear();
    const left = listFiles(dest);
    expect(left.some((f) => f.includes('.tmp-'))).toBe(false);
    expect(left).not.toContain('index.json');
    const kept = left.filter((f) => f.startsWith('blobs/')).map((f) => f.slice('blobs/sha256/'.length));
    expect(kept).toHaveLength(5);
    expect(kept).not.toContain(held);
    for (const hex of kept) expect(layoutBlobs(dest).get(hex)?.equals(all.get(hex) ?? Buffer.alloc(0))).toBe(true);

    const before = env.proxy.log.length;
    const again = await env.viaProxy.images.pull(ref, dest, { allPlatforms: true });
    const rerun = env.proxy.log.slice(before);
    expect(again.digest).toBe(top);
    expect(again).toMatchObject({ blobsTransferred: 1, blobsSkipped: 5 });
    // Only the missing layer crossed the proxy.
    expect(blobGets(rerun)).toEqual([expect.stringContaining(held)]);
    expect(layoutBlobs(dest)).toEqual(all);
  });

  it('downloads again a blob whose file is damaged, and only that one', async () => {
    const dest = join(work, 'damaged');
    const ref = `${env.proxy.host}/resume/img:v1`;
    await env.viaProxy.images.pull(ref, dest, { allPlatforms: true });
    const all = layoutBlobs(source);
    const victim = [...all.keys()].find((hex) => (all.get(hex)?.length ?? 0) > 50_000) ?? '';
    const original = all.get(victim) ?? Buffer.alloc(0);
    const damaged = Buffer.from(original);
    damaged[10] = (damaged[10] ?? 0) ^ 0xff;
    writeFileSync(join(dest, 'blobs', 'sha256', victim), damaged);
    const before = env.proxy.log.length;
    const again = await env.viaProxy.images.pull(ref, dest, { allPlatforms: true });
    expect(again).toMatchObject({ blobsTransferred: 1, blobsSkipped: 5 });
    expect(blobGets(env.proxy.log.slice(before))).toEqual([expect.stringContaining(victim)]);
    expect(layoutBlobs(dest)).toEqual(all);
    expect(existsSync(join(dest, 'index.json'))).toBe(true);
  });
});
