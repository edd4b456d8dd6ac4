// The registry contract against the real CNCF distribution registry (Debian docker-registry
// 2.8), once with token auth and once with htpasswd Basic auth. Credentials reach the client
// only through DOCKER_CONFIG. Known departures of 2.8 from the OCI spec are declared as quirks:
// tags/list ignores n/last (no pagination); every htpasswd user may push.
import { startRealRegistry } from '../../../tooling/registry/real-registry.js';
import { defineRegistryContract } from '../../../tooling/contract/registry-contract.js';
import { realRegistryClient } from './helpers.js';

defineRegistryContract('distribution 2.8, token auth', async () => {
  const reg = await startRealRegistry({ auth: 'token' });
  return {
    registry: reg.host,
    repositoryPrefix: 'contract',
    client: (role) => realRegistryClient(reg, role),
    quirks: { tagPagination: false, readerPushCode: 'DENIED', anonymousPull: false },
    close: () => reg.stop(),
  };
});

defineRegistryContract('distribution 2.8, Basic auth', async () => {
  const reg = await startRealRegistry({ auth: 'basic' });
  return {
    registry: reg.host,
    repositoryPrefix: 'contract',
    client: (role) => realRegistryClient(reg, role),
    quirks: { tagPagination: false, readerPushCode: undefined, anonymousPull: false },
    close: () => reg.stop(),
  };
});
