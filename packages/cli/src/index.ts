/**
 * `@llmdevops/docker-hub-cli`: the `dhub` command line. The binary is `dhub`; this entry point
 * exposes the same commands for running in-process (tests, other tools).
 * @packageDocumentation
 * @module @llmdevops/docker-hub-cli
 */
export { runCli, VERSION } from './main.js';
export { COMMANDS } from './commands/index.js';
export {
  defineCommand,
  stringOption,
  listOption,
  flag,
  positional,
  parseOperand,
  usageError,
  type Command,
  type CommandInput,
} from './command.js';
export {
  parseCommand,
  helpText,
  GLOBAL_OPTIONS,
  type CommandSpec,
  type OptionDeclaration,
  type OptionValue,
  type OptionValues,
  type OptionsConfig,
  type ParsedCommandLine,
} from './args.js';
export {
  EXIT,
  EXIT_CODE_BY_ERROR_CODE,
  UsageError,
  exitCodeFor,
  describeFailure,
  type ExitCode,
} from './exit-codes.js';
export { processIo, write, writeLine, writeJson, type CliIo } from './io.js';
