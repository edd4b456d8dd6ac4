import type { BlobProgress, DockerHubClient } from '@llmdevops/docker-hub-services';
import { type ImageReference, Platform } from '@llmdevops/docker-hub-core';
import { flag, parseOperand, stringOption, type CommandInput } from '../command.js';
import { startProgress } from '../output/progress.js';
import { loadConfig } from './config.js';
import { openTelemetryRegistered } from './telemetry.js';

/**
 * Runs a function with a client configured from the command line (`--config`, the environment,
 * `--insecure` for the references' registries); the client is closed afterwards.
 * @param input - the parsed command line
 * @param refs - the references the command uses
 * @param fn - the work
 * @returns what `fn` returns
 * @internal
 */
export async function withClient<T>(
  input: CommandInput,
  refs: readonly ImageReference[],
  fn: (client: DockerHubClient) => Promise<T>,
): Promise<T> {
  const config = await loadConfig(
    input,
    refs.map((r) => r.registry),
  );
  const { DockerHubClient } = await import('@llmdevops/docker-hub-services');
  const client = new DockerHubClient(config, {
    env: input.io.env,
    userAgent: 'dhub',
    telemetry: openTelemetryRegistered(),
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * Runs a transfer with a progress display on stderr when it is a terminal and `--quiet` is off.
 * @param input - the parsed command line
 * @param client - the client whose events are shown
 * @param title - e.g. `pull alpine:3.19`
 * @param fn - the transfer; it passes `onBlob` (undefined when no display) to the library
 * @returns what `fn` returns
 * @internal
 */
export async function withProgress<T>(
  input: CommandInput,
  client: DockerHubClient,
  title: string,
  fn: (onBlob: ((progress: BlobProgress) => void) | undefined) => Promise<T>,
): Promise<T> {
  if (!input.io.stderrIsTTY || flag(input, 'quiet') || flag(input, 'json')) return fn(undefined);
  const progress = startProgress(client.events, input.io.stderr, title);
  try {
    return await fn(progress.onBlob);
  } finally {
    progress.stop();
  }
}

/**
 * The `--platform` option, parsed.
 * @param input - the parsed command line
 * @returns the platform, or undefined when not given
 * @throws UsageError when malformed
 * @internal
 */
export function platformOption(input: CommandInput): Platform | undefined {
  const text = stringOption(input, 'platform');
  return text === undefined
    ? undefined
    : parseOperand(input, '--platform', () => Platform.parse(text));
}
