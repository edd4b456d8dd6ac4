import { existsSync } from 'node:fs';
import {
  CassetteInvalidError,
  ConfigError,
  type Clock,
  type ConfigIssue,
} from '@llmdevops/docker-hub-core';
import { type FetchHandler } from '../serve/fetch/fetch-handler.js';
import { type CassetteEntry } from './format.js';
import { type MatchOptions } from './match.js';
import { type RedactOptions } from './redact.js';

/**
 * Cassette modes:
 *
 * | mode | recorded entries used | a request with no entry | saved on `save()` |
 * |---|---|---|---|
 * | `record` | no (starts empty) | goes upstream, recorded | everything recorded |
 * | `replay` | yes | `CassetteMissError` naming the file and the closest entry (recorded instead with `recordIfMissing`) | nothing (all entries plus new ones with `recordIfMissing`) |
 * | `update` | yes | goes upstream, recorded | used + new entries |
 * | `passthrough` | no | goes upstream, not recorded | nothing |
 * @public
 */
export type CassetteMode = 'record' | 'replay' | 'update' | 'passthrough';

/** Options of {@link createCassette}. @public */
export interface CassetteOptions {
  /** The cassette file (large bodies go to `<path>.blobs/`). */
  readonly path: string;
  /** What is replayed, recorded and written (see {@link CassetteMode}). */
  readonly mode: CassetteMode;
  /** Where unrecorded requests go (required unless `mode` is `replay` without `recordIfMissing`). */
  readonly upstream?: FetchHandler;
  /** Which request parts identify a request on replay. */
  readonly matchRequestsBy?: MatchOptions;
  /** Extra names to redact on top of the built-in rules. */
  readonly redact?: RedactOptions;
  /** In `replay` mode, send a request with no entry upstream and record it (default false). */
  readonly recordIfMissing?: boolean;
  /** Record answers with status 429 or 5xx and upstream network failures' answers (default false). */
  readonly recordFailedRequests?: boolean;
  /** Replay the last recorded answer when a request repeats more often than recorded (default false: a miss). */
  readonly allowRepeats?: boolean;
  /** Called with each redacted entry before it is written; returns the entry to write. */
  readonly beforePersist?: (entry: CassetteEntry) => CassetteEntry;
  /** Stamps each entry's `recordedAt`; without a clock entries carry no time. */
  readonly clock?: Pick<Clock, 'now'>;
  /** The key for request body hashes (at least 16 characters; default: the existing file's, else random). */
  readonly salt?: string;
  /** Largest body stored inline, in bytes (default 64 KiB); larger content-addressed bodies go to `<path>.blobs/`. */
  readonly inlineLimit?: number;
}

const MODES: readonly CassetteMode[] = ['record', 'replay', 'update', 'passthrough'];
const KEYS: readonly (keyof CassetteOptions)[] = [
  'path',
  'mode',
  'upstream',
  'matchRequestsBy',
  'redact',
  'recordIfMissing',
  'recordFailedRequests',
  'allowRepeats',
  'beforePersist',
  'clock',
  'salt',
  'inlineLimit',
];
const MATCH_KEYS = ['headers', 'ignoreQuery', 'body'];
const REDACT_KEYS = ['headers', 'queryParams', 'bodyFields'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNames(
  issues: ConfigIssue[],
  where: string,
  value: unknown,
  allowed: readonly string[],
): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    issues.push({ path: where, message: 'must be an object' });
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!allowed.includes(k)) {
      issues.push({
        path: `${where}.${k}`,
        message: `unknown option; valid: ${allowed.join(', ')}`,
      });
    } else if (k === 'body') {
      if (typeof v !== 'boolean')
        issues.push({ path: `${where}.body`, message: 'must be a boolean' });
    } else if (
      v !== undefined &&
      !(
        Array.isArray(v) && v.every((n) => typeof n === 'string' && /^[\w.!#$%&'*+^`|~-]+$/.test(n))
      )
    ) {
      issues.push({ path: `${where}.${k}`, message: 'must be an array of names' });
    }
  }
}

