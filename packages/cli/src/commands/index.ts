import type { Command } from '../command.js';
import { blobCommand } from './blob.js';
import { copyCommand } from './copy.js';
import { deleteCommand } from './delete.js';
import { demoCommand } from './demo.js';
import { digestCommand } from './digest.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { inspectCommand } from './inspect.js';
import { attachCommand } from './attach.js';
import { artifactPullCommand, artifactPushCommand } from './artifact.js';
import { indexAddCommand, indexCreateCommand, indexFilterCommand, indexRemoveCommand } from './index-cmd.js';
import { referrersCommand } from './referrers.js';
import { loginCommand, logoutCommand } from './login.js';
import { manifestCommand } from './manifest.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { rateLimitCommand } from './rate-limit.js';
import {
  repoCommand,
  repoCreateCommand,
  repoRmCommand,
  repoSetCommand,
  reposCommand,
} from './repos.js';
import { orgMembersCommand, orgTeamsCommand } from './org.js';
import { pruneCommand } from './prune.js';
import {
  tokenCreateCommand,
  tokenDisableCommand,
  tokenEnableCommand,
  tokenListCommand,
  tokenRmCommand,
} from './token.js';
import { scanCommand } from './scan.js';
import { searchCommand } from './search.js';
import { syncCommand } from './sync.js';
import { serveCommand } from './serve.js';
import { tagCommand } from './tag.js';
import { tagsCommand } from './tags.js';
import { webhookListenCommand } from './webhook-listen.js';

/** Every `dhub` command, in the order `dhub --help` lists them. @internal */
export const COMMANDS: readonly Command[] = [
  manifestCommand,
  digestCommand,
  inspectCommand,
  referrersCommand,
  attachCommand,
  artifactPushCommand,
  artifactPullCommand,
  indexCreateCommand,
  indexAddCommand,
  indexRemoveCommand,
  indexFilterCommand,
  tagsCommand,
  blobCommand,
  pullCommand,
  pushCommand,
  copyCommand,
  exportCommand,
  importCommand,
  syncCommand,
  tagCommand,
  deleteCommand,
  reposCommand,
  repoCommand,
  repoCreateCommand,
  repoSetCommand,
  repoRmCommand,
  pruneCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenDisableCommand,
  tokenEnableCommand,
  tokenRmCommand,
  orgMembersCommand,
  orgTeamsCommand,
  searchCommand,
  scanCommand,
  rateLimitCommand,
  loginCommand,
  logoutCommand,
  serveCommand,
  webhookListenCommand,
  demoCommand,
];
