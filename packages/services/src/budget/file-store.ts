import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '@llmdevops/docker-hub-core';
import {
  emptyLedger,
  ledgerFromJson,
  ledgerRelease,
  ledgerReserve,
  ledgerSettle,
  ledgerSnapshot,
  type LedgerState,
} from './ledger.js';
import type { BudgetStore, StoreKeySnapshot } from './store.js';
import { BudgetStoreError } from './store-error.js';

/** A lock older than this is taken over even when its owner still seems alive (a hung process). */
const STALE_LOCK_MS = 10_000;
/** How long one operation may wait for the lock before failing. */
const LOCK_WAIT_MS = 5_000;
const LOCK_POLL_MS = 5;

type Keys = Record<string, LedgerState>;

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}

/**
 * The budget of several processes on one machine, in a JSON file next to a lock file. Every
 * operation takes the lock (`PATH.lock`, created exclusively, holding the owner's pid and time),
 * reads the file, applies the ledger and replaces the file atomically (write to a temporary file,
 * flush, rename), so a crash at any point leaves either the old or the new state. A lock left by
 * a process that died is taken over at once; one held longer than 10 s is taken over as hung.
 * @param path - the state file
 * @param clock - time source and the sleeper used while the lock is busy
 * @returns the store
 * @internal
 */
export function createFileStore(path: string, clock: Clock): BudgetStore {
  const lockPath = `${path}.lock`;
  const address = `file://${path}`;
  const failure = (what: string, err: unknown): BudgetStoreError => new BudgetStoreError(`pull budget file ${path}: ${what}`, err);

  async function takeOverIfStale(): Promise<void> {
    let text: string;
    try {
      text = await readFile(lockPath, 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return;
      throw err;
    }
    const [pidText = '', atText = ''] = text.split(' ');
    const pid = Number(pidText);
    const at = Number(atText);
    if (!(Number.isInteger(pid) && pid > 0 && Number.isFinite(at) && at > 0)) {
      // No readable owner (damaged by hand, or a lock an older version was still writing): only
      // its age on disk says it is stale; taking it over at once let two processes in together.
      const age = await stat(lockPath).then(
        (st) => Date.now() - st.mtimeMs,
        () => 0,
      );
      if (age <= STALE_LOCK_MS) return;
    } else {
      const dead = pid !== process.pid && !alive(pid);
      if (!dead && clock.now() - at <= STALE_LOCK_MS) return;
    }
    // Move the stale lock aside atomically (only one process wins), then check it was the stale one.
    const aside = `${lockPath}.${randomBytes(6).toString('hex')}`;
    try {
      await rename(lockPath, aside);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return;
      throw err;
    }
    const moved = await readFile(aside, 'utf8').catch(() => '');
    // Someone took the lock between our read and the rename: give it back.
    if (moved !== text) await link(aside, lockPath).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
  }

  async function lock(): Promise<void> {
    const deadline = clock.now() + LOCK_WAIT_MS;
    await mkdir(dirname(path), { recursive: true });
    for (;;) {
      // The lock appears whole: its owner is written to a file of our own first, then linked to
      // the lock's name (which fails when the lock exists), so nobody reads a lock without owner.
      const draft = `${lockPath}.${randomBytes(6).toString('hex')}.new`;
      try {
        await writeFile(draft, `${String(process.pid)} ${String(clock.now())}`, { mode: 0o600, flag: 'wx' });
        await link(draft, lockPath);
        return;
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw failure(`cannot create the lock file ${lockPath} (${errnoOf(err) ?? 'error'})`, err);
      } finally {
        await unlink(draft).catch(() => undefined);
      }
      await takeOverIfStale();
      if (clock.now() > deadline) throw failure(`the lock file ${lockPath} stayed busy for ${String(LOCK_WAIT_MS / 1000)} s`, undefined);
      await clock.sleep(LOCK_POLL_MS);
    }
  }

  async function read(): Promise<Keys> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return {};
      throw failure(`cannot read it (${errnoOf(err) ?? 'error'})`, err);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      // A file that is not ours (or damaged by hand) starts afresh rather than blocking the fleet.
      return {};
    }
    const keys = typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined;
    const out: Keys = {};
    if (typeof keys === 'object' && keys !== null) {
      for (const [k, v] of Object.entries(keys)) out[k] = ledgerFromJson(v);
    }
    return out;
  }

  async function write(keys: Keys): Promise<void> {
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ version: 1, keys }));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  }

  async function locked<T>(fn: (keys: Keys, now: number) => T): Promise<T> {
    await lock();
    try {
      const keys = await read();
      const result = fn(keys, clock.now());
      await write(keys);
      return result;
    } finally {
      await unlink(lockPath).catch(() => undefined);
    }
  }

  const state = (keys: Keys, key: string): LedgerState => (keys[key] ??= emptyLedger());

  return {
    address,
    kind: 'file',
    reserve: (key, args) => locked((keys, now) => ({ ...ledgerReserve(state(keys, key), { ...args, now }), now })),
    settle: (key, args) =>
      locked((keys, now) => {
        ledgerSettle(state(keys, key), { ...args, now });
      }),
    release: (key, id, times) =>
      locked((keys, now) => {
        ledgerRelease(state(keys, key), id, { ...times, now });
      }),
    snapshot: (times) =>
      locked((keys, now) => {
        const out: StoreKeySnapshot[] = Object.entries(keys).map(([key, s]) => ({ key, now, ...ledgerSnapshot(s, { ...times, now }) }));
        return out.sort((a, b) => a.key.localeCompare(b.key));
      }),
    peek: (key, times) =>
      locked((keys, now) => {
        const s = keys[key];
        return s === undefined ? undefined : ledgerSnapshot(s, { ...times, now });
      }),
    close: () => Promise.resolve(),
  };
}
