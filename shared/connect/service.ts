/**
 * Connecting a channel's account, start to end:
 *   `POST /channels/{id}/connect` (admin) — an OAuth platform gets an attempt (state, PKCE verifier)
 *   and answers with the platform's authorisation URL; a direct platform (Bluesky, Telegram,
 *   WhatsApp) checks what it was given at once and connects.
 *   `GET /oauth/callback/{platform}` (public: the platform's redirect) — takes the attempt its
 *   `state` names (once, within 10 minutes, for that platform), exchanges the code, writes the
 *   channel's secret, then records the connection on the channel with its audit entry in one
 *   transaction.
 * Order matters: the secret is written before the channel says "connected", so a failure anywhere
 * (Secrets Manager unavailable included) leaves the channel as it was, apart from the reason of the
 * failed attempt, and the person can simply start again. No token is ever returned or logged.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { requireRole } from '../api/auth';
import { parseOrProblem, ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import { channelView, ownChannel } from '../channels/read';
import { requestDirectoryBuild } from '../directory/request';
import type { Channel, ChannelConnection, Principal } from '../model/schemas';
import { logger } from '../observability/powertools';
import { isPlatformId, PLATFORMS, type PlatformId } from '../platforms/registry';
import { getChannel } from '../store/channels';
import { isDeployed, notDeployedReason } from '../config';
import { requireDeployed } from '../platforms/deployed';
import { isConditionFailure, type Store } from '../store/client';
import { keys } from '../store/keys';
import { ConnectError } from './answers';
import { codeChallenge, createAttempt, randomSecret, takeAttempt } from './attempts';
import { callbackPage, type CallbackOutcome } from './callback-page';
import { appSecretName, contextFor, type AppCredentials, type ConnectContext, type ConnectedAccount } from './flow';
import { CONNECT_FLOWS } from './flows';
import { secretStoreFor, type SecretStore } from './secret-store';

export const CONNECT_ENV = {
  /** the API's public base URL the platforms send people back to (default: the host the request came to) */
  publicApiUrl: 'HEROLD_PUBLIC_API_URL',
  /** where the callback page links back to (the workspace) */
  workspaceUrl: 'HEROLD_WORKSPACE_URL',
} as const;

export interface ConnectDeps {
  store: Store;
  fetch?: typeof fetch;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
  /** where a channel's secret is written and deleted (default: by its reference, Secrets Manager or the local file) */
  secrets?: (ref: string) => SecretStore;
}

const channelSecrets = (deps: ConnectDeps, ref: string) => (deps.secrets ?? ((r) => secretStoreFor(r, deps.env)))(ref);

const nowOf = (deps: ConnectDeps) => (deps.now ?? (() => new Date()))();

const context = (deps: ConnectDeps, channel: Channel, now: Date): ConnectContext =>
  contextFor(channel, { fetch: deps.fetch, now, env: deps.env });

/** The callback address a platform is told (and later asked about, exactly the same). */
export function redirectUriFor(platform: PlatformId, requestOrigin: string, env: NodeJS.ProcessEnv = process.env) {
  const base = (env[CONNECT_ENV.publicApiUrl] || requestOrigin).replace(/\/+$/, '');
  return `${base}/oauth/callback/${platform}`;
}

async function appCredentials(platform: PlatformId, env: NodeJS.ProcessEnv | undefined): Promise<AppCredentials> {
  const name = appSecretName(platform, env);
  let stored;
  try {
    stored = await secretStoreFor(name, env).read(name);
  } catch (error) {
    logger.error('platform app credentials could not be read', { platform, secret: name, error: error as Error });
    throw new ProblemError(
      503,
      `the ${PLATFORMS[platform].displayName} app's credentials could not be read; try again`,
    );
  }
  if (!stored?.clientId || !stored.clientSecret)
    throw new ProblemError(
      503,
      `${PLATFORMS[platform].displayName} is not set up for connections: the secret "${name}" needs the app's clientId and clientSecret`,
    );
  return { clientId: stored.clientId, clientSecret: stored.clientSecret };
}

export type StartAnswer =
  | { kind: 'oauth'; authorizationUrl: string; expiresAt: string }
  | { kind: 'direct'; channel: ReturnType<typeof channelView> };

