// What dhub prints when the registry cannot be reached: the network error and its cause
// (ECONNREFUSED and the address), never the circuit breaker's refusal of the command's own retries.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess } from './helpers.js';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const address = s.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => s.close(() => { resolve(); }));
  return port;
}

describe('dhub against a registry that refuses connections', () => {
  it('prints NETWORK with ECONNREFUSED and its cause, not CIRCUIT_OPEN, even when one failure opens the breaker', async () => {
    const env = await cleanEnv();
    const home = env['HOME'] ?? '.';
    const config = join(home, 'dhub.yaml');
    // A breaker that opens on the first failure: before, the command's own first retry was refused.
    await writeFile(config, 'docker_hub:\n  resilience:\n    max_retries: 2\n    circuit_breaker: { failure_threshold: 1 }\n');
    const port = await closedPort();
    const r = await runInProcess(['manifest', `127.0.0.1:${port}/team/app:1`, '--config', config], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('CIRCUIT_OPEN');
    expect(r.stderr).toMatch(
      new RegExp(`^NETWORK: GET http://127\\.0\\.0\\.1:${port}/v2/team/app/manifests/1: ECONNREFUSED \\(cause: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\n$`),
    );
  });
});
