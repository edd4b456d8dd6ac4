import type { HubSearchResult } from '@llmdevops/docker-hub-services';
import { defineCommand, flag, positional, stringOption, usageError } from '../command.js';
import { write, writeJson } from '../io.js';
import { withClient } from '../internal/client.js';

/** `dhub search QUERY`: Docker Hub search. @public */
export const searchCommand = defineCommand(
  {
    name: 'search',
    usage: 'dhub search QUERY [--limit N] [--json]',
    summary:
      'Search Docker Hub repositories: name, stars, official flag and description, one per line.',
    options: {
      limit: { type: 'string', value: 'N', help: 'at most N results (default 25)' },
      json: { type: 'boolean', help: 'print an array of results' },
    },
    examples: ['dhub search nginx', 'dhub search redis --limit 5 --json'],
    positionals: ['QUERY'],
  },
  async (input) => {
    const query = positional(input, 0);
    if (query.trim() === '') throw usageError(input, 'QUERY must not be empty');
    const limitText = stringOption(input, 'limit') ?? '25';
    if (!/^\d{1,6}$/.test(limitText) || Number(limitText) === 0)
      throw usageError(input, `--limit must be a positive number, got ${limitText}`);
    const limit = Number(limitText);
    const results = await withClient(input, [], async (client) => {
      const found: HubSearchResult[] = [];
      for await (const r of client.repositories.search(query, { signal: input.io.signal })) {
        found.push(r);
        if (found.length >= limit) break;
      }
      return found;
    });
    if (flag(input, 'json')) await writeJson(input.io.stdout, results);
    else if (results.length > 0) {
      const lines = results.map(
        (r) =>
          `${r.name}\tstars ${r.starCount}${r.isOfficial ? '\tofficial' : ''}\t${r.description}`,
      );
      await write(input.io.stdout, `${lines.join('\n')}\n`);
    }
    return 0;
  },
);
