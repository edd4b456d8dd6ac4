#!/usr/bin/env node
// The README's main job (for now): parse the references given on the command line, or a built-in
// list, with the built core package and print their normalized parts.
import { ImageReference, isDockerHubError } from '../../packages/core/dist/index.js';

const inputs = process.argv.slice(2);
const refs =
  inputs.length > 0
    ? inputs
    : ['alpine', 'alpine:3.19', 'bitnami/redis', 'index.docker.io/library/ubuntu:22.04',
       'localhost:5000/team/app:v1', 'ghcr.io/o/r@sha256:' + 'a'.repeat(64), 'Ubuntu', 'a//b'];
let bad = 0;
for (const text of refs) {
  try {
    const r = ImageReference.parse(text);
    console.log(`${text}\n  registry=${r.registry} repository=${r.repository} tag=${r.tag ?? '-'} digest=${r.digest ?? '-'}\n  canonical=${r.toString()} familiar=${r.familiar()}`);
  } catch (err) {
    if (!isDockerHubError(err)) throw err;
    bad++;
    console.log(`${text}\n  ${err.code}: ${err.message}`);
  }
}
process.exitCode = inputs.length > 0 && bad > 0 ? 1 : 0;
