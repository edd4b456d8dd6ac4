import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { defineCommand, listOption, parseOperand, usageError, type CommandInput } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** Files of one artifact are read into memory: each is capped. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * `--artifact-type`, required and of the form type/subtype (a usage error otherwise).
 * @param input - the parsed command line
 * @returns the artifact type
 * @throws UsageError when missing or malformed
 * @internal
 */
export async function artifactTypeOption(input: CommandInput): Promise<string> {
  const value = input.values['artifact-type'];
  if (typeof value !== 'string' || value.trim() === '') throw usageError(input, '--artifact-type is required');
  // The services (and what they load) are imported on use: `dhub` loads only its command's code.
  const { checkArtifactType } = await import('@llmdevops/docker-hub-services');
  parseOperand(input, '--artifact-type', () => {
    checkArtifactType(value);
  });
  return value;
}

/**
 * The repeatable `--annotation KEY=VALUE`.
 * @param input - the parsed command line
 * @returns the annotations
 * @throws UsageError for an item without `=` or with an empty key
 * @internal
 */
export function annotationsOption(input: CommandInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of listOption(input, 'annotation')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError(input, `--annotation ${JSON.stringify(item)}: expected KEY=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/**
 * Reads the FILE operands (each titled with its base name), all checked before any is read: a
 * missing file, a directory, one over 64 MiB or two of the same name is a usage error.
 * @param input - the parsed command line
 * @param paths - the FILE operands
 * @returns the files in order
 * @throws UsageError naming the file
 * @internal
 */
export async function artifactFiles(input: CommandInput, paths: readonly string[]): Promise<{ bytes: Buffer; title: string }[]> {
  if (paths.length === 0) throw usageError(input, 'name at least one FILE');
  const titles = new Set<string>();
  const full: string[] = [];
  for (const path of paths) {
    const file = resolve(input.io.cwd ?? '.', path);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) throw usageError(input, `FILE ${path}: no such file`);
    if (!info.isFile()) throw usageError(input, `FILE ${path}: not a regular file`);
    if (info.size > MAX_FILE_BYTES) throw usageError(input, `FILE ${path} is ${info.size} bytes, more than ${MAX_FILE_BYTES} for one artifact file`);
    const title = basename(file);
    if (titles.has(title)) throw usageError(input, `two FILEs are named ${title}: each layer's title is its file name`);
    titles.add(title);
    full.push(file);
  }
  return Promise.all(full.map(async (file) => ({ bytes: await readFile(file), title: basename(file) })));
}

/** `dhub artifact push REF --artifact-type T FILE...`: an OCI 1.1 artifact without subject, tagged. @public */
export const artifactPushCommand = defineCommand(
  {
    name: 'artifact push',
    usage: 'dhub artifact push REF --artifact-type TYPE FILE... [--annotation KEY=VALUE]... [--json]',
    summary: 'Push files as an OCI 1.1 artifact (no subject) under a tag; each file is one layer titled with its name.',
    options: {
      'artifact-type': { type: 'string', value: 'TYPE', help: 'the artifact type, type/subtype, e.g. application/vnd.example.policy.v1+json (required)' },
      annotation: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'a manifest annotation (repeatable)' },
    },
    examples: ['dhub artifact push registry.example/team/policy:v1 --artifact-type application/vnd.example.policy.v1+json policy.json'],
    positionals: ['REF', 'FILE...'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const artifactType = await artifactTypeOption(input);
    const annotations = annotationsOption(input);
    const files = await artifactFiles(input, input.positionals.slice(1));
    const pushed = await withClient(input, [ref], (client) => client.artifacts.push(ref, { artifactType, files, annotations, signal: input.io.signal }));
    if (input.options.json === true) await writeJson(input.io.stdout, pushed);
    else await writeLine(input.io.stdout, pushed.digest);
    return 0;
  },
);

/** `dhub artifact pull REF DIR`: an artifact's files, each under its title, verified. @public */
export const artifactPullCommand = defineCommand(
  {
    name: 'artifact pull',
    usage: 'dhub artifact pull REF DIR [--json]',
    summary: 'Pull an artifact\'s files into DIR under their titles (unsafe titles refused, every digest verified).',
    options: {},
    examples: ['dhub artifact pull registry.example/team/app@sha256:... ./sbom'],
    positionals: ['REF', 'DIR'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const dir = input.positionals[1];
    if (dir === undefined || dir === '') throw usageError(input, 'name the DIR to write the files into');
    if (input.positionals.length > 2) throw usageError(input, `unexpected argument ${input.positionals[2] ?? ''}`);
    const target = resolve(input.io.cwd ?? '.', dir);
    const pulled = await withClient(input, [ref], (client) => client.artifacts.pull(ref, target, { signal: input.io.signal }));
    if (input.options.json === true) {
      await writeJson(input.io.stdout, pulled);
      return 0;
    }
    for (const f of pulled.files) await writeLine(input.io.stdout, `${f.digest}  ${f.size}  ${f.title}`);
    return 0;
  },
);
