// For any token, nothing the OpenTelemetry instrumentation records (span names, attributes,
// events, status, metric labels) contains it, whether it sits in the query, the path, a request
// header, the request body or a response header.
import { fc, test } from '@fast-check/vitest';
import { MockAgent } from 'undici';
import { describe, expect } from 'vitest';
import { createOtelHarness } from '../../../../tooling/otel/otel-harness.js';
import { createTransport } from '../pipeline/transport.js';
import { instrumentTransport } from './instrument-transport.js';

describe('telemetry never records secrets', () => {
  test.prop([fc.stringMatching(/^[A-Za-z0-9]{12,40}$/).map((s) => `S3cr3t${s}`)], { numRuns: 20 })(
    'for any token',
    async (token) => {
      const otel = createOtelHarness();
      const agent = new MockAgent();
      agent.disableNetConnect();
      const pool = agent.get('https://registry.example.com');
      pool.intercept({ path: /\/manifests\//, method: 'PUT' }).reply(503, 'busy', {
        headers: { 'www-authenticate': `Bearer realm="x",token="${token}"` },
      });
      pool
        .intercept({ path: /\/manifests\//, method: 'PUT' })
        .replyWithError(new Error(`reset ${token}`));
      pool.intercept({ path: /\/manifests\//, method: 'PUT' }).reply(201, token, {
        headers: { 'set-cookie': `s=${token}`, location: `/v2/x/manifests/${token}` },
      });
      const transport = createTransport({
        dispatcher: agent,
        random: () => 0,
        clock: { now: () => 0, sleep: () => Promise.resolve() },
      });
      instrumentTransport(transport, { tracer: otel.tracer, meter: otel.meter });
      const res = await transport.request({
        method: 'PUT',
        url: new URL(
          `https://registry.example.com/v2/${token}/app/manifests/${token}?token=${token}`,
        ),
        headers: { authorization: `Bearer ${token}`, cookie: `c=${token}` },
        body: `{"token":"${token}"}`,
        context: { operation: 'manifest.put' },
      });
      expect(await res.text()).toBe(token);
      const metrics = await otel.collect();
      const spans = otel.spans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status,
      }));
      expect(spans).toHaveLength(3);
      const dump = JSON.stringify({ spans, metrics: [...metrics.values()] });
      expect(dump).toContain('manifest.put');
      expect(dump).not.toContain(token);
      await otel.shutdown();
      await agent.close();
    },
  );
});
