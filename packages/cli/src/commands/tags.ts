import type { TagDetail } from '@llmdevops/docker-hub-services';
import {
  defineCommand,
  flag,
  listOption,
  parseOperand,
  stringOption,
  usageError,
} from '../command.js';
import { write, writeJson } from '../io.js';
import { withClient } from '../internal/client.js';
import { repositoryOperand } from '../internal/operands.js';

const time = (d: Date | undefined): string =>
  d === undefined ? '-' : `${d.toISOString().slice(0, 19)}Z`;

/**
 * One line of `dhub tags --long`: tag, digest, size, last pushed, last pulled, platforms.
 * @param t - the tag
 * @returns the line, tab-separated
 * @internal
 */
export function longLine(t: TagDetail): string {
  return [
    t.name,
    t.digest ?? '-',
    t.size === undefined ? '-' : String(t.size),
    `pushed ${time(t.lastPushed)}`,
    `pulled ${time(t.lastPulled)}`,
    t.platforms.length === 0 ? '-' : t.platforms.join(','),
  ].join('\t');
}

function detailJson(t: TagDetail): Record<string, unknown> {
  return {
    name: t.name,
    digest: t.digest,
    mediaType: t.mediaType,
    size: t.size,
    lastPushed: t.lastPushed?.toISOString(),
    lastPulled: t.lastPulled?.toISOString(),
    platforms: t.platforms,
    source: t.source,
  };
}

/** `dhub tags REPO`: one tag per line, or with `--long` its Hub metadata. @public */
export const tagsCommand = defineCommand(
  {
    name: 'tags',
    usage:
      'dhub tags REPO [--long] [--sort name|updated] [--include REGEX] [--exclude REGEX] [--json]',
    summary:
      "List a repository's tags, one per line (every page); --long adds digest, size, last push and pull, platforms.",
    options: {
      long: {
        type: 'boolean',
        help: 'digest, size, last pushed, last pulled, platforms (Docker Hub: Hub API; elsewhere a HEAD per tag)',
      },
      sort: {
        type: 'string',
        value: 'ORDER',
        help: 'name (alphabetical) or updated (newest push first)',
      },
      include: {
        type: 'string',
        multiple: true,
        value: 'REGEX',
        help: 'only tags matching (in full; repeatable)',
      },
      exclude: {
        type: 'string',
        multiple: true,
        value: 'REGEX',
        help: 'drop tags matching (in full; repeatable)',
      },
    },
    examples: [
      'dhub tags library/alpine',
      'dhub tags alice/app --long --sort updated --include "v.*"',
    ],
    positionals: ['REPO'],
  },
  async (input) => {
    const ref = repositoryOperand(input, 0);
    const sort = stringOption(input, 'sort');
    if (sort !== undefined && sort !== 'name' && sort !== 'updated')
      throw usageError(input, `--sort must be name or updated, got '${sort}'`);
    // The library's tag filter (full-match regular expressions), checked before anything is sent.
    const { compileTagFilter } = await import('@llmdevops/docker-hub-services');
    const filter = parseOperand(input, '--include/--exclude', () =>
      compileTagFilter({
        include: listOption(input, 'include'),
        exclude: listOption(input, 'exclude'),
      }),
    );
    const keep = (name: string): boolean => filter.matches(name);
    const long = flag(input, 'long');
    if (!long && sort !== 'updated') {
      const tags = (
        await withClient(input, [ref], (client) =>
          client.tags.list(ref, { signal: input.io.signal }),
        )
      ).filter(keep);
      if (sort === 'name') tags.sort();
      if (flag(input, 'json')) await writeJson(input.io.stdout, { name: ref.repository, tags });
      else if (tags.length > 0) await write(input.io.stdout, `${tags.join('\n')}\n`);
      return 0;
    }
    const details = (
      await withClient(input, [ref], (client) =>
        client.tags.details(ref, { signal: input.io.signal }),
      )
    ).filter((t) => keep(t.name));
    if (sort === 'name') details.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (sort === 'updated')
      details.sort(
        (a, b) =>
          (b.lastPushed?.getTime() ?? -Infinity) - (a.lastPushed?.getTime() ?? -Infinity) ||
          (a.name < b.name ? -1 : 1),
      );
    if (flag(input, 'json'))
      await writeJson(
        input.io.stdout,
        long
          ? { name: ref.repository, tags: details.map(detailJson) }
          : { name: ref.repository, tags: details.map((t) => t.name) },
      );
    else if (details.length > 0)
      await write(
        input.io.stdout,
        `${details.map((t) => (long ? longLine(t) : t.name)).join('\n')}\n`,
      );
    return 0;
  },
);
