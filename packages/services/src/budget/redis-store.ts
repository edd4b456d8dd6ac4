import { isIP } from 'node:net';
import { createHash } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import { DEFAULT_WINDOW_MS, type LedgerSnapshot, type ReserveResult } from './ledger.js';
import { LEDGER_SCRIPT } from './redis-script.js';
import { BudgetStoreError } from './store-error.js';
import type { BudgetStore, StoreKeySnapshot, StoreReserveResult } from './store.js';

/** Key prefix of every budget key in Redis. */
const PREFIX = 'dhub:budget:';
/** The set of budget keys, for `status()`. */
const INDEX = `${PREFIX}keys`;
/** Connect and per-command bound, so a dead or stopped Redis fails within seconds. */
const REDIS_TIMEOUT_MS = 2_000;

let scriptSha: string | undefined;

/** The ledger script's SHA-1 (its `EVALSHA` name), computed on first use, not when services load. */
function ledgerScriptSha(): string {
  scriptSha ??= createHash('sha1').update(LEDGER_SCRIPT).digest('hex');
  return scriptSha;
}

/**
 * A Redis URL for messages: scheme, host, port and database, never the user or password.
 * @param url - `redis://` or `rediss://` URL
 * @returns e.g. `redis://127.0.0.1:6379/0`
 * @internal
 */
export function redisAddress(url: URL): string {
  const db = url.pathname.replace(/^\/+/, '') || '0';
  return `${url.protocol}//${url.hostname}:${url.port || '6379'}/${db}`;
}

function codeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string') return message.replace(/\s+/g, ' ').slice(0, 120);
  }
  return 'unknown error';
}

