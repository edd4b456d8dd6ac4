import { type Command } from '../command.js';
import { loginCommand, logoutCommand } from './login.js';
import { serveCommand } from './serve.js';
import { webhookListenCommand } from './webhook-listen.js';

/** Every `dhub` command, in the order `dhub --help` lists them. @public */
export const COMMANDS: readonly Command[] = [serveCommand, loginCommand, logoutCommand, webhookListenCommand];
