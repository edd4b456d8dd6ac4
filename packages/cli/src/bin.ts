import { config as zodConfig } from 'zod';
import { COMMANDS } from './commands/index.js';
import { processIo } from './io.js';
import { runCli } from './main.js';

// zod compiles a fast path for each object schema with `new Function` on its first parse: source
// text built and compiled in every run (no code cache keeps it) for a process that parses each
// kind of document a few times. The program checks documents without it (the same checks).
zodConfig({ jitless: true });
const { io, dispose } = processIo();
// No top-level await: the same entry is also built as CommonJS, run with a V8 code cache
// (tsup.config.ts, bin/code-cache.js).
void runCli(process.argv.slice(2), io, COMMANDS).then((code) => {
  dispose();
  // Exit at once: after an undici request the event loop stays alive for a few hundred
  // milliseconds once its sockets are closed, which would be added to every command's run time.
  // Everything is done by now: commands await their work and their output (`write` resolves
  // when the text is flushed).
  process.exit(code);
});
