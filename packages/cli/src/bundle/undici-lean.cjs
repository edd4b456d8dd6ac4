'use strict';
// What the bundled `dhub` program loads for `undici`, in place of undici's index: the
// dispatchers and APIs the packages use. undici's index also loads fetch, WebSocket, caches,
// mocks and interceptors at start-up, about a sixth of each command's CPU time. tsup.config.ts
// maps `undici` to this file for the program's bundle only, except in the simulator, which uses
// `fetch` and keeps undici itself (so the index's modules stay out of every command's chunks); the
// libraries keep importing undici itself. test/undici-lean.test.ts checks it exports every name
// the other bundled packages import.
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');

// undici's index adds request(), stream(), pipeline(), connect() and upgrade() this way.
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));

module.exports = {
  Dispatcher,
  Agent: require('undici/lib/dispatcher/agent.js'),
  ProxyAgent: require('undici/lib/dispatcher/proxy-agent.js'),
  errors: require('undici/lib/core/errors.js'),
};
