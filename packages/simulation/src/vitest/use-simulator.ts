import { ConfigError } from '@llmdevops/docker-hub-core';
import { type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { SimulatorDispatcher } from '../serve/dispatcher/simulator-dispatcher.js';
import { type ListenOptions } from '../serve/node-http/listen.js';
import { createSimulator, type Simulator } from '../simulator/create-simulator.js';
import { type SimulatorOptions } from '../simulator/options.js';
import { checkSimulatorOptions } from '../simulator/validate-options.js';

/** How {@link useSimulator} runs the simulator. @public */
export interface UseSimulatorSetup {
  /** Also serve it on loopback (`true`, or listen options); `url` is then its address. Default false. */
  readonly listen?: boolean | ListenOptions;
  /** A fresh simulator for every test (`'each'`) or one for the suite (`'all'`, the default). */
  readonly per?: 'all' | 'each';
}

/** What {@link useSimulator} returns: stable across the tests of the suite. @public */
export interface SimulatorHandle {
  /**
   * An undici `Dispatcher` answering in-process from the running simulator: hand it to a
   * `DockerHubClient` (`{ dispatcher }`). It may be taken once, outside a test.
   */
  readonly dispatcher: Dispatcher;
  /** The running simulator. @throws Error before it starts or after it stops */
  readonly simulator: Simulator;
  /** Its loopback address (`http://127.0.0.1:PORT`). @throws Error without `listen` or outside the suite */
  readonly url: string;
}

const SETUP_KEYS = ['listen', 'per'];

/**
 * Starts a simulator for the enclosing vitest suite (or for every test with `per: 'each'`) and
 * stops it afterwards: call it at the top of a test file or inside a `describe`; it registers
 * `beforeAll`/`afterAll` (or `beforeEach`/`afterEach`) hooks.
 * @param options - the simulator's options (checked now)
 * @param setup - loopback serving and lifetime
 * @returns a handle with a stable dispatcher, the running simulator and its URL
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} at once for a bad simulator option or setup key
 * @example
 * ```ts
 * const sim = useSimulator({ profile: 'dockerhub', users: [{ name: 'alice', password: 'pw' }] });
 * it('pushes', async () => {
 *   const client = new DockerHubClient({ dispatcher: sim.dispatcher });
 * });
 * ```
 * @public
 */
export function useSimulator(
  options: SimulatorOptions = {},
  setup: UseSimulatorSetup = {},
): SimulatorHandle {
  checkSimulatorOptions(options);
  const bad = Object.keys(setup).filter((k) => !SETUP_KEYS.includes(k));
  const per: unknown = setup.per ?? 'all';
  const perValid = per === 'all' || per === 'each';
  if (bad.length > 0 || !perValid)
    throw new ConfigError(
      [
        ...bad.map((k) => ({
          path: k,
          message: `unknown option; valid: ${SETUP_KEYS.join(', ')}`,
        })),
        ...(perValid ? [] : [{ path: 'per', message: "must be 'all' or 'each'" }]),
      ],
      { subject: 'useSimulator setup' },
    );
  let current: { simulator: Simulator; url?: string } | undefined;
  const running = (): NonNullable<typeof current> => {
    if (current === undefined)
      throw new Error('useSimulator: the simulator is not running (use it inside a test)');
    return current;
  };
  const start = async (): Promise<void> => {
    const simulator = createSimulator(options);
    await simulator.store.ready();
    current = { simulator };
    if (setup.listen !== undefined && setup.listen !== false) {
      const server = await simulator.listen(setup.listen === true ? {} : setup.listen);
      current.url = server.url;
    }
  };
  const stop = async (): Promise<void> => {
    const held = current;
    current = undefined;
    await held?.simulator.close();
  };
  if (per === 'each') {
    beforeEach(start);
    afterEach(stop);
  } else {
    beforeAll(start);
    afterAll(stop);
  }
  const dispatcher = new SimulatorDispatcher((request, info) =>
    running().simulator.fetch(request, info),
  );
  afterAll(() => dispatcher.close());
  return {
    dispatcher,
    get simulator() {
      return running().simulator;
    },
    get url() {
      const { url } = running();
      if (url === undefined)
        throw new Error('useSimulator: pass { listen: true } to serve the simulator on loopback');
      return url;
    },
  };
}
