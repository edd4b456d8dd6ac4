import { AbortedError, ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { type RegistryCredential } from './types.js';

/** Options for running a `docker-credential-<name>` helper. @public */
export interface CredentialHelperOptions {
  /** Kill the helper after this many ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Cancels the call. */
  readonly signal?: AbortSignal;
  /** Variables added to `process.env` for the helper (PATH decides which binary runs). */
  readonly env?: NodeJS.ProcessEnv;
  /** The config file that named the helper, for error messages. */
  readonly configFile?: string;
}

interface HelperResult {
  readonly code: number | null;
  readonly stdout: string;
}

const MAX_OUTPUT = 64 * 1024;

function helperError(name: string, options: CredentialHelperOptions, message: string): ConfigError {
  const where = options.configFile === undefined ? '' : ` (configured in ${options.configFile})`;
  return new ConfigError([{ path: `docker-credential-${name}`, message: `${message}${where}` }]);
}

/**
 * Runs `docker-credential-<name> <action>` with `input` on stdin. Its output is never put in an
 * error (it may hold a secret); errors name the helper and the config file instead.
 */
async function runHelper(
  name: string,
  action: 'get' | 'store' | 'erase',
  input: string,
  options: CredentialHelperOptions,
): Promise<HelperResult> {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw helperError(
      name,
      options,
      'helper name may only contain letters, digits, ".", "_" and "-"',
    );
  const signal = options.signal;
  if (signal?.aborted === true)
    throw new AbortedError(`docker-credential-${name} ${action}`, signal.reason);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise<HelperResult>((resolve, reject) => {
    // Loaded on first use: most programs never run a helper, and loading it costs a few ms.
    const { spawn } = process.getBuiltinModule('node:child_process');
    const child = spawn(`docker-credential-${name}`, [action], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: Error | undefined, result?: HelperResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        child.kill('SIGKILL');
        reject(err);
      } else if (result !== undefined) resolve(result);
    };
    const onAbort = (): void => {
      finish(new AbortedError(`docker-credential-${name} ${action}`, signal?.reason));
    };
    const timer = setTimeout(() => {
      finish(helperError(name, options, `timed out after ${timeoutMs} ms running "${action}"`));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const msg =
        err.code === 'ENOENT'
          ? 'credential helper not found on PATH'
          : `credential helper failed to start (${err.code ?? 'error'})`;
      finish(helperError(name, options, msg));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT)
        finish(helperError(name, options, `output exceeds ${MAX_OUTPUT} bytes`));
      else chunks.push(chunk);
    });
    child.on('close', (code) => {
      finish(undefined, { code, stdout: Buffer.concat(chunks).toString('utf8') });
      for (const c of chunks) c.fill(0);
    });
    child.stdin.on('error', () => {
      /* the helper may exit before reading stdin; its exit code tells what happened */
    });
    child.stdin.end(input);
  });
}

/**
 * Asks `docker-credential-<name> get` for a server's credentials. Username `<token>` means the
 * secret is an identity token (Docker's convention).
 * @param name - helper suffix, e.g. `pass`, `secretservice`, `desktop`
 * @param serverUrl - the config key, e.g. `https://index.docker.io/v1/` or `localhost:5000`
 * @param options - timeout, signal, env, config file for messages
 * @returns the credential, or undefined when the helper has none for this server
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming the helper when it is missing, times out or answers garbage
 * @throws {@link @llmdevops/docker-hub-core!AbortedError | AbortedError} when the signal aborts
 * @public
 */
export async function credentialHelperGet(
  name: string,
  serverUrl: string,
  options: CredentialHelperOptions = {},
): Promise<RegistryCredential | undefined> {
  const result = await runHelper(name, 'get', serverUrl, options);
  if (result.code !== 0) {
    if (/credentials not found/i.test(result.stdout)) return undefined;
    throw helperError(name, options, `"get" exited with code ${String(result.code)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(result.stdout);
  } catch {
    throw helperError(name, options, '"get" did not print JSON');
  }
  const { Username: username, Secret: secret } = (body ?? {}) as {
    Username?: unknown;
    Secret?: unknown;
  };
  if (typeof secret !== 'string' || secret === '') return undefined;
  if (typeof username !== 'string')
    throw helperError(name, options, '"get" printed JSON without a Username');
  if (username === '<token>')
    return {
      kind: 'identity-token',
      username: undefined,
      token: new Secret(secret),
      source: 'credential-helper',
    };
  return { kind: 'basic', username, password: new Secret(secret), source: 'credential-helper' };
}

/**
 * Stores credentials with `docker-credential-<name> store`.
 * @param name - helper suffix
 * @param serverUrl - the config key
 * @param credential - username and secret (an identity token is stored with username `<token>`)
 * @param options - timeout, signal, env, config file for messages
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming the helper when it is missing, times out or fails
 * @public
 */
export async function credentialHelperStore(
  name: string,
  serverUrl: string,
  credential: { readonly username: string; readonly secret: Secret },
  options: CredentialHelperOptions = {},
): Promise<void> {
  const input = JSON.stringify({
    ServerURL: serverUrl,
    Username: credential.username,
    Secret: credential.secret.reveal(),
  });
  const result = await runHelper(name, 'store', input, options);
  if (result.code !== 0)
    throw helperError(name, options, `"store" exited with code ${String(result.code)}`);
}

/**
 * Erases credentials with `docker-credential-<name> erase`.
 * @param name - helper suffix
 * @param serverUrl - the config key
 * @param options - timeout, signal, env, config file for messages
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming the helper when it is missing, times out or fails
 * @public
 */
export async function credentialHelperErase(
  name: string,
  serverUrl: string,
  options: CredentialHelperOptions = {},
): Promise<void> {
  const result = await runHelper(name, 'erase', serverUrl, options);
  if (result.code !== 0 && !/credentials not found/i.test(result.stdout)) {
    throw helperError(name, options, `"erase" exited with code ${String(result.code)}`);
  }
}
