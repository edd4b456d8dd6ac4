import { createHash } from 'node:crypto';
import { CassetteInvalidError } from '@llmdevops/docker-hub-core';
import { entryProblem, type CassetteBody, type CassetteEntry } from './format.js';
import { type RequestFacts } from './match.js';

/** Stands for the origin a request was sent to in recorded response headers. @internal */
export const ORIGIN_PLACEHOLDER = '{{origin}}';

/** An entry held in memory: what will be written plus what the recorder needs. @internal */
export interface HeldEntry {
  /** The match key under the cassette's options. */
  readonly key: string;
  readonly request: RequestFacts;
  /** Repetition index when recorded (renumbered without gaps when saved). */
  readonly order: number;
  readonly response: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: CassetteBody;
  };
  readonly recordedAt?: string;
  /** The origin a newly recorded request went to (written as {@link ORIGIN_PLACEHOLDER}). */
  readonly origin?: string;
  /** Whether a request of this session was answered with it. */
  used: boolean;
  /** Whether it was recorded in this session. */
  readonly fresh: boolean;
}

/**
 * The identity of a request independent of match options: the order entries are written in
 * and the seed of their ids.
 * @param r - the request facts
 * @returns a string that sorts by method, URL, body hash, then headers
 * @internal
 */
export function identity(r: RequestFacts): string {
  const headers = Object.entries(r.headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([r.method, r.url, r.bodyHash, r.bodySize, headers]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function withPlaceholder(
  headers: Readonly<Record<string, string>>,
  origins: readonly string[],
): Record<string, string> {
  const patterns = origins.map((o) => new RegExp(`${escapeRegExp(o)}(?![\\w.:-])`, 'g'));
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [
      k,
      patterns.reduce((text, p) => text.replace(p, ORIGIN_PLACEHOLDER), v),
    ]),
  );
}

/**
 * Turns held entries into what is written: repetition indexes renumbered per request without
 * gaps, ids derived from the request and its index, recorded origins replaced by
 * {@link ORIGIN_PLACEHOLDER}, the hook applied, and entries sorted by request then index (never by
 * arrival, which varies between runs of parallel clients).
 * @param held - the entries to write
 * @param beforePersist - the caller's hook
 * @param path - the cassette file (for errors)
 * @returns the entries in file order
 * @throws {@link @llmdevops/docker-hub-core!CassetteInvalidError | CassetteInvalidError} when the hook returns an invalid entry
 * @internal
 */
export function persistable(
  held: readonly HeldEntry[],
  beforePersist: ((entry: CassetteEntry) => CassetteEntry) | undefined,
  path: string,
): CassetteEntry[] {
  const origins = [
    ...new Set(held.flatMap((h) => (h.origin === undefined ? [] : [h.origin]))),
  ].sort((a, b) => b.length - a.length);
  const groups = new Map<string, HeldEntry[]>();
  for (const h of held) {
    const id = identity(h.request);
    groups.set(id, [...(groups.get(id) ?? []), h]);
  }
  const out: { sortKey: string; entry: CassetteEntry }[] = [];
  for (const [id, group] of groups) {
    group.sort((a, b) => a.order - b.order);
    group.forEach((h, order) => {
      let entry: CassetteEntry = {
        id: createHash('sha256')
          .update(`${id}#${String(order)}`)
          .digest('hex')
          .slice(0, 16),
        order,
        request: h.request,
        response: {
          status: h.response.status,
          headers: withPlaceholder(h.response.headers, h.origin === undefined ? [] : origins),
          body: h.response.body,
        },
        ...(h.recordedAt === undefined ? {} : { recordedAt: h.recordedAt }),
      };
      if (beforePersist !== undefined) {
        entry = beforePersist(entry);
        const problem = entryProblem(entry);
        if (problem !== undefined)
          throw new CassetteInvalidError(
            `beforePersist returned an entry that does not match the cassette schema (${problem}); nothing was written to ${path}`,
          );
      }
      out.push({
        sortKey: `${identity(entry.request)}#${String(entry.order).padStart(9, '0')}`,
        entry,
      });
    });
  }
  return out.sort((a, b) => compare(a.sortKey, b.sortKey)).map((o) => o.entry);
}
