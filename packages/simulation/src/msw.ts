/**
 * `@llmdevops/docker-hub-simulation/msw`: msw request handlers answering from a simulator or a
 * cassette. Needs `msw` 2 (an optional peer dependency); the main entry point never loads it.
 * @packageDocumentation
 * @module @llmdevops/docker-hub-simulation/msw
 */
export { mswHandlers, type MswSource } from './serve/msw/msw-handlers.js';
