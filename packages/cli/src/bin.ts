import { COMMANDS } from './commands/index.js';
import { processIo } from './io.js';
import { runCli } from './main.js';

const { io, dispose } = processIo();
const code = await runCli(process.argv.slice(2), io, COMMANDS);
dispose();
// Exit at once: after an undici request the event loop stays alive for a few hundred
// milliseconds once its sockets are closed, which would be added to every command's run time.
// Everything is done by now: commands await their work and their output (`write` resolves
// when the text is flushed).
process.exit(code);
