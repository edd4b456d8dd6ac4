import { COMMANDS } from './commands/index.js';
import { processIo } from './io.js';
import { runCli } from './main.js';

const { io, dispose } = processIo();
const code = await runCli(process.argv.slice(2), io, COMMANDS);
dispose();
process.exitCode = code;
