import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Platform } from '@llmdevops/docker-hub-core';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { COMMANDS } from '../src/commands/index.js';
import { type CliIo } from '../src/io.js';
import { runCli } from '../src/main.js';
import { generateImage, type GeneratedImage } from '../src/internal/demo-image.js';
import { writeImageLayout } from '../src/internal/layout-writer.js';

/** The built binary. */
export const BIN = fileURLToPath(new URL('../bin/dhub.js', import.meta.url));

/** What a run produced. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

/** A clean environment: no Docker Hub credentials from the machine, a private DOCKER_CONFIG. */
export async function cleanEnv(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const home = await mkdtemp(join(tmpdir(), 'dhub-home-'));
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    ...extra,
  };
}

function collect(stream: PassThrough): () => Buffer {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks);
}

/** Streams for one in-process `dhub` run, with what it wrote so far. */
export interface MemoryIo {
  readonly io: CliIo;
  /** Standard output so far, as UTF-8. */
  out(): string;
  /** Standard output so far, as bytes. */
  outBytes(): Buffer;
  /** Standard error so far, as UTF-8. */
  err(): string;
}

/**
 * In-memory streams for `runCli`: captured stdout and stderr, stdin from a string.
 * @param options - environment (default none), stdin, working directory, signal, TTY flag
 * @returns the io and readers of what was written
 */
export function memoryIo(
  options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string; signal?: AbortSignal; tty?: boolean } = {},
): MemoryIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const io: CliIo = {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    stderrIsTTY: options.tty ?? false,
    signal: options.signal ?? new AbortController().signal,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  };
  return { io, out: () => out().toString('utf8'), outBytes: out, err: () => err().toString('utf8') };
}

/** Runs `dhub` in-process with captured streams. */
export async function runInProcess(
  argv: readonly string[],
  options: {
    env: NodeJS.ProcessEnv;
    stdin?: string;
    cwd?: string;
    signal?: AbortSignal;
    tty?: boolean;
  },
): Promise<RunResult> {
  const { io, out, outBytes, err } = memoryIo(options);
  const code = await runCli(argv, io, COMMANDS);
  return { code, stdout: out(), stdoutBytes: outBytes(), stderr: err() };
}

/** Runs the built `dhub` binary as a subprocess. */
export function runBin(
  argv: readonly string[],
  options: { env: NodeJS.ProcessEnv; stdin?: string; cwd?: string },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      env: options.env,
      cwd: options.cwd,
      stdio: 'pipe',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? -1,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** A long-running `dhub` subprocess whose first output line names its URL. */
export interface Background {
  readonly url: string;
  readonly host: string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
}

/** Starts `dhub serve ...` or `dhub webhook listen ...` and waits for `listening URL`. */
export function startBackground(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  from: 'stdout' | 'stderr' = 'stdout',
): Promise<Background> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<number>((r) =>
      child.on('close', (code) => {
        r(code ?? -1);
      }),
    );
    const check = (): void => {
      const match = /listening (http:\/\/\S+)/.exec(from === 'stdout' ? out : err);
      if (match?.[1] === undefined) return;
      const url = match[1];
      resolve({
        url,
        host: new URL(url).host,
        stop: async (signal = 'SIGINT') => {
          child.kill(signal);
          return exited;
        },
        stdout: () => out,
        stderr: () => err,
      });
    };
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      check();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString('utf8');
      check();
    });
    void exited.then((code) => {
      reject(new Error(`dhub ${argv.join(' ')} exited with ${code} before listening: ${err}`));
    });
  });
}

/** A generated two-platform image written as an OCI layout. */
export async function writeTestLayout(
  dir: string,
  refName: string,
  text = 'test image',
): Promise<GeneratedImage> {
  const image = generateImage([Platform.parse('linux/amd64'), Platform.parse('linux/arm64')], text);
  await writeImageLayout(dir, image, refName);
  return image;
}

/**
 * Starts a long-running command (`serve`, `webhook listen`) in-process with captured streams;
 * resolves once it printed `listening URL`.
 */
export async function startInProcess(
  argv: string[],
  env: NodeJS.ProcessEnv,
  from: 'stdout' | 'stderr',
) {
  const controller = new AbortController();
  const { io, out, err } = memoryIo({ env, signal: controller.signal });
  const done = runCli(argv, io, COMMANDS);
  const printed = from === 'stdout' ? out : err;
  for (let i = 0; i < 400 && !printed().includes('listening http'); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const url = /listening (\S+)/.exec(printed())?.[1] ?? '';
  return {
    url,
    host: new URL(url).host,
    out,
    err,
    stop: async () => {
      controller.abort(new Error('test done'));
      return done;
    },
  };
}

/** The Trivy report fixture the Hub suites attach. */
export const TRIVY_REPORT = new URL('../../../fixtures/vuln-reports/trivy-alpine.json', import.meta.url);

/**
 * Attaches the Trivy fixture to an image on the simulator, as a scanner would.
 * @param hubUrl - the simulator's Hub API URL
 * @param ref - the image
 * @param env - the environment with its credentials
 */
export async function attachTrivyReport(hubUrl: string, ref: string, env: NodeJS.ProcessEnv): Promise<void> {
  const client = new DockerHubClient({ hubUrl }, { env });
  try {
    await client.vulnerabilities.attach(ref, await readFile(TRIVY_REPORT, 'utf8'));
  } finally {
    await client.close();
  }
}

/** A simulator on loopback holding one small artifact, and a client environment for it. */
export interface SeededSimulator {
  /** `host:port/<repository>:1`, the artifact's reference. */
  readonly ref: string;
  /** A clean environment, logged in when the simulator asks for tokens. */
  readonly env: NodeJS.ProcessEnv;
  /** A scratch directory of the test's own. */
  readonly work: string;
  /** Stops the simulator and removes the scratch directory. */
  close(): Promise<void>;
}

/**
 * Starts the simulator (token auth for user `alice`, or none), logs in when needed, and pushes
 * `bytes` as a one-file artifact to `repository:1` with `dhub` in-process.
 * @param options - auth mode, repository and payload
 * @returns the reference, environment and scratch directory
 */
export async function seededSimulator(options: {
  auth: 'token' | 'none';
  repository: string;
  bytes: Uint8Array | string;
}): Promise<SeededSimulator> {
  const { createSimulator } = await import('@llmdevops/docker-hub-simulation');
  const simulator = createSimulator(
    options.auth === 'token'
      ? { auth: 'token', users: [{ name: 'alice', password: 'alice-pw' }] }
      : {},
  );
  const host = new URL((await simulator.listen()).url).host;
  const env = await cleanEnv();
  const work = await mkdtemp(join(tmpdir(), 'dhub-seeded-'));
  const close = async (): Promise<void> => {
    await simulator.close();
    await rm(work, { recursive: true, force: true });
  };
  const ref = `${host}/${options.repository}:1`;
  try {
    if (options.auth === 'token') {
      const login = await runInProcess(['login', host, '-u', 'alice', '--password-stdin'], {
        env,
        stdin: 'alice-pw\n',
      });
      if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
    }
    await writeFile(join(work, 'payload.bin'), options.bytes);
    const push = await runInProcess(
      ['artifact', 'push', ref, join(work, 'payload.bin'), '--artifact-type', 'application/x-test'],
      { env },
    );
    if (push.code !== 0) throw new Error(`artifact push failed: ${push.stderr}`);
  } catch (err) {
    await close();
    throw err;
  }
  return { ref, env, work, close };
}
