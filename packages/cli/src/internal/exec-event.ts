import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/**
 * Runs a shell command with a text on its stdin; its stdout and stderr go to `output` (the
 * CLI's stderr, so that the CLI's stdout stays one JSON line per event).
 * @param command - run with `sh -c`
 * @param stdin - what the command reads
 * @param options - environment, output stream, abort signal
 * @returns the command's exit code (or 128 + signal number style -1 when killed)
 * @internal
 */
export function execWithInput(
  command: string,
  stdin: string,
  options: { env: NodeJS.ProcessEnv; output: Writable; signal: AbortSignal },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    child.stdout.on('data', (chunk: Buffer) => options.output.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => options.output.write(chunk));
    child.stdin.on('error', () => undefined); // the command may exit without reading
    child.on('error', reject);
    child.on('close', (code) => {
      resolve(code ?? -1);
    });
    child.stdin.end(stdin);
  });
}
