// Test-only helpers (not exported from index.ts): temporary DOCKER_CONFIG dirs and fake
// docker-credential-* helpers on a private PATH.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory with a `bin/` of fake credential helpers. */
export interface HelperSandbox {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly storeLog: string;
  writeConfig(doc: unknown): Promise<string>;
  cleanup(): Promise<void>;
}

const FAKE = `#!/bin/sh
action="$1"
input=$(cat)
case "$action" in
  get)
    case "$input" in
      localhost:5000) printf '{"ServerURL":"localhost:5000","Username":"helper-user","Secret":"helper-secret"}' ;;
      https://index.docker.io/v1/) printf '{"ServerURL":"x","Username":"<token>","Secret":"helper-identity"}' ;;
      empty.test) printf '{"ServerURL":"x","Username":"u","Secret":""}' ;;
      nouser.test) printf '{"Secret":"s"}' ;;
      *) echo "credentials not found in native keychain"; exit 1 ;;
    esac ;;
  store) printf '%s\\n' "$input" >> "$STORE_LOG" ;;
  erase) printf 'erase %s\\n' "$input" >> "$STORE_LOG" ;;
esac
`;

/** Creates the sandbox with helpers `fake`, `slow`, `garbage` and `failing`. */
export async function helperSandbox(): Promise<HelperSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'auth-creds-'));
  const bin = join(dir, 'bin');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(bin);
  const scripts: Record<string, string> = {
    fake: FAKE,
    slow: '#!/bin/sh\nsleep 30\n',
    garbage: '#!/bin/sh\ncat >/dev/null\necho "this is not json"\n',
    failing: '#!/bin/sh\ncat >/dev/null\necho "boom secret-ish output" >&2\nexit 3\n',
  };
  for (const [name, body] of Object.entries(scripts)) {
    const file = join(bin, `docker-credential-${name}`);
    await writeFile(file, body);
    await chmod(file, 0o755);
  }
  const storeLog = join(dir, 'store.log');
  const env = {
    PATH: `${bin}:${process.env['PATH'] ?? ''}`,
    STORE_LOG: storeLog,
    DOCKER_CONFIG: join(dir, 'docker'),
  };
  return {
    dir,
    env,
    storeLog,
    async writeConfig(doc: unknown) {
      await mkdir(join(dir, 'docker'), { recursive: true });
      const path = join(dir, 'docker', 'config.json');
      await writeFile(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
      return path;
    },
    cleanup: async () => rm(dir, { recursive: true, force: true }),
  };
}
