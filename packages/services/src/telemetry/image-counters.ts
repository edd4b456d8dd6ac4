import { counterFor, outcomeOf, whileActive, type OtelMeter, type Transport } from '@llmdevops/docker-hub-transport';
import { IMAGE_METRIC_DEFINITIONS } from './metric-names.js';
import { routeTemplate } from './route-template.js';

const MANIFEST_ROUTE = '/v2/{name}/manifests/{reference}';

/**
 * Counts pulls (manifest GETs, what Docker Hub counts) and pushes (manifest PUTs) of one
 * transport, from its `requestEnd` events, by host and outcome, while `isActive()` holds.
 * @param transport - the client's transport
 * @param meter - the meter to record into
 * @param isActive - whether anything records right now (no events are built otherwise)
 * @returns a function that stops counting
 * @internal
 */
export function countImageTransfers(transport: Transport, meter: OtelMeter, isActive: () => boolean): () => void {
  const pulls = counterFor(meter, IMAGE_METRIC_DEFINITIONS.pulls);
  const pushes = counterFor(meter, IMAGE_METRIC_DEFINITIONS.pushes);
  return transport.events.on(
    'requestEnd',
    whileActive((e) => {
      if (!isActive() || routeTemplate(e.route) !== MANIFEST_ROUTE) return;
      const attributes = { host: e.host, outcome: outcomeOf(e.status, e.errorCode) };
      if (e.method === 'GET') pulls.add(1, attributes);
      else if (e.method === 'PUT') pushes.add(1, attributes);
    }, isActive),
  );
}
