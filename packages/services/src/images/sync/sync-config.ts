import { readFile } from 'node:fs/promises';
import { ConfigError, ImageReference, Platform, type ConfigIssue } from '@llmdevops/docker-hub-core';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';
import { compileTagFilter, type TagFilterOptions } from '../../tags/tag-filter.js';

/** What a sync entry (or the defaults) may set besides source and target. @public */
export interface SyncSettings {
  /** Which tags (include/exclude patterns, semver range, last N); default every tag. */
  readonly tags?: TagFilterOptions;
  /** Platforms to copy (default the whole image). */
  readonly platforms?: readonly string[];
  /** Copy each tag's referrers too (signatures, SBOMs, attestations). */
  readonly referrers?: boolean;
  /** Tags copied at once for this entry (default 4). */
  readonly jobs?: number;
}

/** One repository to keep in sync. @public */
export interface SyncEntry extends SyncSettings {
  /** The source repository, e.g. `docker.io/library/alpine` (no tag or digest). */
  readonly source: string;
  /** The target repository (no tag or digest). */
  readonly target: string;
}

/** A declarative list of repository copies (what `dhub sync FILE.yaml` reads). @public */
export interface SyncConfig {
  /** Settings every entry starts from; an entry's own `tags` fields, `platforms`, `referrers` and `jobs` win. */
  readonly defaults?: SyncSettings;
  /** The repositories to copy. */
  readonly syncs: readonly SyncEntry[];
  /** Entries run at once (default 1). */
  readonly parallel?: number;
}

const TOP_KEYS = ['defaults', 'syncs', 'parallel'] as const;
const SETTINGS_KEYS = ['tags', 'platforms', 'referrers', 'jobs'] as const;
const ENTRY_KEYS = ['source', 'target', ...SETTINGS_KEYS] as const;
const TAG_KEYS = ['include', 'exclude', 'semver', 'last'] as const;

/** Collects issues with file, line and column. */
class Checker {
  readonly issues: ConfigIssue[] = [];
  readonly #lines: LineCounter;
  readonly #file: string;

  constructor(lines: LineCounter, file: string) {
    this.#lines = lines;
    this.#file = file;
  }

  /** `file:line:column` of a node (the document start when there is none). */
  where(node: Node | null | undefined): string {
    const { line, col } = this.#lines.linePos(node?.range?.[0] ?? 0);
    return `${this.#file}:${line}:${col}`;
  }

  add(path: string, node: Node | null | undefined, message: string): void {
    this.issues.push({ path, message: `${message} (at ${this.where(node)})` });
  }

  /** The map's known keys as values; unknown or duplicate keys are reported. */
  fields(map: YAMLMap, path: string, known: readonly string[]): Map<string, Node | null> {
    const out = new Map<string, Node | null>();
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const keyNode = isScalar(pair.key) ? pair.key : null;
      const at = path === '' ? (key ?? '?') : `${path}.${key ?? '?'}`;
      if (key === undefined || !known.includes(key)) {
        this.add(at, keyNode, `unknown key; expected one of ${known.join(', ')}`);
        continue;
      }
      out.set(key, (pair.value as Node | null) ?? null);
    }
    return out;
  }

  string(node: Node | null | undefined, path: string): string | undefined {
    if (isScalar(node) && typeof node.value === 'string' && node.value !== '') return node.value;
    this.add(path, node, 'must be a non-empty string');
    return undefined;
  }

  count(node: Node | null | undefined, path: string): number | undefined {
    if (isScalar(node) && typeof node.value === 'number' && Number.isSafeInteger(node.value) && node.value >= 1) return node.value;
    this.add(path, node, 'must be a whole number of at least 1');
    return undefined;
  }

  strings(node: Node | null | undefined, path: string): string[] | undefined {
    if (isScalar(node)) {
      const one = this.string(node, path);
      return one === undefined ? undefined : [one];
    }
    if (isSeq(node)) {
      const out: string[] = [];
      node.items.forEach((item, i) => {
        const s = this.string(item as Node, `${path}.${i}`);
        if (s !== undefined) out.push(s);
      });
      return out.length === node.items.length ? out : undefined;
    }
    this.add(path, node, 'must be a string or a list of strings');
    return undefined;
  }
}

function checkTags(c: Checker, node: Node | null | undefined, path: string): TagFilterOptions | undefined {
  if (!isMap(node)) {
    c.add(path, node, `must be a mapping of ${TAG_KEYS.join(', ')}`);
    return undefined;
  }
  const f = c.fields(node, path, TAG_KEYS);
  const out: { include?: string[]; exclude?: string[]; semver?: string; last?: number } = {};
  for (const key of ['include', 'exclude'] as const) {
    const value = f.get(key);
    if (value === undefined) continue;
    const list = c.strings(value, `${path}.${key}`);
    if (list === undefined) continue;
    // Each pattern checked on its own, so the issue points at the bad one.
    list.forEach((pattern, i) => {
      try {
        compileTagFilter({ [key]: pattern });
        out[key] = [...(out[key] ?? []), pattern];
      } catch (err) {
        const at = isSeq(value) ? (value.items[i] as Node) : value;
        c.add(`${path}.${key}`, at, err instanceof Error ? err.message : String(err));
      }
    });
  }
  const semver = f.get('semver');
  if (semver !== undefined) {
    const range = c.string(semver, `${path}.semver`);
    if (range !== undefined) {
      try {
        compileTagFilter({ semver: range });
        out.semver = range;
      } catch (err) {
        c.add(`${path}.semver`, semver, err instanceof Error ? err.message : String(err));
      }
    }
  }
  const last = f.get('last');
  if (last !== undefined) {
    const n = c.count(last, `${path}.last`);
    if (n !== undefined) out.last = n;
  }
  return out;
}