/** `POST /channels/{id}/connect`. */
export async function startConnect(
  deps: ConnectDeps,
  principal: Principal,
  channelId: string,
  body: unknown,
  requestOrigin: string,
): Promise<StartAnswer> {
  requireRole(principal, 'admin', 'connecting a channel');
  const channel = await ownChannel(deps.store, principal, channelId);
  if (channel.state === 'retired') throw new ProblemError(409, 'a retired channel cannot be connected');
  requireDeployed(channel.platform, deps.env ?? process.env);
  const flow = CONNECT_FLOWS[channel.platform];
  const input = parseOrProblem(
    flow.input,
    body ?? {},
    `the ${PLATFORMS[channel.platform].displayName} connection needs other fields`,
  );
  const now = nowOf(deps);
  const ctx = context(deps, channel, now);

  if (flow.kind === 'direct') {
    let connected: ConnectedAccount;
    try {
      connected = await flow.connect(input, ctx);
    } catch (error) {
      if (!(error instanceof ConnectError)) throw error;
      await recordFailure(deps.store, channel, principal, error.reason, now);
      throw new ProblemError(422, error.message);
    }
    const after = await connect(deps, channel, principal, connected, now);
    return { kind: 'direct', channel: after };
  }

  const redirectUri = redirectUriFor(channel.platform, requestOrigin, deps.env);
  let prepared: { extras: Record<string, string>; app?: AppCredentials; pkce?: boolean } = {
    extras: flow.extrasOf?.(input) ?? {},
  };
  if (flow.prepare) {
    try {
      prepared = await flow.prepare(input, ctx, redirectUri);
    } catch (error) {
      if (!(error instanceof ConnectError)) throw error;
      await recordFailure(deps.store, channel, principal, error.reason, now);
      throw new ProblemError(502, error.message);
    }
  }
  const app = prepared.app ?? (await appCredentials(channel.platform, deps.env));
  const pkce = prepared.pkce ?? flow.pkce;
  const codeVerifier = pkce ? randomSecret() : undefined;
  const { state, expiresAt } = await createAttempt(
    deps.store,
    principal,
    {
      channelId,
      platform: channel.platform,
      redirectUri,
      extras: prepared.extras,
      ...(codeVerifier ? { codeVerifier } : {}),
    },
    now,
  );
  const authorizationUrl = flow.authorizationUrl(
    {
      clientId: app.clientId,
      redirectUri,
      state,
      extras: prepared.extras,
      ...(codeVerifier ? { codeChallenge: codeChallenge(codeVerifier) } : {}),
    },
    ctx,
  );
  logger.info('connection started', { channelId, platform: channel.platform, pkce });
  return { kind: 'oauth', authorizationUrl, expiresAt };
}

export interface CallbackAnswer {
  statusCode: number;
  outcome: CallbackOutcome;
  html: string;
}

/** `GET /oauth/callback/{platform}`: the platform's redirect after the person's decision. */
export async function finishCallback(
  deps: ConnectDeps,
  platform: string | undefined,
  query: Record<string, string | undefined>,
): Promise<CallbackAnswer> {
  const now = nowOf(deps);
  const workspaceUrl = (deps.env ?? process.env)[CONNECT_ENV.workspaceUrl];
  const page = (statusCode: number, outcome: CallbackOutcome): CallbackAnswer => ({
    statusCode,
    outcome,
    html: callbackPage(outcome, workspaceUrl),
  });
  if (!platform || !isPlatformId(platform) || CONNECT_FLOWS[platform].kind !== 'oauth')
    return page(404, { kind: 'refused', reason: 'this address names no platform Herold connects by sign-in' });
  const flow = CONNECT_FLOWS[platform];
  if (flow.kind !== 'oauth') return page(404, { kind: 'refused', reason: 'this platform is not connected by sign-in' });
  const refused = (reason: string) => {
    logger.warn('connection callback refused', { securityEvent: true, platform, reason });
    return page(400, { kind: 'refused', reason });
  };
  if (!isDeployed(platform, deps.env ?? process.env)) return refused(notDeployedReason(platform));
  if (!query.state) return refused('the answer carries no state');
  const attempt = await takeAttempt(deps.store, query.state, platform, now);
  if (!attempt)
    return refused(
      'this sign-in is unknown, was already used, or is older than 10 minutes: start the connection again',
    );

  const principal: Principal = {
    sub: attempt.sub,
    org: attempt.org,
    roles: ['admin'],
    ...(attempt.name ? { name: attempt.name } : {}),
  };
  const channel = await getChannel(deps.store, attempt.channelId);
  if (!channel || channel.org !== attempt.org || channel.state === 'retired')
    return refused('the channel no longer exists or was retired meanwhile');
  const label = channel.displayName ?? channel.handle;
  const failed = async (reason: string) => {
    await recordFailure(deps.store, channel, principal, reason, now).catch((error: unknown) =>
      logger.error('failed connection could not be recorded', { channelId: channel.id, error: error as Error }),
    );
    logger.warn('connection failed', { channelId: channel.id, platform, reason });
    return page(200, { kind: 'failed', platform, channelId: channel.id, channel: label, reason });
  };

  if (query.error) {
    const reason = [query.error_description, query.error_reason ?? query.error]
      .filter((part) => part && part.trim() !== '')
      .join(' — ');
    return failed(`${PLATFORMS[platform].displayName} did not authorise Herold: ${reason.slice(0, 300)}`);
  }
  if (!query.code) return failed(`${PLATFORMS[platform].displayName} sent no authorisation code`);

  const ctx = context(deps, channel, now);
  let connected: ConnectedAccount;
  try {
    const app = (await flow.appFor?.(attempt.extras)) ?? (await appCredentials(platform, deps.env));
    connected = await flow.exchange(
      {
        code: query.code,
        redirectUri: attempt.redirectUri,
        app,
        extras: attempt.extras,
        ...(attempt.codeVerifier ? { codeVerifier: attempt.codeVerifier } : {}),
      },
      ctx,
    );
  } catch (error) {
    if (error instanceof ConnectError) return failed(error.message);
    if (error instanceof ProblemError) return failed(error.message);
    throw error;
  }
  try {
    const after = await connect(deps, channel, principal, connected, now);
    return page(200, {
      kind: 'connected',
      platform,
      channelId: channel.id,
      channel: label,
      account: after.connection.accountName ?? after.handle,
    });
  } catch (error) {
    if (error instanceof ProblemError) {
      // the tokens were issued but are not kept: take them back where the platform allows it
      await flow.revoke?.(connected.credentials, ctx).catch(() => undefined);
      return failed(error.message);
    }
    throw error;
  }
}

