import { describe, expect, it } from 'vitest';
import { createTransportInstruments, resolveMeter, standaloneCounter } from './instruments.js';
import { TRANSPORT_METRIC_DEFINITIONS } from './metric-names.js';
import type { OtelInstrumentOptions, OtelMeter } from './otel-types.js';

function fakeMeter(): OtelMeter & { created: [string, string, OtelInstrumentOptions | undefined][]; adds: unknown[][] } {
  const created: [string, string, OtelInstrumentOptions | undefined][] = [];
  const adds: unknown[][] = [];
  const none = { add: (...a: unknown[]) => adds.push(a), record: () => undefined, addCallback: () => undefined, removeCallback: () => undefined };
  return {
    created,
    adds,
    createCounter: (name, options) => {
      created.push(['counter', name, options]);
      return none;
    },
    createHistogram: (name, options) => {
      created.push(['histogram', name, options]);
      return none;
    },
    createObservableGauge: (name, options) => {
      created.push(['gauge', name, options]);
      return none;
    },
  };
}

describe('transport instruments', () => {
  it('creates each metric with the kind, description and unit of its definition', () => {
    const meter = fakeMeter();
    createTransportInstruments(meter);
    const expected = Object.values(TRANSPORT_METRIC_DEFINITIONS).map((d) => [d.kind, d.name, d.description, d.unit]);
    expect(meter.created.map(([kind, name, o]) => [kind, name, o?.description, o?.unit]).sort()).toEqual(expected.sort());
  });

  it('takes the meter given, else the global meter of the installed API', () => {
    const meter = fakeMeter();
    expect(resolveMeter(meter)).toBe(meter);
    expect(resolveMeter()).toEqual(expect.objectContaining({ createCounter: expect.any(Function) as unknown }));
  });

  it('creates a standalone counter once per meter and adds 1 with the attributes', () => {
    const add = standaloneCounter(TRANSPORT_METRIC_DEFINITIONS.errors);
    const meter = fakeMeter();
    add({ error_type: 'A' }, meter);
    add({ error_type: 'B' }, meter);
    expect(meter.created.map(([, name]) => name)).toEqual(['dockerhub.errors']);
    expect(meter.adds).toEqual([
      [1, { error_type: 'A' }],
      [1, { error_type: 'B' }],
    ]);
  });
});
