/**
 * `@llmdevops/docker-hub-cli`: the `dhub` command line. The binary is `dhub`; this entry point
 * runs the same commands in-process (tests, other tools) and names the exit codes they return.
 * @packageDocumentation
 * @module @llmdevops/docker-hub-cli
 */
export { VERSION } from './main.js';
export { runCli } from './run.js';
export { EXIT, EXIT_CODE_BY_ERROR_CODE, exitCodeFor, type ExitCode } from './exit-codes.js';
export { processIo, type CliIo } from './io.js';
