// The tooling/registry harness itself: open mode, and a clear error (never a skip) when the
// registry binary is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealRegistry, startRealRegistry } from '../../../tooling/registry/real-registry.js';

let open: RealRegistry;
beforeAll(async () => {
  open = await startRealRegistry({ auth: 'none' });
});
afterAll(async () => {
  await open.stop();
});

describe('startRealRegistry', () => {
  it('starts an open registry on loopback that answers /v2/', async () => {
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(open.tokenUrl).toBeUndefined();
    const res = await fetch(`${open.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(open.log()).toContain('listening on');
  });

  it('says how to install docker-registry when it is missing', async () => {
    await expect(
      startRealRegistry({ auth: 'none', registryBinary: 'docker-registry-not-installed' }),
    ).rejects.toThrow(/apt-get install -y docker-registry/);
  });
});
