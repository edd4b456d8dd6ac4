import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Builds `dist/` once, so the subprocess suites run the real binary. */
export default function setup(): void {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  execFileSync('npx', ['tsup', '--silent'], { cwd, stdio: 'inherit', timeout: 240_000 });
}
