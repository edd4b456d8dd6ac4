import { ValidationError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { withOperationSpan } from './operation-span.js';
import type { OtelAttributeValue, OtelSpan, OtelSpanOptions, OtelTracer } from './otel-types.js';

function fakeTracer(): OtelTracer & { spans: { name: string; options: OtelSpanOptions; attributes: Record<string, OtelAttributeValue>; status: unknown; ended: boolean }[] } {
  const spans: { name: string; options: OtelSpanOptions; attributes: Record<string, OtelAttributeValue>; status: unknown; ended: boolean }[] = [];
  return {
    spans,
    startSpan: () => {
      throw new Error('not used');
    },
    startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, options: OtelSpanOptions, fn: F): ReturnType<F> {
      const s = { name, options, attributes: {} as Record<string, OtelAttributeValue>, status: undefined as unknown, ended: false };
      spans.push(s);
      return fn({
        setAttribute: (k, v) => {
          s.attributes[k] = v;
        },
        setStatus: (st) => {
          s.status = st;
        },
        recordException: () => undefined,
        end: () => {
          s.ended = true;
        },
      }) as ReturnType<F>;
    },
  };
}

describe('withOperationSpan', () => {
  it('marks a failed operation with its error code, or UNKNOWN, and rethrows the error unchanged', async () => {
    const tracer = fakeTracer();
    const invalid = new ValidationError('INVALID_ARGUMENT', 'bad', 'x');
    await expect(withOperationSpan('op.a', async () => Promise.reject(invalid), { tracer })).rejects.toBe(invalid);
    const bug = new Error('bug');
    await expect(withOperationSpan('op.b', async () => Promise.reject(bug), { tracer })).rejects.toBe(bug);
    expect(tracer.spans.map((s) => [s.name, s.attributes['error.type'], s.status, s.ended])).toEqual([
      ['op.a', 'INVALID_ARGUMENT', { code: 2, message: 'INVALID_ARGUMENT' }, true],
      ['op.b', 'UNKNOWN', { code: 2, message: 'UNKNOWN' }, true],
    ]);
  });

  it('starts an INTERNAL span with the attributes given, and lets the work add more', async () => {
    const tracer = fakeTracer();
    await expect(withOperationSpan('op', async (span) => {
      span.setAttribute('docker_hub.repository', 'library/app');
      return Promise.resolve(1);
    }, { tracer, attributes: { 'docker_hub.registry': 'registry.test' } })).resolves.toBe(1);
    expect(tracer.spans[0]).toMatchObject({ options: { kind: 0, attributes: { 'docker_hub.registry': 'registry.test' } }, attributes: { 'docker_hub.repository': 'library/app' }, status: undefined, ended: true });
  });
});