type RawOptions = { readonly [K in keyof CassetteOptions]?: unknown };

function checkTypes(o: RawOptions, issues: ConfigIssue[]): void {
  for (const k of Object.keys(o))
    if (!(KEYS as readonly string[]).includes(k))
      issues.push({ path: k, message: `unknown option; valid: ${KEYS.join(', ')}` });
  if (typeof o.path !== 'string' || o.path === '')
    issues.push({ path: 'path', message: 'must be a non-empty file path' });
  if (!(MODES as readonly unknown[]).includes(o.mode))
    issues.push({ path: 'mode', message: `must be one of ${MODES.join(', ')}` });
  for (const k of ['upstream', 'beforePersist'] as const)
    if (o[k] !== undefined && typeof o[k] !== 'function')
      issues.push({ path: k, message: 'must be a function' });
  for (const k of ['recordIfMissing', 'recordFailedRequests', 'allowRepeats'] as const)
    if (o[k] !== undefined && typeof o[k] !== 'boolean')
      issues.push({ path: k, message: 'must be a boolean' });
  if (o.clock !== undefined && !(isRecord(o.clock) && typeof o.clock['now'] === 'function'))
    issues.push({ path: 'clock', message: 'must have a now() method' });
  if (o.salt !== undefined && (typeof o.salt !== 'string' || o.salt.length < 16))
    issues.push({ path: 'salt', message: 'must be a string of at least 16 characters' });
  if (
    o.inlineLimit !== undefined &&
    !(Number.isSafeInteger(o.inlineLimit) && Number(o.inlineLimit) >= 0)
  )
    issues.push({ path: 'inlineLimit', message: 'must be a whole number of bytes >= 0' });
  checkNames(issues, 'matchRequestsBy', o.matchRequestsBy, MATCH_KEYS);
  checkNames(issues, 'redact', o.redact, REDACT_KEYS);
}

function checkCombination(o: RawOptions, issues: ConfigIssue[]): void {
  // Only called once checkTypes found no problem, so `mode` is one of MODES.
  const mode = o.mode as CassetteMode;
  if (o.recordIfMissing !== undefined && mode !== 'replay')
    issues.push({
      path: 'recordIfMissing',
      message: `only applies to mode replay (mode ${mode} ${mode === 'update' ? 'always records what is missing' : 'does not replay'})`,
    });
  const needsUpstream = mode !== 'replay' || o.recordIfMissing === true;
  if (needsUpstream && o.upstream === undefined)
    issues.push({
      path: 'upstream',
      message: `is required with mode ${mode}${o.recordIfMissing === true ? ' and recordIfMissing' : ''}`,
    });
}

/**
 * Checks cassette options before anything runs.
 * @param options - what the caller passed
 * @returns the options, typed
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every bad option
 * @throws {@link @llmdevops/docker-hub-core!CassetteInvalidError | CassetteInvalidError} naming the file when `replay` mode (without `recordIfMissing`) has no file to read
 * @internal
 */
export function validateCassetteOptions(options: unknown): CassetteOptions {
  const issues: ConfigIssue[] = [];
  if (!isRecord(options)) {
    issues.push({ path: '', message: 'must be an object' });
    throw new ConfigError(issues, { subject: 'createCassette options' });
  }
  checkTypes(options, issues);
  if (issues.length === 0) checkCombination(options, issues);
  if (issues.length > 0) throw new ConfigError(issues, { subject: 'createCassette options' });
  const valid = options as unknown as CassetteOptions;
  if (valid.mode === 'replay' && valid.recordIfMissing !== true && !existsSync(valid.path))
    throw new CassetteInvalidError(
      `cassette ${valid.path} does not exist; mode replay reads a recorded file (record it with mode record, or pass recordIfMissing and an upstream)`,
    );
  return valid;
}
