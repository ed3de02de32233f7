/**
 * `npm run token -- --org city --role editor [--role emergency] [--sub user-id] [--name "…"] [--ttl seconds]`
 * prints a JWT signed with the local development key. Details go to stderr, the token alone to
 * stdout, so `TOKEN=$(npm run -s token -- --org city --role editor)` works.
 */
import { parseArgs } from 'node:util';
import { RoleSchema, type Principal } from '../shared/model/schemas';
import { DEFAULT_TOKEN_TTL_SECONDS, signToken, type TokenRequest } from './dev-key';
import { seedOrganisations } from './seed';

const MAX_TTL_SECONDS = 30 * 24 * 60 * 60;

export const USAGE = `usage: npm run token -- --org <${seedOrganisations().join('|')}> --role <${RoleSchema.options.join('|')}> [--role …] [--sub user-id] [--name "name or e-mail"] [--ttl seconds]`;

export class UsageError extends Error {}

/** Turns command-line arguments into a token request, or throws a UsageError saying what is wrong. */
export function parseTokenArgs(args: string[]): TokenRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        org: { type: 'string' },
        role: { type: 'string', multiple: true },
        sub: { type: 'string' },
        name: { type: 'string' },
        ttl: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const organisations = seedOrganisations();
  if (!values.org) throw new UsageError('--org is required');
  if (!organisations.includes(values.org))
    throw new UsageError(`unknown organisation "${values.org}" (known: ${organisations.join(', ')})`);
  if (!values.role?.length) throw new UsageError('at least one --role is required');
  const roles: Principal['roles'] = [];
  for (const role of values.role) {
    const parsed = RoleSchema.safeParse(role);
    if (!parsed.success) throw new UsageError(`unknown role "${role}" (known: ${RoleSchema.options.join(', ')})`);
    if (!roles.includes(parsed.data)) roles.push(parsed.data);
  }
  let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
  if (values.ttl !== undefined) {
    if (!/^\d+$/.test(values.ttl) || Number(values.ttl) < 1 || Number(values.ttl) > MAX_TTL_SECONDS) {
      throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
    }
    ttlSeconds = Number(values.ttl);
  }
  const sub = values.sub ?? `local-${values.org}-${roles.join('-')}`;
  if (sub.trim() === '') throw new UsageError('--sub must not be empty');
  const name = values.name?.trim();
  return { sub, org: values.org, roles, ttlSeconds, ...(name ? { name } : {}) };
}

async function main(): Promise<void> {
  let request: TokenRequest;
  try {
    request = parseTokenArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const token = await signToken(request);
  const expires = new Date(Date.now() + (request.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS) * 1000).toISOString();
  console.error(
    `local token for ${request.sub} (org ${request.org}, roles ${request.roles.join(', ')}), valid until ${expires}:`,
  );
  console.log(token);
}

if (import.meta.main) await main();
