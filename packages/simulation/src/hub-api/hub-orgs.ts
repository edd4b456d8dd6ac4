import { accountId, type SimulatorUser } from '../token-service/users.js';
import { type Caller } from './hub-caller.js';
import { hubError, hubJson, hubPage } from './hub-response.js';

const MEMBERS_ROUTE = /^\/v2\/orgs\/([^/]+)\/members\/?$/;
const GROUPS_ROUTE = /^\/v2\/orgs\/([^/]+)\/groups(?:\/([^/]+)(\/members)?)?\/?$/;
/** Every Docker Hub organisation has this team; the simulator's organisations have only it. */
const OWNERS = 'owners';

/** What the organisation routes need. @internal */
export interface OrgRoutesOptions {
  /** The accounts as configured. */
  readonly users: readonly SimulatorUser[];
  /** When the simulator started (members' `date_joined`), ms. */
  readonly startedAt: number;
  /** Public origin for paging links (default the request's). */
  readonly baseUrl?: string | undefined;
}

/**
 * The organisations the simulator knows: namespaces listed in some account's `namespaces` that
 * are not themselves account names. Their members are the accounts that list them, all owners.
 * @param users - the configured accounts
 * @param org - a name
 * @returns whether `org` is an organisation
 * @internal
 */
export function isOrganization(users: readonly SimulatorUser[], org: string): boolean {
  return (
    !users.some((u) => u.name === org) && users.some((u) => u.namespaces?.includes(org) === true)
  );
}

function members(options: OrgRoutesOptions, org: string): SimulatorUser[] {
  return options.users
    .filter((u) => u.namespaces?.includes(org) === true)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function person(options: OrgRoutesOptions, u: SimulatorUser): Record<string, unknown> {
  return {
    id: accountId(u.name).replaceAll('-', ''),
    company: '',
    date_joined: new Date(options.startedAt).toISOString(),
    full_name: u.name,
    gravatar_email: '',
    gravatar_url: '',
    location: '',
    profile_url: '',
    type: 'User',
    username: u.name,
    email: `${u.name}@users.simulation.invalid`,
  };
}

function group(org: string, count: number): Record<string, unknown> {
  return {
    id: 1,
    uuid: accountId(`${org}/${OWNERS}`),
    name: OWNERS,
    description: `The owners of ${org}`,
    member_count: count,
  };
}

/**
 * Read-only organisation members and groups (teams): `GET /v2/orgs/{org}/members`,
 * `GET /v2/orgs/{org}/groups[/{group}[/members]]`. Only members of the organisation may read them.
 * @param options - accounts, start time, base URL
 * @returns a route handler, answering `undefined` for other paths
 * @internal
 */
export function createOrgRoutes(
  options: OrgRoutesOptions,
): (caller: Caller, request: Request, url: URL) => Response | undefined {
  return (caller, request, url) => {
    const m = MEMBERS_ROUTE.exec(url.pathname);
    const g = m === null ? GROUPS_ROUTE.exec(url.pathname) : null;
    const org = m?.[1] ?? g?.[1];
    if (org === undefined) return undefined;
    if (request.method !== 'GET') return hubError(405, 'Method not allowed');
    if (caller.user === undefined)
      return hubJson(401, { detail: 'Authentication credentials were not provided.' });
    if (!isOrganization(options.users, org)) return hubError(404, 'Organization not found');
    if (!caller.owns(org))
      return hubJson(403, { detail: 'You do not have permission to perform this action.' });
    const all = members(options, org);
    const base = options.baseUrl ?? url.origin;
    if (m !== null) {
      const search = url.searchParams.get('search') ?? '';
      return hubPage(
        all
          .filter((u) => u.name.includes(search))
          .map((u) => ({
            ...person(options, u),
            role: 'Owner',
            groups: [OWNERS],
            is_guest: false,
          })),
        url,
        base,
      );
    }
    const name = g?.[2];
    if (name === undefined) return hubPage([group(org, all.length)], url, base);
    if (name !== OWNERS) return hubError(404, 'Group not found');
    if (g?.[3] === undefined) return hubJson(200, group(org, all.length));
    return hubPage(
      all.map((u) => person(options, u)),
      url,
      base,
    );
  };
}

/** Whether a path is one of the organisation routes. @internal */
export function isOrgRoute(path: string): boolean {
  return MEMBERS_ROUTE.test(path) || GROUPS_ROUTE.test(path);
}
