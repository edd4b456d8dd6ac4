import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes; injectable so tests run commands in-process. @public */
export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (progress display on). */
  readonly stderrIsTTY: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** Working directory relative paths resolve against (default `process.cwd()`). */
  readonly cwd?: string;
}

/**
 * The process's own streams and environment, with a signal aborted by the first SIGINT or SIGTERM
 * (a second one exits at once, as usual for command-line tools).
 * @returns the io and a function that removes the signal handlers
 * @public
 */
export function processIo(): { io: CliIo; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    io: {
      stdout: process.stdout,
      stderr: process.stderr,
      // On first use: for a pipe or file, Node builds `process.stdin` from its fs streams (several
      // ms), and most commands never read it.
      get stdin() {
        return process.stdin;
      },
      env: process.env,
      stderrIsTTY: process.stderr.isTTY,
      signal: controller.signal,
      cwd: process.cwd(),
    },
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Writes text to a stream and waits until it is flushed (so piping to `head` works). A closed
 * pipe (EPIPE) ends the write quietly: the reader has seen enough.
 * @param stream - where to write
 * @param text - what to write
 * @returns when written
 * @internal
 */
export function write(stream: Writable, text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.destroyed || stream.writableEnded) {
      resolve();
      return;
    }
    stream.write(text, (err) => {
      if (err == null || (err as { code?: unknown }).code === 'EPIPE') resolve();
      else reject(err);
    });
  });
}

/**
 * Writes one line (a newline is added).
 * @param stream - where to write
 * @param line - the text
 * @returns when written
 * @internal
 */
export function writeLine(stream: Writable, line: string): Promise<void> {
  return write(stream, `${line}\n`);
}

/**
 * Writes a value as one JSON document on its own line.
 * @param stream - where to write
 * @param value - what to serialise (`toJSON` is honoured, so `Secret`s stay redacted)
 * @returns when written
 * @internal
 */
export function writeJson(stream: Writable, value: unknown): Promise<void> {
  return write(stream, `${JSON.stringify(value, null, 2)}\n`);
}
