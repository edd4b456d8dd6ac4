// recordOperationError: errors no request reported go into dockerhub.errors with the request
// metrics' labels (method and route `none`), per meter, and never throw.
import { afterEach, describe, expect, it } from 'vitest';
import { createOtelHarness, type OtelHarness } from '../../../../tooling/otel/otel-harness.js';
import { TRANSPORT_METRIC_NAMES as METRIC_NAMES } from './metric-names.js';
import { recordOperationError } from './operation-error.js';
import type { OtelMeter } from './otel-types.js';

let otel: OtelHarness | undefined;
afterEach(async () => {
  await otel?.shutdown();
  otel = undefined;
});

describe('recordOperationError', () => {
  it('counts dockerhub.errors by error_type, operation and host', async () => {
    const h = (otel = createOtelHarness());
    recordOperationError(
      { errorType: 'DIGEST_MISMATCH', operation: 'blobs.get', host: 'r.example:5000' },
      { meter: h.meter },
    );
    recordOperationError(
      { errorType: 'DIGEST_MISMATCH', operation: 'blobs.get', host: 'r.example:5000' },
      { meter: h.meter },
    );
    recordOperationError({ errorType: 'MANIFEST_INVALID' }, { meter: h.meter });
    const points = h.points(await h.collect(), METRIC_NAMES.errors);
    expect(points.map((p) => [p.attributes, p.value])).toEqual([
      [
        {
          error_type: 'DIGEST_MISMATCH',
          operation: 'blobs.get',
          method: 'none',
          host: 'r.example:5000',
          route: 'none',
        },
        2,
      ],
      [
        {
          error_type: 'MANIFEST_INVALID',
          operation: 'unknown',
          method: 'none',
          host: 'unknown',
          route: 'none',
        },
        1,
      ],
    ]);
  });

  it('never throws when the meter does', () => {
    const broken = {
      createCounter() {
        throw new Error('meter broken');
      },
    } as unknown as OtelMeter;
    expect(() => {
      recordOperationError({ errorType: 'SIZE_MISMATCH' }, { meter: broken });
    }).not.toThrow();
  });
});
