#!/usr/bin/env node
// Fails when a package depends on a workspace package that the layering in docs/design does not allow
// (core <- transport <- auth <- services <- docker-hub <- cli; webhooks and simulation use core).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const scope = '@llmdevops/docker-hub';
const allowed = {
  core: [],
  transport: ['core'],
  auth: ['core', 'transport'],
  services: ['core', 'transport', 'auth'],
  webhooks: ['core'],
  simulation: ['core', 'webhooks'],
  'docker-hub': ['core', 'transport', 'auth', 'services', 'webhooks'],
  cli: ['core', 'transport', 'auth', 'services', 'webhooks', 'simulation', 'docker-hub'],
  // Private, never published: tests the packed tarballs of every package (devDependencies only).
  'packaging-tests': [],
};
const short = (name) => (name === scope ? 'docker-hub' : name.slice(scope.length + 1));
let failures = 0;
for (const dir of readdirSync('packages')) {
  const file = join('packages', dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  const me = short(pkg.name);
  const ok = allowed[me];
  if (!ok) {
    console.error(`check-layers: ${pkg.name} is not in the layer table`);
    failures++;
    continue;
  }
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const dep of Object.keys(pkg[field] ?? {})) {
      if (!dep.startsWith(scope)) continue;
      if (!ok.includes(short(dep))) {
        console.error(`check-layers: ${pkg.name} may not depend on ${dep} (${field})`);
        failures++;
      }
    }
  }
}
if (failures > 0) process.exit(1);
console.log('check-layers: ok');