function checkSettings(c: Checker, f: Map<string, Node | null>, path: string): SyncSettings {
  const out: { tags?: TagFilterOptions; platforms?: string[]; referrers?: boolean; jobs?: number } = {};
  const prefix = path === '' ? '' : `${path}.`;
  const tags = f.get('tags');
  if (tags !== undefined) {
    const t = checkTags(c, tags, `${prefix}tags`);
    if (t !== undefined) out.tags = t;
  }
  const platforms = f.get('platforms');
  if (platforms !== undefined) {
    const list = c.strings(platforms, `${prefix}platforms`);
    if (list !== undefined) {
      const ok = list.filter((p, i) => {
        try {
          Platform.parse(p);
          return true;
        } catch (err) {
          c.add(`${prefix}platforms`, isSeq(platforms) ? (platforms.items[i] as Node) : platforms, err instanceof Error ? err.message : String(err));
          return false;
        }
      });
      if (ok.length === list.length) out.platforms = list;
    }
  }
  const referrers = f.get('referrers');
  if (referrers !== undefined) {
    if (isScalar(referrers) && typeof referrers.value === 'boolean') out.referrers = referrers.value;
    else c.add(`${prefix}referrers`, referrers, 'must be true or false');
  }
  const jobs = f.get('jobs');
  if (jobs !== undefined) {
    const n = c.count(jobs, `${prefix}jobs`);
    if (n !== undefined) out.jobs = n;
  }
  return out;
}

function checkRepository(c: Checker, node: Node | null | undefined, path: string): string | undefined {
  const text = c.string(node, path);
  if (text === undefined) return undefined;
  try {
    const ref = ImageReference.parse(text);
    const last = text.slice(text.lastIndexOf('/') + 1);
    if (ref.digest !== undefined || last.includes(':')) {
      c.add(path, node, `must be a repository without tag or digest, got "${text}"`);
      return undefined;
    }
    return text;
  } catch (err) {
    c.add(path, node, err instanceof Error ? err.message : String(err));
    return undefined;
  }
}

/**
 * Parses and checks a sync file: `defaults`, `syncs` (each with `source`, `target`, and optional
 * `tags` { `include`, `exclude` (a pattern or a list), `semver`, `last` }, `platforms`,
 * `referrers`, `jobs`) and `parallel`. Every problem is reported at once, each with the file,
 * line and column: YAML syntax, unknown keys, wrong types, invalid patterns, ranges, platforms or
 * repositories.
 * @param text - the YAML document
 * @param file - the file name, for messages
 * @returns the configuration
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every problem with `file:line:column`
 * @example
 * ```ts
 * const config = parseSyncConfig(await readFile('sync.yaml', 'utf8'), 'sync.yaml');
 * await client.images.sync(config);
 * ```
 * @public
 */
export function parseSyncConfig(text: string, file = 'sync file'): SyncConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const c = new Checker(lines, file);
  const subject = { subject: `sync file ${file}` };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({ path: '', message: `${e.message.split('\n')[0] ?? 'invalid YAML'} (at ${file}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1})` })),
      subject,
    );
  }
  const root = doc.contents;
  if (!isMap(root)) throw new ConfigError([{ path: '', message: `must be a mapping with "syncs" (at ${c.where(root)})` }], subject);
  const top = c.fields(root, '', TOP_KEYS);
  const defaultsNode = top.get('defaults');
  let defaults: SyncSettings | undefined;
  if (defaultsNode !== undefined) {
    if (isMap(defaultsNode)) defaults = checkSettings(c, c.fields(defaultsNode, 'defaults', SETTINGS_KEYS), 'defaults');
    else c.add('defaults', defaultsNode, 'must be a mapping');
  }
  const parallelNode = top.get('parallel');
  const parallel = parallelNode === undefined ? undefined : c.count(parallelNode, 'parallel');
  const syncsNode = top.get('syncs');
  const syncs: SyncEntry[] = [];
  if (syncsNode === undefined) c.add('syncs', root, 'is missing: list the repositories to copy');
  else if (!isSeq(syncsNode) || syncsNode.items.length === 0) c.add('syncs', syncsNode, 'must be a non-empty list');
  else {
    syncsNode.items.forEach((item, i) => {
      const path = `syncs.${i}`;
      if (!isMap(item)) {
        c.add(path, item as Node, 'must be a mapping with source and target');
        return;
      }
      const f = c.fields(item, path, ENTRY_KEYS);
      const source = f.has('source') ? checkRepository(c, f.get('source'), `${path}.source`) : (c.add(`${path}.source`, item, 'is missing'), undefined);
      const target = f.has('target') ? checkRepository(c, f.get('target'), `${path}.target`) : (c.add(`${path}.target`, item, 'is missing'), undefined);
      const settings = checkSettings(c, f, path);
      if (source !== undefined && target !== undefined) syncs.push({ source, target, ...settings });
    });
  }
  if (c.issues.length > 0) throw new ConfigError(c.issues, subject);
  return { syncs, ...(defaults === undefined ? {} : { defaults }), ...(parallel === undefined ? {} : { parallel }) };
}

/**
 * Reads and checks a sync file (see {@link parseSyncConfig}).
 * @param path - the file
 * @returns the configuration
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} when it cannot be read or is invalid
 * @public
 */
export async function loadSyncFile(path: string): Promise<SyncConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path, message: `cannot read the sync file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})` }], { subject: 'sync file' });
  }
  return parseSyncConfig(text, path);
}
