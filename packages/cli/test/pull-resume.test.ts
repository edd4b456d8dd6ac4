// `dhub pull` interrupted with SIGINT mid-transfer, then run again, through a fault proxy in front
// of the real registry that counts requests: the interrupted run leaves only complete, verified
// blobs (no partial file, no index.json); the second run fetches only what was missing and the
// layout ends byte-identical to the source (skopeo reads it).
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../tooling/fault-proxy/fault-proxy.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { BIN, cleanEnv, runBin, writeTestLayout } from './helpers.js';

const run = promisify(execFile);
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function blobFiles(dir: string): string[] {
  const at = join(dir, 'blobs', 'sha256');
  return existsSync(at) ? readdirSync(at) : [];
}

describe('dhub pull interrupted with SIGINT, then resumed', () => {
  let registry: RealRegistry;
  let proxy: FaultProxy;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let image: GeneratedImage;

  beforeAll(async () => {
    registry = await startRealRegistry({ auth: 'none' });
    proxy = await startFaultProxy(registry.url);
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-resume-'));
    image = await writeTestLayout(join(work, 'layout'), 'v1', 'resume me');
    expect((await runBin(['push', 'layout', `${registry.host}/team/app:v1`], { env, cwd: work })).code).toBe(0);
  });
  afterAll(async () => {
    await proxy.close();
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('keeps verified blobs only, and the re-run downloads just the missing one, byte-identical', async () => {
    const layers = image.blobs.filter((b) => !b.mediaType.includes('config'));
    const held = layers[0];
    expect(held).toBeDefined();
    // That layer's answer is held at the proxy, so the pull is mid-transfer when SIGINT comes.
    proxy.add({ match: { method: 'GET', path: `/blobs/${held?.digest ?? ''}` }, delayMs: 60_000 });
    const dest = join(work, 'out');
    const child = spawn(process.execPath, [BIN, 'pull', `${proxy.host}/team/app:v1`, 'out', '--all-platforms'], { env, cwd: work, stdio: 'pipe' });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const others = image.blobs.length - 1;
    for (let i = 0; i < 400 && blobFiles(dest).filter((f) => !f.startsWith('.tmp-')).length < others; i++) await new Promise((r) => setTimeout(r, 25));
    expect(blobFiles(dest).filter((f) => !f.startsWith('.tmp-'))).toHaveLength(others);
    child.kill('SIGINT');
    const code = await exited;
    proxy.clear();
    expect(code).toBe(1);
    expect(Buffer.concat(stderr).toString()).toMatch(/ABORTED: /);
    // Only complete, verified blobs: every file is a blob whose bytes hash to its name.
    const kept = blobFiles(dest);
    expect(kept).toHaveLength(others);
    for (const f of kept) expect(sha(readFileSync(join(dest, 'blobs', 'sha256', f)))).toBe(`sha256:${f}`);
    expect(kept).not.toContain(held?.digest.slice(7));
    expect(existsSync(join(dest, 'index.json'))).toBe(false);

    const before = proxy.log.length;
    const again = await runBin(['pull', `${proxy.host}/team/app:v1`, 'out', '--all-platforms', '--json'], { env, cwd: work });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ digest: image.index.digest, blobsTransferred: 1, blobsSkipped: others });
    const blobGets = proxy.log.slice(before).filter((l) => l.startsWith('GET ') && l.includes('/blobs/'));
    expect(blobGets).toEqual([expect.stringContaining(held?.digest ?? 'none')]);
    for (const b of [...image.blobs, ...image.manifests, image.index]) {
      expect(sha(readFileSync(join(dest, 'blobs', 'sha256', b.digest.slice(7))))).toBe(b.digest);
    }
    const raw = await run('skopeo', ['inspect', '--raw', `oci:${dest}:v1`], { encoding: 'buffer' });
    expect(sha(raw.stdout)).toBe(image.index.digest);
  });
});
