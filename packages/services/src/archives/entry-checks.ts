import { LimitExceededError } from '@llmdevops/docker-hub-core';
import { ArchiveInvalidError } from './archive-error.js';
import type { TarEntryType } from './tar-format.js';

/**
 * Normalises an entry name, refusing absolute paths, `..` segments and NUL.
 * @returns the name without `./` and trailing `/`; empty for the archive's root directory
 */
function normalizeName(raw: string): string {
  if (raw.includes('\0')) throw new ArchiveInvalidError('bad-name', `entry name ${JSON.stringify(raw)} contains NUL`, raw);
  if (raw.startsWith('/')) throw new ArchiveInvalidError('absolute-path', `entry ${raw} has an absolute path`, raw);
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new ArchiveInvalidError('parent-path', `entry ${raw} has a ".." segment`, raw);
  return segments.join('/');
}

/** Resolves a symbolic link's target against the link's directory, refusing an escape. */
function resolveSymlink(name: string, target: string): string {
  if (target.startsWith('/')) throw new ArchiveInvalidError('link-escape', `symbolic link ${name} points at the absolute path ${target}`, name);
  const parts = name.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') parts.push(segment);
    else if (parts.pop() === undefined) throw new ArchiveInvalidError('link-escape', `symbolic link ${name} -> ${target} points outside the archive`, name);
  }
  return parts.join('/');
}

/**
 * The checks on each entry of one archive read: names are relative without `..`, links stay
 * inside, no name appears twice, at most `maxEntries` entries. Remembers what it saw.
 * @internal
 */
export class EntryChecker {
  readonly #seen = new Map<string, TarEntryType>();
  readonly #maxEntries: number;

  /** @param maxEntries - the cap on entries */
  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /**
   * Checks one entry.
   * @param rawName - its name as the header (or pax, or GNU long name) gives it
   * @param type - its kind
   * @param rawLink - its link target, for links
   * @returns the normalised name and resolved link target; undefined for the archive root `./`
   * @throws {@link ArchiveInvalidError} for an unsafe name or link, or a duplicate
   * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} (`maxEntries`)
   */
  check(rawName: string, type: TarEntryType, rawLink: string): { name: string; target?: string } | undefined {
    const name = normalizeName(rawName);
    if (name === '') {
      if (type === 'directory') return undefined; // the archive's own root ("./")
      throw new ArchiveInvalidError('bad-name', `an entry of type ${type} has an empty name`, rawName);
    }
    if (this.#seen.has(name)) throw new ArchiveInvalidError('duplicate', `entry ${name} appears twice`, name);
    if (this.#seen.size >= this.#maxEntries) throw new LimitExceededError('maxEntries', this.#maxEntries, 'entries of the archive');
    this.#seen.set(name, type);
    if (type === 'symlink') return { name, target: resolveSymlink(name, rawLink) };
    if (type === 'hardlink') {
      if (rawLink.startsWith('/') || rawLink.split('/').includes('..')) {
        throw new ArchiveInvalidError('link-escape', `hard link ${name} -> ${rawLink} points outside the archive`, name);
      }
      const target = normalizeName(rawLink);
      const kind = this.#seen.get(target);
      if (target === name || (kind !== 'file' && kind !== 'hardlink' && kind !== 'symlink')) {
        throw new ArchiveInvalidError('link-target', `hard link ${name} -> ${rawLink} names no earlier file`, name);
      }
      return { name, target };
    }
    return { name };
  }
}
