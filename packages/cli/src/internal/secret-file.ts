import { open } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Largest secret or users file read, in bytes. @internal */
export const SECRET_FILE_MAX_BYTES = 64 * 1024;

/** A secret file that cannot be used; the caller turns it into a usage error. @internal */
export class SecretFileError extends Error {
  override readonly name = 'SecretFileError';
}

/**
 * Reads a small file that holds secrets (a webhook secret, `NAME:PASSWORD` lines), refusing
 * anything over {@link SECRET_FILE_MAX_BYTES} without reading further, so `/dev/zero` or a huge
 * file fails at once. The error names the option and the path, never the content.
 * @param label - the option or variable, e.g. `--secret-file`
 * @param path - the path given (relative to `cwd`)
 * @param cwd - the working directory
 * @returns the text
 * @throws SecretFileError when the file cannot be read, is a directory or is too large
 * @internal
 */
export async function readSecretFile(
  label: string,
  path: string,
  cwd: string | undefined,
): Promise<string> {
  if (path === '') throw new SecretFileError(`${label} needs a file name`);
  let handle;
  try {
    handle = await open(resolve(cwd ?? '.', path), 'r');
  } catch (err) {
    throw new SecretFileError(`cannot read ${label} ${path}: ${reason(err)}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.alloc(16 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > SECRET_FILE_MAX_BYTES)
        throw new SecretFileError(`${label} ${path} is larger than ${SECRET_FILE_MAX_BYTES} bytes`);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof SecretFileError) throw err;
    throw new SecretFileError(`cannot read ${label} ${path}: ${reason(err)}`);
  } finally {
    await handle.close();
  }
}

function reason(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The secret held in a file: its text without one trailing line break; it must be one
 * non-empty line.
 * @param label - the option or variable, e.g. `--secret-file`
 * @param path - the path given
 * @param cwd - the working directory
 * @returns the secret
 * @throws SecretFileError when unreadable, empty or several lines
 * @internal
 */
export async function readSecretLine(
  label: string,
  path: string,
  cwd: string | undefined,
): Promise<string> {
  const text = (await readSecretFile(label, path, cwd)).replace(/\r?\n$/, '');
  if (text === '') throw new SecretFileError(`${label} ${path} is empty`);
  if (/[\r\n]/.test(text))
    throw new SecretFileError(`${label} ${path} must hold the secret on one line`);
  return text;
}
