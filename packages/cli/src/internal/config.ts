import { resolve } from 'node:path';
import type { DockerHubConfig, DockerHubConfigInput } from '@llmdevops/docker-hub-services';
import { stringOption, flag, usageError, type CommandInput } from '../command.js';

/**
 * The library configuration for a command: `--config FILE` (YAML, `${VAR}` from the command's
 * environment) or the environment variables, plus the hosts `--insecure` allows over plain HTTP,
 * no proxy with `--no-proxy`, and `--cert-dir` as the certificates directory of those hosts.
 * @param input - the parsed command line
 * @param hosts - registry hosts (`host[:port]`) the command talks to; `--insecure` marks them insecure
 * @returns the validated configuration (the services package is loaded on first use)
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every bad field
 * @internal
 */
export async function loadConfig(
  input: CommandInput,
  hosts: readonly string[] = [],
): Promise<DockerHubConfig> {
  // Loaded on first use, so commands that need no client (and `--help`) start without it.
  const { DockerHubConfig, isBudgetUrl } = await import('@llmdevops/docker-hub-services');
  const file = stringOption(input, 'config');
  // `--budget URL` acts as DOCKER_HUB_BUDGET_URL: over the file's budget.url, keeping its other budget keys.
  const budgetUrl = stringOption(input, 'budget');
  if (budgetUrl !== undefined && !isBudgetUrl(budgetUrl)) {
    // The URL may hold a Redis password: name only what kind of URL it was.
    const scheme = URL.canParse(budgetUrl) ? new URL(budgetUrl).protocol : 'no URL';
    throw usageError(input, `--budget must be memory:, file:///PATH, redis://HOST:PORT/DB or rediss://HOST:PORT/DB (got ${scheme})`);
  }
  const env = budgetUrl === undefined ? input.io.env : { ...input.io.env, DOCKER_HUB_BUDGET_URL: budgetUrl };
  const load = (overrides: DockerHubConfigInput): DockerHubConfig =>
    file === undefined
      ? DockerHubConfig.fromEnv(env, overrides)
      : DockerHubConfig.fromFile(resolve(input.io.cwd ?? '.', file), {
          env,
          overrides,
        });
  const proxy: DockerHubConfigInput = flag(input, 'no-proxy') ? { proxy: false } : {};
  const base = load(proxy);
  const certDir = stringOption(input, 'cert-dir');
  const insecure = flag(input, 'insecure') && hosts.length > 0;
  if (!insecure && (certDir === undefined || hosts.length === 0)) return base;
  return load({
    ...proxy,
    ...(insecure ? { insecureRegistries: [...new Set([...base.insecureRegistries, ...hosts])] } : {}),
    // `--cert-dir` holds the files directly, for every registry the command talks to.
    ...(certDir === undefined ? {} : { tls: { ...base.tls, ...Object.fromEntries(endpointHosts(hosts, base).map((h) => [h, { ...base.tls[h], certDir: resolve(input.io.cwd ?? '.', certDir) }])) } }),
  });
}

/** The hosts connections go to: `docker.io` is served by `registryUrl` (default Docker Hub's registry). */
function endpointHosts(hosts: readonly string[], config: DockerHubConfig): string[] {
  return hosts.map((h) => (h === 'docker.io' ? new URL(config.registryUrl ?? 'https://registry-1.docker.io').host : h));
}
