// Small helpers of the tooling tests: a private TMPDIR (to see what a harness leaves behind), a
// PATH holding only chosen programs (to see how a harness reports a missing one), a port probe
// and a plain node:http client that reports cut-off bodies instead of hiding them.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

/** A directory made for one test file, set as TMPDIR (which `os.tmpdir()` reads on every call). */
export interface PrivateTmp {
  readonly dir: string;
  /** What the harnesses left in it (names). */
  entries(): string[];
  /** Restores TMPDIR and removes the directory. */
  restore(): void;
}

/**
 * Points `os.tmpdir()` at a new empty directory, so a test can see the temporary files a
 * harness makes and check that it removes them.
 * @returns the directory and a way back
 */
export function usePrivateTmpdir(): PrivateTmp {
  const previous = process.env['TMPDIR'];
  // Short: dockerd's unix socket path must stay under 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'tt-'));
  process.env['TMPDIR'] = dir;
  return {
    dir,
    entries: () => readdirSync(dir),
    restore: () => {
      if (previous === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previous;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Where a program is on the current PATH. */
function which(program: string): string {
  return execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim();
}

/**
 * Runs `fn` with PATH holding only a directory of links to `programs` (found on the current PATH)
 * and of the given shell scripts, so every other program is missing.
 * @param programs - real programs to keep
 * @param scripts - fake programs: name to `sh` script body
 * @param fn - what to run meanwhile
 * @returns what `fn` returns
 */
export async function withPath<T>(
  programs: readonly string[],
  scripts: Readonly<Record<string, string>>,
  fn: () => Promise<T>,
): Promise<T> {
  const bin = mkdtempSync(join(tmpdir(), 'path-'));
  for (const program of programs) symlinkSync(which(program), join(bin, program));
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const previous = process.env['PATH'];
  process.env['PATH'] = bin;
  try {
    return await fn();
  } finally {
    process.env['PATH'] = previous;
    rmSync(bin, { recursive: true, force: true });
  }
}

/**
 * Whether nothing accepts connections on a loopback port (the connection is refused).
 * @param port - the port
 * @returns true when refused, false when something answered
 */
export async function refused(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve(true);
      else reject(err);
    });
  });
}

/** What a plain HTTP request got back. */
export interface Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Whether the whole announced body arrived (false: the connection was cut). */
  readonly complete: boolean;
}

/**
 * Sends one request with node:http and collects the answer, also when the body is cut off.
 * Rejects when the connection fails before any answer.
 * @param url - the target (or, with `options.path` an absolute URL, the proxy)
 * @param options - method, headers, path
 * @param body - request body
 * @returns the answer
 */
export async function exchange(
  url: string,
  options: RequestOptions = {},
  body?: Buffer,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('close', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete: res.complete,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `n` bytes of a fixed pattern (byte i is i mod 251). */
export function pattern(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => i % 251));
}

/** Makes a directory (and its parents) and returns it. */
export function dirAt(...parts: string[]): string {
  const dir = join(...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
