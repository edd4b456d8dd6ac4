/**
 * `@llmdevops/docker-hub-simulation/vitest`: vitest helpers that give each test its own cassette
 * (`useCassette`) or a suite its own simulator (`useSimulator`). Needs `vitest` (an optional peer
 * dependency).
 * @packageDocumentation
 * @module @llmdevops/docker-hub-simulation/vitest
 */
export {
  CASSETTE_MODE_ENV,
  useCassette,
  type CassetteHandle,
  type UseCassetteOptions,
} from './vitest/use-cassette.js';
export {
  useSimulator,
  type SimulatorHandle,
  type UseSimulatorSetup,
} from './vitest/use-simulator.js';
