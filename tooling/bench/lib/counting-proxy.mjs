// A loopback HTTP proxy in front of one registry that forwards everything unchanged and records
// each request with the status the registry answered: the requests of a run counted at the
// registry's door. (tooling/fault-proxy logs requests without their status, and a challenge
// answered 401 must be told apart from a request sent twice.)
import http from 'node:http';
import { aliasCredentials } from '../registry.mjs';

/**
 * Starts the proxy on 127.0.0.1 in front of `reg` and gives its host `reg`'s credentials.
 * `seen` holds `{ method, path, status }` per answered request, in order. The `Host` header is
 * forwarded unchanged, so the registry's absolute URLs point back at the proxy.
 * @param {{ url: string, host: string }} reg
 */
export async function startCountingProxy(reg) {
  const target = new URL(reg.url);
  const agent = new http.Agent({ keepAlive: true });
  const seen = [];
  const server = http.createServer((req, res) => {
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        seen.push({ method: req.method, path: req.url, status: answer.statusCode });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', (err) => res.destroy(err));
    req.pipe(up);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const host = `127.0.0.1:${server.address().port}`;
  await aliasCredentials(host, reg.host);
  return {
    host,
    seen,
    close: () =>
      new Promise((done) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