/** Writes the secret, then records the connection on the channel; throws a ProblemError when either fails. */
async function connect(
  deps: ConnectDeps,
  channel: Channel,
  principal: Principal,
  connected: ConnectedAccount,
  now: Date,
) {
  if (Object.keys(connected.credentials).length > 0) {
    try {
      await channelSecrets(deps, channel.credentialsRef).write(channel.credentialsRef, connected.credentials, {
        'herold:org': channel.org,
        'herold:channel': channel.id,
        'herold:platform': channel.platform,
      });
    } catch (error) {
      logger.error('connected credentials could not be stored', { channelId: channel.id, error: error as Error });
      await recordFailure(deps.store, channel, principal, 'the credentials could not be stored', now).catch(
        () => undefined,
      );
      throw new ProblemError(
        503,
        'the credentials could not be stored (the secret store did not answer); nothing was changed: connect again',
      );
    }
  }
  const updated = await commitConnection(deps.store, channel, principal, connected, now);
  await requestDirectoryBuild(channel.org, now);
  logger.info('channel connected', { channelId: channel.id, platform: channel.platform });
  return channelView(updated, now);
}

/** Whether the publisher can renew what this connection stored (shared/tokens/refresh-on-use). */
const renewsItself = (platform: PlatformId, connected: ConnectedAccount): boolean =>
  PLATFORMS[platform].publisherRenewsTokens === true &&
  Boolean(connected.credentials.refreshToken && connected.credentials.clientId);