/** Host, port, database, credentials and TLS of a `redis://` or `rediss://` URL, for ioredis. */
function redisConnectOptions(url: URL): { host: string; port: number; db: number; username?: string; password?: string; tls?: object } {
  const db = Number(url.pathname.replace(/^\//, '') || '0');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: url.port === '' ? 6379 : Number(url.port),
    db: Number.isSafeInteger(db) && db >= 0 ? db : 0,
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    // SNI names only: a server name that is an IP address is not allowed (RFC 6066).
    ...(url.protocol === 'rediss:' ? { tls: isIP(host) === 0 ? { servername: host } : {} } : {}),
  };
}

/** The client class, whichever way the module system hands ioredis (ESM named export, or CommonJS default in a bundle). */
function redisConstructor(mod: unknown): typeof RedisClient {
  const m = mod as { Redis?: unknown; default?: { Redis?: unknown } | undefined };
  const found = [m.Redis, m.default?.Redis, m.default].find((c) => typeof c === 'function');
  if (found === undefined) throw new TypeError('ioredis exports no Redis client class');
  return found as typeof RedisClient;
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** The script's snapshot answer as a ledger snapshot. */
function snapshotOf(r: Record<string, unknown>): LedgerSnapshot {
  return {
    limit: num(r['limit']),
    windowSeconds: num(r['windowSeconds']) ?? DEFAULT_WINDOW_MS / 1000,
    remaining: num(r['remaining']) ?? 0,
    used: num(r['used']) ?? 0,
    inFlight: num(r['inFlight']) ?? 0,
    waiters: num(r['waiters']) ?? 0,
    nextAt: num(r['nextAt']),
    blockedUntil: num(r['blockedUntil']),
    lastRemaining: num(r['lastRemaining']),
    lastObservedAt: num(r['lastObservedAt']),
    source: typeof r['source'] === 'string' ? r['source'] : undefined,
  };
}

/**
 * The budget of a fleet, in Redis: one Lua script (`redis-script.ts`) applies the ledger
 * atomically with the server's clock. The client (`ioredis`, an optional peer dependency) is
 * loaded only here, on first use; it connects lazily, keeps no offline queue and bounds every
 * command, so an unreachable or stopped Redis fails within seconds with a `NetworkError` naming
 * Redis and its address (code `BUDGET_STORE_UNAVAILABLE`), never a hang.
 * @param url - `redis://[user:password@]host:port/db` or `rediss://...`
 * @returns the store
 * @internal
 */
export function createRedisStore(url: URL): BudgetStore {
  const address = redisAddress(url);
  let client: Promise<RedisClient> | undefined;
  let closed = false;
  // The latest connection error (ECONNREFUSED, ...): ioredis reports a lost connection to the
  // command only as "Connection is closed", so messages name this cause instead.
  let connectionError: { readonly error: unknown; readonly at: number } | undefined;
  const failure = (what: string, err: unknown): BudgetStoreError => {
    const recent = connectionError !== undefined && Date.now() - connectionError.at < 30_000 ? connectionError.error : undefined;
    const cause = codeOf(err).startsWith('ERR') || recent === undefined ? err : recent;
    return new BudgetStoreError(`Redis at ${address} ${what} (${codeOf(cause)}); the shared pull budget cannot be used`, cause);
  };

  async function connect(): Promise<RedisClient> {
    let Redis: typeof RedisClient;
    try {
      Redis = redisConstructor(await import('ioredis'));
    } catch (err) {
      throw failure('cannot be used: the optional package ioredis is not installed (npm install ioredis)', err);
    }
    // Options from the WHATWG URL rather than the URL string: ioredis parses a string with the
    // legacy url.parse(), which Node 24 warns about on stderr.
    const redis = new Redis({
      ...redisConnectOptions(url),
      lazyConnect: true,
      connectTimeout: REDIS_TIMEOUT_MS,
      commandTimeout: REDIS_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      // Reconnect in the background (a restarted Redis is used again); commands meanwhile fail fast.
      retryStrategy: (times) => Math.min(times * 200, 1_000),
    });
    // Errors surface on the commands (named by `failure`); this keeps ioredis from reporting them as unhandled.
    redis.on('error', (error: unknown) => {
      connectionError = { error, at: Date.now() };
    });
    redis.on('ready', () => {
      connectionError = undefined;
    });
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw failure('is unreachable', err);
    }
    return redis;
  }

  async function redisClient(): Promise<RedisClient> {
    if (closed) throw failure('is closed', new Error('closed'));
    client ??= connect();
    try {
      return await client;
    } catch (err) {
      client = undefined;
      throw err;
    }
  }

  async function run(key: string, op: string, args: object): Promise<Record<string, unknown>> {
    const redis = await redisClient();
    const json = JSON.stringify(args);
    const stateKey = `${PREFIX}{${key}}`;
    let out: unknown;
    try {
      try {
        out = await redis.evalsha(ledgerScriptSha(), 1, stateKey, op, json);
      } catch (err) {
        if (!codeOf(err).includes('NOSCRIPT')) throw err;
        out = await redis.eval(LEDGER_SCRIPT, 1, stateKey, op, json);
      }
    } catch (err) {
      throw failure('failed', err);
    }
    const parsed: unknown = typeof out === 'string' ? JSON.parse(out) : {};
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }

  async function index(key: string): Promise<void> {
    const redis = await redisClient();
    try {
      await redis.sadd(INDEX, key);
    } catch (err) {
      throw failure('failed', err);
    }
  }

  return {
    address,
    kind: 'Redis',
    async reserve(key, args) {
      const r = await run(key, 'reserve', args);
      const now = num(r['now']) ?? Date.now();
      if (r['granted'] === true) {
        await index(key);
        return { granted: true, now };
      }
      const result: ReserveResult = {
        granted: false,
        ahead: num(r['ahead']) ?? 0,
        remaining: num(r['remaining']) ?? 0,
        nextAt: num(r['nextAt']),
      };
      return { ...result, now } satisfies StoreReserveResult;
    },
    async settle(key, args) {
      await run(key, 'settle', args);
    },
    async release(key, id, times) {
      await run(key, 'release', { id, ...times });
    },
    async snapshot(times) {
      const redis = await redisClient();
      let keys: string[];
      try {
        keys = await redis.smembers(INDEX);
      } catch (err) {
        throw failure('failed', err);
      }
      const out: StoreKeySnapshot[] = [];
      for (const key of keys.sort()) {
        const r = await run(key, 'snapshot', times);
        if (r['missing'] === true) {
          await redis.srem(INDEX, key).catch(() => undefined);
          continue;
        }
        out.push({ key, now: num(r['now']) ?? Date.now(), ...snapshotOf(r) });
      }
      return out;
    },
    async peek(key, times) {
      const r = await run(key, 'snapshot', times);
      return r['missing'] === true ? undefined : snapshotOf(r);
    },
    async close() {
      if (closed) return;
      closed = true;
      const pending = client;
      client = undefined;
      const redis = await pending?.catch(() => undefined);
      if (redis === undefined) return;
      await redis.quit().catch(() => {
        redis.disconnect();
      });
    },
  };
}
