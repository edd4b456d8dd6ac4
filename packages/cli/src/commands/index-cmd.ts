import { ImageReference, Platform } from '@llmdevops/docker-hub-core';
import type { IndexEditResult } from '@llmdevops/docker-hub-services';
import { defineCommand, listOption, parseOperand, usageError, type CommandInput } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** The repeatable `--platform`, parsed; at least one. */
function platforms(input: CommandInput): Platform[] {
  const list = listOption(input, 'platform').map((text) => parseOperand(input, '--platform', () => Platform.parse(text)));
  if (list.length === 0) throw usageError(input, 'name at least one --platform');
  return list;
}

/** A reference operand that must name a tag (the edited index gets a new digest). */
function taggedOperand(input: CommandInput, text: string, label: string): ImageReference {
  const ref = parseOperand(input, label, () => ImageReference.parse(text));
  if (ref.digest !== undefined) throw usageError(input, `${label} must name a tag, not a digest: ${text}`);
  return ref;
}

/** The SRC operands from position 1 on. */
function sources(input: CommandInput): ImageReference[] {
  return input.positionals.slice(1).map((text) => parseOperand(input, 'SRC', () => ImageReference.parse(text)));
}

async function report(input: CommandInput, result: IndexEditResult): Promise<number> {
  if (input.values['json'] === true) {
    await writeJson(input.io.stdout, result);
    return 0;
  }
  await writeLine(input.io.stdout, result.digest);
  return 0;
}

const PLATFORM_OPTION = {
  type: 'string',
  multiple: true,
  value: 'OS/ARCH[/VARIANT]',
  help: 'a platform (repeatable)',
} as const;

/** `dhub index create REF SRC...`: an index from existing images. @public */
export const indexCreateCommand = defineCommand(
  {
    name: 'index create',
    usage: 'dhub index create REF SRC... [--json]',
    summary: 'Create an index at REF from existing images, each platform read from its config; no layer is pulled.',
    options: {},
    examples: ['dhub index create registry.example/app:1.0 registry.example/app:1.0-amd64 registry.example/app:1.0-arm64'],
    positionals: ['REF', 'SRC...'],
  },
  async (input) => {
    const target = taggedOperand(input, input.positionals[0] ?? '', 'REF');
    const srcs = sources(input);
    const result = await withClient(input, [target, ...srcs], (client) => client.indexes.create(target, srcs, { signal: input.io.signal }));
    return report(input, result);
  },
);

/** `dhub index add REF SRC...`: images added to an index. @public */
export const indexAddCommand = defineCommand(
  {
    name: 'index add',
    usage: 'dhub index add REF SRC... [--json]',
    summary: 'Add images to the index at REF (an image of a platform already listed replaces that entry).',
    options: {},
    examples: ['dhub index add registry.example/app:1.0 registry.example/app:1.0-riscv64'],
    positionals: ['REF', 'SRC...'],
  },
  async (input) => {
    const target = taggedOperand(input, input.positionals[0] ?? '', 'REF');
    const srcs = sources(input);
    const result = await withClient(input, [target, ...srcs], (client) => client.indexes.add(target, srcs, { signal: input.io.signal }));
    return report(input, result);
  },
);

/** `dhub index remove REF --platform P...`: platforms removed from an index. @public */
export const indexRemoveCommand = defineCommand(
  {
    name: 'index remove',
    usage: 'dhub index remove REF --platform OS/ARCH[/VARIANT]... [--json]',
    summary: 'Remove platforms (and their attestations) from the index at REF; other entries stay exactly as they were.',
    options: { platform: PLATFORM_OPTION },
    examples: ['dhub index remove registry.example/app:1.0 --platform linux/arm/v7'],
    positionals: ['REF'],
  },
  async (input) => {
    const target = taggedOperand(input, input.positionals[0] ?? '', 'REF');
    const wanted = platforms(input);
    const result = await withClient(input, [target], (client) => client.indexes.remove(target, wanted, { signal: input.io.signal }));
    return report(input, result);
  },
);

/** `dhub index filter SRC --platform P... --tag NEWREF`: a new index with only some platforms. @public */
export const indexFilterCommand = defineCommand(
  {
    name: 'index filter',
    usage: 'dhub index filter SRC --platform OS/ARCH[/VARIANT]... --tag NEWREF [--json]',
    summary: 'Write a new index at NEWREF with only some platforms of SRC; kept children keep their digests (blobs mounted or copied when NEWREF is elsewhere).',
    options: {
      platform: PLATFORM_OPTION,
      tag: { type: 'string', value: 'NEWREF', help: 'where the new index goes: a full reference with a tag (required)' },
    },
    examples: ['dhub index filter registry.example/app:1.0 --platform linux/amd64 --platform linux/arm64 --tag registry.example/app:1.0-slim'],
    positionals: ['SRC'],
  },
  async (input) => {
    const src = referenceOperand(input, 0, 'SRC');
    const wanted = platforms(input);
    const tag = input.options.tag;
    if (tag === undefined || tag === '') throw usageError(input, '--tag NEWREF is required');
    const target = taggedOperand(input, tag, '--tag');
    const result = await withClient(input, [src, target], (client) => client.indexes.filter(src, wanted, target, { signal: input.io.signal }));
    return report(input, result);
  },
);
