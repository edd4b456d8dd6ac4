// Runs the simulation examples of docs/simulation.md (docs/examples/simulation-*.ts, copied
// verbatim into the Markdown; packages/core/test/docs-examples.test.ts checks the copies). The
// examples are loaded by path so that this package's typecheck does not pull them in (they
// typecheck with docs/examples/tsconfig.json).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

async function example<T>(name: string): Promise<T> {
  return (await import(
    fileURLToPath(new URL(`../../../docs/examples/${name}`, import.meta.url))
  )) as T;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

describe('docs/examples/simulation-in-process.ts', () => {
  it('pushes through the in-process dispatcher and reads the same digest back', async () => {
    const { pushAndReadBack } = await example<{
      pushAndReadBack(): Promise<{ pushed: string; tags: string[]; read: string }>;
    }>('simulation-in-process.ts');
    const out = await pushAndReadBack();
    expect(out.pushed).toMatch(DIGEST);
    expect(out.tags).toEqual(['v1']);
    expect(out.read).toBe(out.pushed);
  });
});

describe('docs/examples/simulation-dockerhub.ts', () => {
  it('token auth, a private repository, and a rate limit reset by the injected clock', async () => {
    const { dockerHubSession } = await example<{
      dockerHubSession(): Promise<{
        remaining: number | undefined;
        limited: string;
        anonymous: string;
        afterWindow: string;
      }>;
    }>('simulation-dockerhub.ts');
    const out = await dockerHubSession();
    expect(out).toEqual({
      remaining: 0,
      limited: 'TOOMANYREQUESTS',
      anonymous: 'UNAUTHORIZED',
      afterWindow: 'ok',
    });
  });
});

describe('docs/examples/simulation-faults.ts', () => {
  it('retries a 503, resumes a reset body and rejects a corrupted one', async () => {
    const { survivesFaults } = await example<{
      survivesFaults(): Promise<{ body: string; corrupted: string; retries: number }>;
    }>('simulation-faults.ts');
    const out = await survivesFaults();
    expect(out.body).toBe('hello, faults');
    expect(out.corrupted).toBe('DIGEST_MISMATCH');
    expect(out.retries).toBeGreaterThanOrEqual(1);
  });
});

describe('docs/examples/simulation-msw.ts', () => {
  it('answers global fetch through msw handlers', async () => {
    const { tagsThroughMsw } = await example<{ tagsThroughMsw(): Promise<string[]> }>(
      'simulation-msw.ts',
    );
    expect(await tagsThroughMsw()).toEqual(['v1', 'v2']);
  });
});

describe('docs/examples/simulation-cassette.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docs-cassette-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  it('records, replays the same results offline, keeps secrets out, names a miss', async () => {
    const { recordThenReplay } = await example<{
      recordThenReplay(dir: string): Promise<{
        recorded: { digest: string; tags: string[] };
        replayed: { digest: string; tags: string[] };
        secretsInFile: number[];
        miss: string;
      }>;
    }>('simulation-cassette.ts');
    const out = await recordThenReplay(dir);
    expect(out.recorded.digest).toMatch(DIGEST);
    expect(out.recorded.tags).toEqual(['v1']);
    expect(out.replayed).toEqual(out.recorded);
    expect(out.secretsInFile).toEqual([]);
    expect(out.miss).toBe('CASSETTE_MISS');
  });
});

describe('docs/examples/simulation-webhooks.ts', () => {
  it('a tagged push reaches a receiver that checks the signature', async () => {
    const { pushFiresWebhook } = await example<{
      pushFiresWebhook(): Promise<{ received: string[]; statuses: number[] }>;
    }>('simulation-webhooks.ts');
    const out = await pushFiresWebhook();
    expect(out.received).toEqual(['team/app:v1']);
    expect(out.statuses).toEqual([200]);
  });
});

describe('docs/examples/simulation-loopback.ts', () => {
  it('skopeo lists the tags pushed over loopback with token auth', async () => {
    const { skopeoListsTags } = await example<{ skopeoListsTags(): Promise<string[]> }>(
      'simulation-loopback.ts',
    );
    expect(await skopeoListsTags()).toEqual(['v1']);
  });
});

// docs/examples/simulation-vitest.test.ts is a suite of its own: loaded at the top level (so its
// test titles, and with them its cassette names, are its own), its tests run in this file and
// replay the cassettes committed under fixtures/cassettes/docs; no registry is dialled.
await example('simulation-vitest.test.ts');

describe('docs/examples/simulation-build-image.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docs-build-image-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  it('builds, writes and pushes a two-platform image with the same digest', async () => {
    const { buildWriteAndPush } = await example<{
      buildWriteAndPush(dir: string): Promise<{
        digest: string;
        pushed: string;
        platforms: unknown[];
        blobFiles: number;
      }>;
    }>('simulation-build-image.ts');
    const out = await buildWriteAndPush(dir);
    expect(out.digest).toMatch(DIGEST);
    expect(out.pushed).toBe(out.digest);
    expect(out.platforms).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
    // 1 shared layer + 2 random layers + 2 configs + 2 manifests + the index
    expect(out.blobFiles).toBe(8);
  });
});