async function commitConnection(
  store: Store,
  channel: Channel,
  principal: Principal,
  connected: ConnectedAccount,
  now: Date,
): Promise<Channel> {
  const connection: ChannelConnection = {
    status: 'connected',
    accountName: connected.accountName,
    connectedAt: now.toISOString(),
    connectedBy: principal.name ?? principal.sub,
  };
  // the first connection of a new channel makes it active; a reconnection leaves its state alone
  const activates = channel.connection?.status === 'not-connected' && channel.state === 'frozen';
  const after: Channel = {
    ...channel,
    account: connected.account,
    connection,
    tokenRefreshedAt: now.toISOString(),
    ...(connected.handle ? { handle: connected.handle } : {}),
    ...(connected.profileUrl ? { profileUrl: connected.profileUrl } : {}),
    ...(connected.textLimit ? { textLimit: connected.textLimit } : {}),
    ...(activates ? { state: 'active' as const, stateReason: undefined } : {}),
    needsReauth: undefined,
    tokenExpiresAt: connected.tokenExpiresAt,
    tokenRenews: renewsItself(channel.platform, connected) || undefined,
  };
  const set: Record<string, unknown> = {
    account: after.account,
    connection,
    tokenRefreshedAt: after.tokenRefreshedAt,
    handle: after.handle,
    state: after.state,
    ...(after.profileUrl ? { profileUrl: after.profileUrl } : {}),
    ...(after.textLimit ? { textLimit: after.textLimit } : {}),
    ...(after.tokenExpiresAt ? { tokenExpiresAt: after.tokenExpiresAt } : {}),
    ...(after.tokenRenews ? { tokenRenews: true } : {}),
  };
  const remove = [
    'needsReauth',
    ...(after.tokenExpiresAt ? [] : ['tokenExpiresAt']),
    ...(after.tokenRenews ? [] : ['tokenRenews']),
    ...(activates ? ['stateReason'] : []),
  ];
  const names = Object.fromEntries([...Object.keys(set), ...remove].map((name) => [`#${name}`, name]));
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: store.table,
              Key: keys.channel(channel.id),
              UpdateExpression: `SET ${Object.keys(set)
                .map((name) => `#${name} = :${name}`)
                .join(', ')} REMOVE ${remove.map((name) => `#${name}`).join(', ')}`,
              ConditionExpression: '#org = :org AND #state = :seenState',
              ExpressionAttributeNames: { ...names, '#org': 'org', '#state': 'state' },
              ExpressionAttributeValues: {
                ...Object.fromEntries(Object.entries(set).map(([name, value]) => [`:${name}`, value])),
                ':org': channel.org,
                ':seenState': channel.state,
              },
            },
          },
          auditPut(
            store,
            principal,
            {
              action: 'channel.connect',
              target: `channel/${channel.id}`,
              before: { state: channel.state, account: channel.account, connection: channel.connection },
              after: {
                outcome: 'connected',
                state: after.state,
                account: after.account,
                accountName: connection.accountName,
                handle: after.handle,
                ...(after.profileUrl ? { profileUrl: after.profileUrl } : {}),
                ...(after.textLimit ? { textLimit: after.textLimit } : {}),
              },
            },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error))
      throw new ProblemError(409, 'the channel was changed meanwhile (frozen, retired or moved); connect again');
    throw error;
  }
  return after;
}

/** The failed attempt's reason on the channel, for the Channels page, with its audit entry; nothing else changes. */
async function recordFailure(store: Store, channel: Channel, principal: Principal, reason: string, now: Date) {
  const connection: ChannelConnection = {
    ...(channel.connection ?? { status: 'connected' }),
    lastFailure: { at: now.toISOString(), reason: reason.slice(0, 500) },
  };
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: store.table,
            Key: keys.channel(channel.id),
            UpdateExpression: 'SET #connection = :connection',
            ConditionExpression: 'attribute_exists(PK) AND #org = :org',
            ExpressionAttributeNames: { '#connection': 'connection', '#org': 'org' },
            ExpressionAttributeValues: { ':connection': connection, ':org': channel.org },
          },
        },
        auditPut(
          store,
          principal,
          {
            action: 'channel.connect',
            target: `channel/${channel.id}`,
            after: { outcome: 'failed', reason: connection.lastFailure?.reason },
          },
          now,
        ),
      ],
    }),
  );
}

export type RetirementOutcome = {
  /** revoked at the platform, not offered by it (with why), or tried and failed (with the reason) */
  revocation: 'revoked' | 'not-offered' | 'failed' | 'nothing-stored';
  /** the secret is deleted (Secrets Manager keeps it for its recovery window) */
  secretDeleted: boolean;
  detail?: string;
};

/**
 * After a channel was retired: revoke its token where the platform offers that, then delete its
 * secret. The retirement itself is already recorded; a failure here is reported, and retiring
 * the channel again tries once more.
 */
export async function retireCredentials(deps: ConnectDeps, channel: Channel): Promise<RetirementOutcome> {
  const store = channelSecrets(deps, channel.credentialsRef);
  const flow = CONNECT_FLOWS[channel.platform];
  let credentials;
  try {
    credentials = await store.read(channel.credentialsRef);
  } catch (error) {
    logger.error('retired channel: credentials could not be read', { channelId: channel.id, error: error as Error });
    return {
      revocation: 'failed',
      secretDeleted: false,
      detail: 'the secret store did not answer; retire again to retry',
    };
  }
  let outcome: RetirementOutcome;
  if (!credentials || Object.keys(credentials).length === 0) {
    outcome = { revocation: 'nothing-stored', secretDeleted: false };
  } else if (!flow.revoke) {
    outcome = {
      revocation: 'not-offered',
      secretDeleted: false,
      ...(flow.noRevocation ? { detail: flow.noRevocation } : {}),
    };
  } else {
    try {
      await flow.revoke(credentials, context(deps, channel, nowOf(deps)));
      outcome = { revocation: 'revoked', secretDeleted: false };
    } catch (error) {
      outcome = {
        revocation: 'failed',
        secretDeleted: false,
        detail: error instanceof ConnectError ? error.message : 'the platform could not be asked',
      };
    }
  }
  if (credentials) {
    try {
      await store.remove(channel.credentialsRef);
      outcome.secretDeleted = true;
    } catch (error) {
      logger.error('retired channel: secret could not be deleted', { channelId: channel.id, error: error as Error });
      outcome.detail = [outcome.detail, 'the secret could not be deleted; retire again to retry']
        .filter(Boolean)
        .join('; ');
    }
  }
  logger.info('retired channel credentials', { channelId: channel.id, ...outcome });
  return outcome;
}
