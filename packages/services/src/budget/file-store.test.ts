import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@llmdevops/docker-hub-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStore } from './file-store.js';

const TIMES = { reservationMs: 60_000, ticketTtlMs: 10_000 };
const settleArgs = (id: string, remaining: number) => ({
  id,
  ...TIMES,
  rejected: false,
  retryAfterMs: undefined,
  limit: 10,
  remaining,
  windowSeconds: 60,
  source: undefined,
  headers: true,
  ok: true,
});

describe('file budget store', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'budget-file-'));
    path = join(dir, 'budget.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('grants no more than the limit to many stores on one file reserving at once', async () => {
    const first = createFileStore(path, systemClock);
    expect((await first.reserve('k', { id: 'seed', priority: 'low', mode: 'fail', reserve: 0, ...TIMES })).granted).toBe(true);
    await first.settle('k', settleArgs('seed', 9));
    const stores = Array.from({ length: 6 }, () => createFileStore(path, systemClock));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (stores[i % stores.length] ?? first).reserve('k', { id: `r${String(i)}`, priority: 'low', mode: 'fail', reserve: 0, ...TIMES })),
    );
    expect(results.filter((r) => r.granted)).toHaveLength(9);
    const [snap] = await first.snapshot(TIMES);
    expect(snap).toMatchObject({ key: 'k', limit: 10, used: 1, inFlight: 9, remaining: 0 });
    // The state file is whole JSON after every write, and no lock is left behind.
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1 });
    await expect(readFile(`${path}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a lock left by a process that died', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(`${path}.lock`, `${dead.stdout} ${String(Date.now())}`);
    const store = createFileStore(path, systemClock);
    expect((await store.reserve('k', { id: 'a', priority: 'low', mode: 'fail', reserve: 0, ...TIMES })).granted).toBe(true);
  });

  it('waits for a fresh lock whose owner is not written yet instead of taking it over', async () => {
    await writeFile(`${path}.lock`, '');
    const store = createFileStore(path, systemClock);
    const reserving = store.reserve('k', { id: 'a', priority: 'low', mode: 'fail', reserve: 0, ...TIMES });
    await new Promise((r) => setTimeout(r, 300));
    // Still the other writer's lock: taking it over would let two processes change the file at once.
    expect(await readFile(`${path}.lock`, 'utf8')).toBe('');
    await unlink(`${path}.lock`);
    expect((await reserving).granted).toBe(true);
  });

  it('takes over a lock without a readable owner once the file is older than 10 s', async () => {
    await writeFile(`${path}.lock`, 'garbage');
    const old = new Date(Date.now() - 20_000);
    await utimes(`${path}.lock`, old, old);
    const store = createFileStore(path, systemClock);
    expect((await store.reserve('k', { id: 'a', priority: 'low', mode: 'fail', reserve: 0, ...TIMES })).granted).toBe(true);
  });

  it('starts afresh from a damaged state file instead of blocking the fleet', async () => {
    await writeFile(path, '{"version":1,"keys":{"k":');
    const store = createFileStore(path, systemClock);
    expect((await store.reserve('k', { id: 'a', priority: 'low', mode: 'fail', reserve: 0, ...TIMES })).granted).toBe(true);
  });
});
