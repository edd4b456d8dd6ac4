// The bundled `dhub` program maps `undici` to src/bundle/undici-lean.cjs (tsup.config.ts): it
// must export every value the bundled packages import from undici, with working dispatchers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const lean = require('../src/bundle/undici-lean.cjs') as Record<string, unknown>;
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
// The simulator is bundled with undici itself (tsup.config.ts), for `fetch`.
const BUNDLED = ['core', 'transport', 'auth', 'services', 'webhooks', 'cli'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Value names (not `type` imports) imported from the bare `undici` in a source file. */
function undiciValueImports(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'undici'/g)) {
    if (m[1] !== undefined) continue;
    for (const part of (m[2] ?? '').split(',')) {
      const name = part.trim();
      if (name !== '' && !name.startsWith('type ')) names.push(name.split(/\s+as\s+/)[0] ?? name);
    }
  }
  return names;
}

describe('the lean undici of the dhub bundle', () => {
  it('exports every value the bundled packages import from undici', () => {
    const wanted = new Set(BUNDLED.flatMap((p) => sources(join(PACKAGES, p, 'src')).flatMap((f) => undiciValueImports(readFileSync(f, 'utf8')))));
    expect(wanted.size).toBeGreaterThan(0);
    const missing = [...wanted].filter((name) => lean[name] === undefined);
    expect(missing).toEqual([]);
  });

  it("gives its dispatchers undici's request API and serves a request", async () => {
    const Agent = lean['Agent'] as new () => { request(o: object): Promise<{ statusCode: number; body: { text(): Promise<string> } }>; close(): Promise<void> };
    const server = createServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const agent = new Agent();
    try {
      const res = await agent.request({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, path: '/', method: 'GET' });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('hello');
    } finally {
      await agent.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('exports the errors and ProxyAgent, and no fetch (the simulator takes it from undici itself)', () => {
    expect(typeof (lean['errors'] as Record<string, unknown>)['UndiciError']).toBe('function');
    expect(typeof lean['ProxyAgent']).toBe('function');
    expect(lean['fetch']).toBeUndefined();
  });
});
