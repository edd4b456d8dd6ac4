import { type Command } from '../command.js';
import { serveCommand } from './serve.js';

/** Every `dhub` command, in the order `dhub --help` lists them. @public */
export const COMMANDS: readonly Command[] = [serveCommand];
