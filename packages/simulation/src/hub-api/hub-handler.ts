import { type RegistryState } from '../registry/state.js';
import { type SimulatorUser } from '../token-service/users.js';

/** Options of {@link createHubHandler}. @internal */
export interface HubHandlerOptions {
  readonly state: RegistryState;
  readonly users: readonly SimulatorUser[];
  readonly now: () => number;
  readonly key: Uint8Array;
  readonly baseUrl?: string;
}

/**
 * The Hub API subset.
 * @param _options - state, users, clock, signing key
 * @returns a handler answering Hub paths, or `undefined` for others
 * @internal
 */
export function createHubHandler(_options: HubHandlerOptions): (request: Request) => Promise<Response | undefined> {
  return () => Promise.resolve(undefined);
}
