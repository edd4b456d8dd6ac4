// Shared helpers of the packaging tests: paths, child processes with captured output and a
// deadline, and the published packages of the workspace.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/packaging-tests/test/helpers.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The scratch-project fixtures (consumer scripts and the type-checked consumer). */
export const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures');
/** tooling/scripts/check-packages.mjs */
export const checkPackagesScript = join(repoRoot, 'tooling', 'scripts', 'check-packages.mjs');

/** What a finished child process printed. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the process (and fail) after this many ms. */
  readonly timeoutMs?: number;
  readonly input?: string;
}

/**
 * Runs a command to completion without blocking the event loop (so two installs can overlap).
 * @param command - the executable
 * @param args - its arguments
 * @param options - working directory, environment, deadline
 * @returns exit status and output
 */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${command} ${args.join(' ')} did not finish in ${options.timeoutMs ?? 0} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 180_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolveRun({ status, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * The environment for `npm` in a scratch project: this process's, minus the `npm_*` settings a
 * package-manager runner (pnpm, npx) exports for its own scripts, which would reconfigure npm.
 * @returns the environment
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.toLowerCase().startsWith('npm_') || keep.has(k.toLowerCase()),
    ),
  );
}

/** A published workspace package. */
export interface PublishedPackage {
  readonly folder: string;
  readonly name: string;
  readonly version: string;
  readonly manifest: Record<string, unknown>;
}

/**
 * The workspace packages that are published (not private), by folder name.
 * @returns the packages
 */
export function publishedPackages(): PublishedPackage[] {
  const dir = join(repoRoot, 'packages');
  return readdirSync(dir)
    .filter((folder) => existsSync(join(dir, folder, 'package.json')))
    .map((folder) => {
      const manifest = JSON.parse(
        readFileSync(join(dir, folder, 'package.json'), 'utf8'),
      ) as Record<string, unknown>;
      return {
        folder,
        name: String(manifest['name']),
        version: String(manifest['version']),
        manifest,
      };
    })
    .filter((p) => p.manifest['private'] !== true);
}

/**
 * The file name `pnpm pack` gives a package's tarball (`@scope/name` -> `scope-name-VERSION.tgz`).
 * @param name - package name
 * @param version - package version
 * @returns the file name
 */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/**
 * Parses the last line of a consumer script's stdout as JSON.
 * @param result - the finished script
 * @returns the parsed value
 */
export function lastJsonLine(result: RunResult): unknown {
  const lines = result.stdout.trim().split('\n');
  const last = lines.at(-1) ?? '';
  try {
    return JSON.parse(last) as unknown;
  } catch {
    throw new Error(
      `no JSON on stdout (exit ${String(result.status)})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
}
