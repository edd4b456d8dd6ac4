import { ValidationError } from '@llmdevops/docker-hub-core';

/**
 * Why an archive was refused:
 * - `not-tar`: a header block fails its checksum or its fields cannot be read;
 * - `truncated`: the archive ends inside a header, an entry or before its end-of-archive blocks;
 * - `absolute-path`, `parent-path`, `bad-name`: an entry name is absolute, has a `..` segment, or
 *   is empty, contains NUL or is longer than allowed;
 * - `link-escape`: a symbolic or hard link points outside the archive;
 * - `link-target`: a hard link names no earlier entry, or a link chain does not end at a file;
 * - `duplicate`: two entries have the same name;
 * - `entry-type`: an entry is a device, FIFO or another kind an image archive never holds;
 * - `corrupt`: a compressed layer does not decompress;
 * - `missing`: a file the archive's own index names is not in it;
 * - `layout`: `manifest.json` or `index.json` is missing or malformed, or no image matches.
 * @public
 */
export type ArchiveProblem =
  | 'not-tar'
  | 'truncated'
  | 'absolute-path'
  | 'parent-path'
  | 'bad-name'
  | 'link-escape'
  | 'link-target'
  | 'duplicate'
  | 'entry-type'
  | 'corrupt'
  | 'missing'
  | 'layout';

/**
 * An image archive (tar) that is refused (code `INVALID_ARGUMENT`): `problem` says why and
 * `entry` names the tar entry, when one is to blame. Nothing from such an archive is pushed.
 * @example
 * ```ts
 * if (err instanceof ArchiveInvalidError && err.problem === 'link-escape') console.error(err.entry);
 * ```
 * @public
 */
export class ArchiveInvalidError extends ValidationError {
  /** Why the archive was refused. */
  readonly problem: ArchiveProblem;
  /** The entry at fault, if any. */
  readonly entry: string | undefined;

  /**
   * @param problem - why
   * @param message - what is wrong, naming the entry
   * @param entry - the entry at fault
   */
  constructor(problem: ArchiveProblem, message: string, entry?: string) {
    super('INVALID_ARGUMENT', `image archive refused (${problem}): ${message}`, entry ?? '');
    this.problem = problem;
    this.entry = entry;
  }
}
