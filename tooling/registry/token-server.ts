// A small registry token service (distribution token spec) for tests: RS256 JWTs whose header
// carries the signing certificate (x5c), which the registry trusts through `rootcertbundle`.
import { createSign, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A user the token service (and htpasswd) knows. */
export interface RegistryUser {
  readonly name: string;
  readonly password: string;
}

/** One scope a client asked for, as the token service parsed it. */
export interface RequestedScope {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** Decides which actions a user (undefined: anonymous) gets on a requested scope. */
export type GrantPolicy = (user: string | undefined, scope: RequestedScope) => readonly string[];

/** What the token service saw, for assertions (no secrets). */
export interface TokenServerRequest {
  readonly method: 'GET' | 'POST';
  readonly account: string | undefined;
  readonly grantType: string | undefined;
  readonly scopes: readonly string[];
  readonly status: number;
}

/** Options of {@link startTokenServer}. */
export interface TokenServerOptions {
  readonly keyPem: string;
  readonly certPem: string;
  readonly issuer: string;
  readonly service: string;
  readonly users: readonly RegistryUser[];
  /** Token lifetime in seconds (`expires_in` and the JWT's `exp`). */
  readonly expiresIn: number;
  readonly grants: GrantPolicy;
  /** Answer POST /token with 404 (a token server without OAuth2). */
  readonly disablePost?: boolean;
}

/** A running token service. */
export interface TokenServer {
  readonly url: string;
  readonly requests: TokenServerRequest[];
  /** Shifts the service's clock (seconds), e.g. to mint already-expired tokens. */
  clockOffsetSeconds: number;
  close(): Promise<void>;
}

/** Default grants: `reader` pulls, other known users pull/push/delete and the catalog, anonymous nothing. */
export function defaultGrants(anonymousActions: readonly string[] = []): GrantPolicy {
  return (user, scope) => {
    const allowed =
      user === undefined
        ? anonymousActions
        : user === 'reader'
          ? ['pull']
          : scope.type === 'registry'
            ? ['*']
            : ['pull', 'push', 'delete', '*'];
    return scope.actions.filter((a) => allowed.includes(a));
  };
}

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function parseScope(text: string): RequestedScope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  return {
    type: text.slice(0, first),
    name: text.slice(first + 1, last),
    actions: text
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the token service on 127.0.0.1 with a free port. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const certDer = new X509Certificate(options.certPem).raw.toString('base64');
  const refreshTokens = new Map<string, string>();
  const requests: TokenServerRequest[] = [];
  const state = { clockOffsetSeconds: 0 };

  function mint(
    user: string | undefined,
    scopes: readonly RequestedScope[],
  ): { token: string; issuedAt: Date } {
    const now = Math.floor(Date.now() / 1000) + state.clockOffsetSeconds;
    const access = scopes
      .map((s) => ({ type: s.type, name: s.name, actions: [...options.grants(user, s)] }))
      .filter((a) => a.actions.length > 0);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] };
    const claims = {
      iss: options.issuer,
      sub: user ?? '',
      aud: options.service,
      exp: now + options.expiresIn,
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(options.keyPem);
    return { token: `${input}.${b64url(signature)}`, issuedAt: new Date(now * 1000) };
  }

  function checkUser(name: string | undefined, password: string | undefined): boolean {
    return options.users.some((u) => u.name === name && u.password === password);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') {
      send(res, 404, { details: 'not found' });
      return;
    }
    let user: string | undefined;
    let grantType: string | undefined;
    let scopeTexts: string[];
    let offline = false;
    const method = req.method === 'POST' ? 'POST' : 'GET';
    const log = (status: number): void => {
      requests.push({ method, account: user, grantType, scopes: scopeTexts, status });
    };
    if (method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      scopeTexts = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
      grantType = form.get('grant_type') ?? undefined;
      if (options.disablePost === true) {
        log(404);
        send(res, 404, { details: 'POST not supported' });
        return;
      }
      if (grantType === 'password') {
        user = form.get('username') ?? undefined;
        if (!checkUser(user, form.get('password') ?? undefined)) {
          log(401);
          send(res, 401, { details: 'wrong username or password' });
          return;
        }
        offline = form.get('access_type') === 'offline';
      } else if (grantType === 'refresh_token') {
        user = refreshTokens.get(form.get('refresh_token') ?? '');
        if (user === undefined) {
          log(401);
          send(res, 401, { details: 'unknown refresh token' });
          return;
        }
      } else {
        log(400);
        send(res, 400, { details: 'unsupported grant_type' });
        return;
      }
    } else {
      scopeTexts = url.searchParams.getAll('scope');
      offline = url.searchParams.get('offline_token') === 'true';
      const header = req.headers.authorization;
      if (header !== undefined) {
        const m = /^Basic\s+(.+)$/i.exec(header);
        const decoded = m?.[1] === undefined ? '' : Buffer.from(m[1], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        user = colon < 0 ? undefined : decoded.slice(0, colon);
        const password = colon < 0 ? undefined : decoded.slice(colon + 1);
        const viaRefresh = password === undefined ? undefined : refreshTokens.get(password);
        if (viaRefresh !== undefined) user = viaRefresh;
        else if (!checkUser(user, password)) {
          log(401);
          send(res, 401, { details: 'wrong username or password' });
          return;
        }
      }
    }
    const scopes = scopeTexts
      .flatMap((t) => t.split(' '))
      .map(parseScope)
      .filter((s): s is RequestedScope => s !== undefined);
    const { token, issuedAt } = mint(user, scopes);
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: options.expiresIn,
      issued_at: issuedAt.toISOString(),
    };
    if (offline && user !== undefined) {
      const refresh = randomBytes(24).toString('hex');
      refreshTokens.set(refresh, user);
      body['refresh_token'] = refresh;
    }
    log(200);
    send(res, 200, body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { details: 'token server error' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    get clockOffsetSeconds() {
      return state.clockOffsetSeconds;
    },
    set clockOffsetSeconds(v: number) {
      state.clockOffsetSeconds = v;
    },
    close: async () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
