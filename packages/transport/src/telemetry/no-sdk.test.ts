// Without an OpenTelemetry SDK, and without @opentelemetry/api at all, telemetry is a no-op.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../../test/scripted-server.js';
import type { TransportEventBus } from '../events/events.js';
import { createTransport } from '../pipeline/transport.js';
import { instrumentTransport } from './instrument-transport.js';
import { loadOtelApi } from './load-api.js';
import { recordOperationError } from './operation-error.js';
import { withOperationSpan } from './operation-span.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => {
  await server.close();
});

async function roundTrip(
  options: Parameters<typeof instrumentTransport>[1],
): Promise<{ enabled: boolean; names: string[]; status: number }> {
  const transport = createTransport();
  try {
    const handle = instrumentTransport(transport, options);
    const status = await withOperationSpan('docker_hub.test', async (span) => {
      span.setAttribute('docker_hub.repository', 'x/y');
      const res = await transport.request({
        method: 'GET',
        url: new URL('/v2/', server.url),
        headers: {},
      });
      await res.text();
      return res.status;
    });
    recordOperationError({ errorType: 'DIGEST_MISMATCH', operation: 'blobs.get' });
    handle.dispose();
    return { enabled: handle.enabled, names: transport.describe(), status };
  } finally {
    await transport.close();
  }
}

describe('without an SDK', () => {
  it('loads @opentelemetry/api lazily and everything works as no-ops', async () => {
    expect(loadOtelApi()).toBeDefined();
    const out = await roundTrip({});
    expect(out.status).toBe(200);
    expect(out.names).toContain('opentelemetry');
  });

  it('builds no request events while only the no-op meter listens, and does once someone else does', async () => {
    const transport = createTransport();
    try {
      const handle = instrumentTransport(transport);
      expect(handle.enabled).toBe(true);
      expect(handle.recording).toBe(false);
      const bus = transport.events as TransportEventBus;
      expect(bus.observed('requestStart')).toBe(false);
      expect(bus.observed('requestEnd')).toBe(false);
      const seen: number[] = [];
      const stop = transport.events.on('requestEnd', (e) => seen.push(e.status ?? 0));
      expect(bus.observed('requestEnd')).toBe(true);
      const res = await transport.request({ method: 'GET', url: new URL('/v2/', server.url), headers: {} });
      await res.text();
      expect(seen).toEqual([200]);
      stop();
      expect(bus.observed('requestEnd')).toBe(false);
      handle.dispose();
    } finally {
      await transport.close();
    }
  });

  it('does nothing when the API is turned off and no tracer or meter is given', async () => {
    const out = await roundTrip({ api: null });
    expect(out).toEqual({
      enabled: false,
      names: expect.not.arrayContaining(['opentelemetry']) as unknown,
      status: 200,
    });
  });

  it('does nothing when @opentelemetry/api is not installed', async () => {
    vi.resetModules();
    vi.doMock('./load-api.js', () => ({ loadOtelApi: () => undefined }));
    const mod = await import('./instrument-transport.js');
    const ops = await import('./operation-span.js');
    const oe = await import('./operation-error.js');
    const transport = createTransport();
    try {
      const handle = mod.instrumentTransport(transport);
      expect(handle.enabled).toBe(false);
      expect(transport.describe()).not.toContain('opentelemetry');
      await expect(
        ops.withOperationSpan('x', (span) => {
          span.setAttribute('a', 1);
          return Promise.resolve(42);
        }),
      ).resolves.toBe(42);
      expect(() => {
        oe.recordOperationError({ errorType: 'SIZE_MISMATCH' });
      }).not.toThrow();
      const res = await transport.request({
        method: 'GET',
        url: new URL('/v2/', server.url),
        headers: {},
      });
      expect(await res.text()).toBe('ok');
    } finally {
      vi.doUnmock('./load-api.js');
      // The modules imported under the mock stay in the registry: drop them, so files sharing it
      // (the mutation runner's isolate: false) import the real ones again.
      vi.resetModules();
      await transport.close();
    }
  });

  it('never imports @opentelemetry/api at module load time', () => {
    const dir = join(import.meta.dirname, '..');
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) {
          if (/^\s*import\s(?!type\s)[^;]*['"]@opentelemetry\//m.test(readFileSync(p, 'utf8')))
            offenders.push(p);
        }
      }
    };
    walk(dir);
    expect(offenders).toEqual([]);
  });
});
