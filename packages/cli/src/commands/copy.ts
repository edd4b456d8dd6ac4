import { Platform, type ImageReference } from '@llmdevops/docker-hub-core';
import { defineCommand, flag, listOption, parseOperand, positional, usageError, type CommandInput } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient, withProgress } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';
import { copyAllTags, countOption, rateLimitOptions, tagFilterOptions } from '../internal/repository-copy.js';

/** Options that only make sense with `--all-tags`. */
const REPOSITORY_OPTIONS = ['include', 'exclude', 'semver', 'last', 'jobs', 'keep-going', 'dry-run', 'wait-for-reset', 'rate-limit-reserve'] as const;

/** The repeatable `--platform`, parsed. */
function platformsOption(input: CommandInput): Platform[] {
  return listOption(input, 'platform').map((text) => parseOperand(input, '--platform', () => Platform.parse(text)));
}

/** A repository operand for `--all-tags`: no tag or digest written. */
function repoOperand(input: CommandInput, index: number, label: string): ImageReference {
  const text = positional(input, index);
  const ref = referenceOperand(input, index, label);
  const last = text.slice(text.lastIndexOf('/') + 1);
  if (ref.digest !== undefined || last.includes(':')) {
    throw usageError(input, `with --all-tags, ${label} is a repository without tag or digest: ${text}`);
  }
  return ref;
}

/** `dhub copy SRC DST`: registry to registry, streaming, mounting within one registry. @public */
export const copyCommand = defineCommand(
  {
    name: 'copy',
    usage:
      'dhub copy SRC DST [--platform OS/ARCH[/VARIANT]]... [--json] | dhub copy SRC_REPO DST_REPO --all-tags [--include REGEX]... [--exclude REGEX]... [--semver RANGE] [--last N] [--jobs N] [--keep-going] [--dry-run] [--referrers] [--wait-for-reset] [--rate-limit-reserve N] [--json]',
    summary:
      'Copy an image, or every tag of a repository, between repositories or registries (the whole image by default; streamed, verified; blobs mounted within one registry).',
    options: {
      platform: {
        type: 'string',
        multiple: true,
        value: 'P',
        help: [
          'only platform P, e.g. linux/arm64 (repeatable; default: the whole image, same digest as',
          "the source); with several, the index is rewritten to those, so its digest differs",
        ],
      },
      'all-platforms': { type: 'boolean', help: 'every platform (the default; kept for compatibility)' },
      'all-tags': {
        type: 'boolean',
        help: 'copy the tags of SRC_REPO to DST_REPO; unchanged tags (same digest by HEAD) are skipped',
      },
      include: { type: 'string', multiple: true, value: 'REGEX', help: 'only tags REGEX matches in full (repeatable: any may match)' },
      exclude: { type: 'string', multiple: true, value: 'REGEX', help: 'leave out tags REGEX matches in full (repeatable)' },
      semver: {
        type: 'string',
        value: 'RANGE',
        help: 'only semantic-version tags (v prefix allowed) in RANGE, node-semver syntax',
      },
      last: { type: 'string', value: 'N', help: 'only the N most recently pushed (Docker Hub), else the last N listed' },
      jobs: { type: 'string', value: 'N', help: 'tags copied at once (default 4)' },
      'keep-going': { type: 'boolean', help: 'try every tag after a failure (default: stop starting new tags)' },
      'dry-run': {
        type: 'boolean',
        help: 'print the plan (tags, digests, blobs with sizes, manifest GETs) and write nothing',
      },
      referrers: { type: 'boolean', help: "copy each tag's referrers too (signatures, SBOMs, attestations)" },
      'wait-for-reset': {
        type: 'boolean',
        help: 'when the pull budget cannot cover the manifest GETs, wait for the reset instead of stopping',
      },
      'rate-limit-reserve': { type: 'string', value: 'N', help: 'leave N pulls of the budget unused for others' },
    },
    examples: [
      'dhub copy alpine:3.19 127.0.0.1:5000/mirror/alpine:3.19',
      'dhub copy alpine:3.19 127.0.0.1:5000/mirror/alpine:3.19-amd64 --platform linux/amd64',
      "dhub copy library/alpine 127.0.0.1:5000/mirror/alpine --all-tags --semver '>=3.19' --dry-run",
    ],
    positionals: ['SRC', 'DST'],
  },
  async (input) => {
    const platforms = platformsOption(input);
    if (platforms.length > 0 && flag(input, 'all-platforms'))
      throw usageError(input, '--platform and --all-platforms exclude each other');
    if (flag(input, 'all-tags')) {
      const src = repoOperand(input, 0, 'SRC_REPO');
      const dst = repoOperand(input, 1, 'DST_REPO');
      await tagFilterOptions(input);
      countOption(input, 'jobs');
      rateLimitOptions(input);
      return withClient(input, [src, dst], (client) => copyAllTags(input, client, { src, dst, platforms }));
    }
    const stray = REPOSITORY_OPTIONS.filter((o) => input.values[o] !== undefined);
    if (stray.length > 0) throw usageError(input, `--${stray.join(', --')} need --all-tags`);
    const src = referenceOperand(input, 0, 'SRC');
    const dst = referenceOperand(input, 1, 'DST');
    const result = await withClient(input, [src, dst], (client) =>
      withProgress(input, client, `copy ${src.familiar()} -> ${dst.familiar()}`, (onBlob) =>
        client.images.copy(src, dst, {
          signal: input.io.signal,
          ...(onBlob === undefined ? {} : { onBlob }),
          ...(platforms.length > 0 ? { platforms } : {}),
          ...(flag(input, 'referrers') ? { referrers: true } : {}),
        }),
      ),
    );
    const [only] = platforms;
    if (!flag(input, 'quiet') && !flag(input, 'json')) {
      if (result.indexRewritten === true) {
        await writeLine(input.io.stderr, `note: the index was rewritten to list only ${platforms.join(', ')}, so its digest differs from the source's`);
      } else if (only !== undefined && platforms.length === 1) {
        await writeLine(input.io.stderr, `note: copied ${only.toString()} only: the destination points at that platform's image manifest, not the source's index`);
      }
    }
    if (flag(input, 'json')) {
      await writeJson(input.io.stdout, {
        source: src.toString(),
        destination: dst.toString(),
        ...result,
      });
    } else if (!flag(input, 'quiet')) await writeLine(input.io.stdout, result.digest);
    return 0;
  },
);
