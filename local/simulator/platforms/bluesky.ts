/**
 * Bluesky PDS (XRPC): sessions (createSession limited to 30 per 5 minutes per account, access
 * tokens that expire, refreshSession that rotates the pair), uploadBlob, createRecord for
 * `app.bsky.feed.post` validated against the lexicon (300 graphemes, 3000 bytes, facets inside the
 * text's UTF-8 bytes, images embed, reply strong refs), getRecord, resolveHandle and
 * getProfile. Errors are XRPC bodies `{ error, message }`; rate limits carry `ratelimit-*` headers.
 *
 * Replies: citizens' posts (POST /_sim/replies) are records of their own accounts with
 * `reply.root`/`reply.parent`; `app.bsky.feed.getPostThread` answers the nested tree (`depth`,
 * `parentHeight`) with the thread's gate beside it and, as the v1 AppView does, keeps hidden replies
 * in the tree; hiding is the root author's `app.bsky.feed.threadgate` record (same record key as the
 * root post, `hiddenReplies` at most 300), read with getRecord and written with putRecord
 * (`swapRecord` compared). Bluesky pushes nothing: replies are polled.
 */
import { createHash } from 'node:crypto';
import { PLATFORMS } from '../../../shared/platforms/registry';
import { SIM_BLUESKY_APP_PASSWORD, SIM_BLUESKY_MAIN_PASSWORD } from '../state';
import type { SimPlatform, SimReplies, SimRequest, SimResponse, SimState } from '../types';

const POST = 'app.bsky.feed.post';
const THREADGATE = 'app.bsky.feed.threadgate';
/** The threadgate lexicon's maxLength of `hiddenReplies`. */
const MAX_HIDDEN_REPLIES = 300;
const ACCESS_TOKEN_MS = 2 * 60 * 60 * 1000;
const SESSION_LIMIT = { count: 30, windowMs: 5 * 60 * 1000 };
const TEXT_MAX_BYTES = 3000;
const IMAGE_MAX_BYTES = 1_000_000;
const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

interface Account {
  did: string;
  handle: string;
}
interface AccessToken extends Account {
  expiresAt: number;
}
/** The access JWT's scope (packages/pds/src/auth-scope.ts): the main password's, or an app password's. */
type SessionScope = 'com.atproto.access' | 'com.atproto.appPass';
interface StoredRecord {
  uri: string;
  cid: string;
  rkey: string;
  did: string;
  value: Record<string, unknown>;
  /** when the AppView indexed it */
  indexedAt?: string;
  /** a citizen's reply (POST /_sim/replies), from an account of its own */
  citizen?: boolean;
}

const store = (state: SimState) => ({
  access: state.scratch('bluesky', 'access', () => new Map<string, AccessToken>()),
  refresh: state.scratch('bluesky', 'refresh', () => new Map<string, Account>()),
  logins: state.scratch('bluesky', 'logins', () => new Map<string, number[]>()),
  blobs: state.scratch('bluesky', 'blobs', () => new Map<string, { mimeType: string; size: number }>()),
  records: state.scratch('bluesky', 'records', () => new Map<string, StoredRecord>()),
  /** the profile of every account that wrote a record: Herold's, and the citizens' who replied */
  profiles: state.scratch('bluesky', 'profiles', () => new Map<string, { handle: string; displayName?: string }>()),
});

/** Make every access token handed out so far expired, as two hours passing would. */
export function expireBlueskyAccessTokens(state: SimState): void {
  for (const token of store(state).access.values()) token.expiresAt = 0;
}

const xrpcError = (status: number, error: string, message: string, headers?: Record<string, string>): SimResponse => ({
  status,
  headers,
  body: { error, message },
});

function blueskyErrorResponse(status: number, message: string, retryAfter?: number): SimResponse {
  if (status === 429) {
    const headers = retryAfter === undefined ? undefined : rateLimitHeaders(5000, 0, Date.now() + retryAfter * 1000);
    return xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', headers);
  }
  if (status === 401) return xrpcError(401, 'AuthenticationRequired', 'Authentication Required');
  if (status === 404) return xrpcError(404, 'XRPCNotSupported', 'XRPCNotSupported');
  if (status >= 500) return xrpcError(status, 'InternalServerError', 'Internal Server Error');
  return xrpcError(status, 'InvalidRequest', message);
}

const base32 = (bytes: Buffer) => [...bytes].map((byte) => 'abcdefghijklmnopqrstuvwxyz234567'[byte % 32]).join('');
const didFor = (handle: string) => `did:plc:${base32(createHash('sha256').update(handle).digest()).slice(0, 24)}`;
const cidFor = (prefix: string, content: Buffer | string) =>
  `${prefix}${base32(createHash('sha256').update(content).digest())}`;
const randomToken = (kind: string, state: SimState) =>
  `sim-${kind}.${createHash('sha256').update(`${kind}:${state.nextId()}`).digest('base64url')}`;

const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function rateLimitHeaders(limit: number, remaining: number, resetAt: number): Record<string, string> {
  return {
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(Math.max(0, remaining)),
    'ratelimit-reset': String(Math.ceil(resetAt / 1000)),
    'ratelimit-policy': `${limit};w=300`,
  };
}

/** A JWT shaped as the PDS issues them (header typ at+jwt / refresh+jwt, claims scope, sub, aud, iat, exp); the signature is not checked by anyone. */
function sessionJwt(
  kind: 'access' | 'refresh',
  scope: string,
  did: string,
  lifetimeMs: number,
  state: SimState,
): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: kind === 'access' ? 'at+jwt' : 'refresh+jwt', alg: 'HS256' };
  const claims = {
    scope,
    sub: did,
    aud: 'did:web:bsky.social',
    iat: now,
    exp: now + Math.floor(lifetimeMs / 1000),
    ...(kind === 'refresh' ? { jti: randomToken('jti', state) } : {}),
  };
  return `${encode(header)}.${encode(claims)}.${createHash('sha256').update(randomToken(kind, state)).digest('base64url')}`;
}

function issueSession(account: Account, state: SimState, scope: SessionScope = 'com.atproto.appPass'): SimResponse {
  const accessJwt = sessionJwt('access', scope, account.did, ACCESS_TOKEN_MS, state);
  const refreshJwt = sessionJwt('refresh', 'com.atproto.refresh', account.did, 90 * 24 * 60 * 60 * 1000, state);
  store(state).access.set(accessJwt, { ...account, expiresAt: Date.now() + ACCESS_TOKEN_MS });
  store(state).refresh.set(refreshJwt, account);
  return { status: 200, body: { did: account.did, handle: account.handle, accessJwt, refreshJwt, active: true } };
}

function createSession(request: SimRequest, state: SimState): SimResponse {
  const body = object(request.body);
  const identifier = typeof body?.identifier === 'string' ? body.identifier.toLowerCase() : '';
  if (!identifier || typeof body?.password !== 'string')
    return xrpcError(400, 'InvalidRequest', 'Input must have the properties "identifier" and "password"');
  const now = Date.now();
  const logins = (store(state).logins.get(identifier) ?? []).filter((at) => at > now - SESSION_LIMIT.windowMs);
  if (logins.length >= SESSION_LIMIT.count) {
    return xrpcError(
      429,
      'RateLimitExceeded',
      'Rate Limit Exceeded',
      rateLimitHeaders(SESSION_LIMIT.count, 0, (logins[0] ?? now) + SESSION_LIMIT.windowMs),
    );
  }
  logins.push(now);
  store(state).logins.set(identifier, logins);
  if (body.password !== SIM_BLUESKY_APP_PASSWORD && body.password !== SIM_BLUESKY_MAIN_PASSWORD)
    return xrpcError(401, 'AuthenticationRequired', 'Invalid identifier or password');
  const handle = identifier.includes('@') ? identifier.split('@')[0] + '.bsky.social' : identifier;
  return issueSession(
    { did: didFor(handle), handle },
    state,
    body.password === SIM_BLUESKY_MAIN_PASSWORD ? 'com.atproto.access' : 'com.atproto.appPass',
  );
}

function bearer(request: SimRequest): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

/** deleteSession: authenticated with the refresh JWT, which it revokes. */
function deleteSession(request: SimRequest, state: SimState): SimResponse {
  const token = bearer(request);
  if (!token) return xrpcError(401, 'AuthenticationRequired', 'Authentication Required');
  if (!store(state).refresh.delete(token)) return xrpcError(400, 'InvalidToken', 'Token could not be verified');
  return { status: 200 };
}

function refreshSession(request: SimRequest, state: SimState): SimResponse {
  const token = bearer(request);
  if (!token) return xrpcError(401, 'AuthenticationRequired', 'Authentication Required');
  const account = store(state).refresh.get(token);
  if (!account) return xrpcError(400, 'ExpiredToken', 'Token has been revoked');
  store(state).refresh.delete(token);
  return issueSession(account, state);
}

/** The account behind an access token, or the XRPC error the PDS answers with. */
function authenticate(request: SimRequest, state: SimState): Account | SimResponse {
  const token = bearer(request);
  if (!token) return xrpcError(401, 'AuthenticationRequired', 'Authentication Required');
  const access = store(state).access.get(token);
  if (!access) return xrpcError(400, 'InvalidToken', 'Token could not be verified');
  if (access.expiresAt <= Date.now()) return xrpcError(400, 'ExpiredToken', 'Token has expired');
  return access;
}

const isResponse = (value: Account | SimResponse): value is SimResponse => 'status' in value;

function uploadBlob(request: SimRequest, state: SimState, account: Account): SimResponse {
  const mimeType = request.headers['content-type'] ?? '';
  if (request.rawBody.byteLength === 0) return xrpcError(400, 'InvalidRequest', 'Request body is empty');
  if (!mimeType || mimeType === 'application/octet-stream')
    return xrpcError(400, 'InvalidRequest', 'Content-Type of the blob is required');
  if (request.rawBody.byteLength > PLATFORMS.bluesky.media.maxVideoBytes)
    return xrpcError(413, 'PayloadTooLarge', 'request entity too large');
  const link = cidFor('bafkrei', Buffer.concat([Buffer.from(account.did), request.rawBody]));
  store(state).blobs.set(link, { mimeType, size: request.rawBody.byteLength });
  return {
    status: 200,
    body: { blob: { $type: 'blob', ref: { $link: link }, mimeType, size: request.rawBody.byteLength } },
  };
}

const graphemes = (text: string) =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;

/** Lexicon checks for an `app.bsky.feed.post` record; a message when the record is invalid. */
function invalidPost(record: Record<string, unknown>, state: SimState): string | undefined {
  if (record.$type !== POST) return `Invalid ${POST} record: Record/$type must be ${POST}`;
  const text = record.text;
  if (typeof text !== 'string') return `Invalid ${POST} record: Record must have the property "text"`;
  if (graphemes(text) > PLATFORMS.bluesky.text.limit)
    return `Invalid ${POST} record: Record/text must not be longer than ${PLATFORMS.bluesky.text.limit} graphemes`;
  const bytes = Buffer.byteLength(text);
  if (bytes > TEXT_MAX_BYTES)
    return `Invalid ${POST} record: Record/text must not be longer than ${TEXT_MAX_BYTES} characters`;
  if (typeof record.createdAt !== 'string' || Number.isNaN(Date.parse(record.createdAt)))
    return `Invalid ${POST} record: Record/createdAt must be an valid atproto datetime`;
  if (record.langs !== undefined && (!Array.isArray(record.langs) || record.langs.length > 3))
    return `Invalid ${POST} record: Record/langs must not have more than 3 elements`;
  if (record.facets !== undefined) {
    if (!Array.isArray(record.facets)) return `Invalid ${POST} record: Record/facets must be an array`;
    for (const [index, facet] of record.facets.entries()) {
      const range = object(object(facet)?.index);
      const start = range?.byteStart;
      const end = range?.byteEnd;
      if (
        typeof start !== 'number' ||
        typeof end !== 'number' ||
        !Number.isInteger(start) ||
        !Number.isInteger(end) ||
        start < 0 ||
        end <= start ||
        end > bytes
      ) {
        return `Invalid ${POST} record: Record/facets/${index}/index must lie within the text's ${bytes} UTF-8 bytes`;
      }
      const features = object(facet)?.features;
      if (!Array.isArray(features) || features.length === 0)
        return `Invalid ${POST} record: Record/facets/${index}/features must not be empty`;
      for (const feature of features) {
        const type = object(feature)?.$type;
        if (
          !['app.bsky.richtext.facet#link', 'app.bsky.richtext.facet#mention', 'app.bsky.richtext.facet#tag'].includes(
            String(type),
          )
        ) {
          return `Invalid ${POST} record: Record/facets/${index}/features has an unknown $type`;
        }
      }
    }
  }
  const embed = object(record.embed);
  if (embed?.$type === 'app.bsky.embed.images') {
    const images = embed.images;
    if (!Array.isArray(images) || images.length === 0 || images.length > PLATFORMS.bluesky.media.maxItems)
      return `Invalid ${POST} record: Record/embed/images must have 1 to 4 elements`;
    for (const image of images) {
      if (typeof object(image)?.alt !== 'string') return `Invalid ${POST} record: Record/embed/images/alt is required`;
      const blob = object(object(image)?.image);
      const stored = store(state).blobs.get(String(object(blob?.ref)?.$link));
      if (!stored) return `Invalid ${POST} record: Record/embed/images/image references an unknown blob`;
      if (stored.size > IMAGE_MAX_BYTES)
        return `Invalid ${POST} record: Record/embed/images/image must not be larger than ${IMAGE_MAX_BYTES} bytes`;
    }
  } else if (embed?.$type === 'app.bsky.embed.external') {
    const external = object(embed.external);
    if (
      typeof external?.uri !== 'string' ||
      typeof external.title !== 'string' ||
      typeof external.description !== 'string'
    ) {
      return `Invalid ${POST} record: Record/embed/external must have uri, title and description`;
    }
  } else if (embed?.$type === 'app.bsky.embed.video') {
    if (!store(state).blobs.has(String(object(object(embed.video)?.ref)?.$link)))
      return `Invalid ${POST} record: Record/embed/video references an unknown blob`;
  } else if (embed !== undefined) {
    return `Invalid ${POST} record: Record/embed has an unsupported $type`;
  }
  if (record.reply !== undefined) {
    const reply = object(record.reply);
    for (const name of ['root', 'parent'] as const) {
      const ref = object(reply?.[name]);
      const stored = typeof ref?.uri === 'string' ? store(state).records.get(ref.uri) : undefined;
      if (!stored || stored.cid !== ref?.cid)
        return `Invalid ${POST} record: Record/reply/${name} must be a strong ref (uri and cid) to an existing post`;
    }
  }
  return undefined;
}

/** A TID the PDS picks itself: microseconds since the epoch, base32-sortable, made unique by the id counter. */
function serverTid(state: SimState): string {
  let value = ((BigInt(Date.now()) * 1000n) << 10n) | (BigInt(state.nextId()) & 1023n);
  let tid = '';
  for (let index = 0; index < 13; index += 1) {
    tid = '234567abcdefghijklmnopqrstuvwxyz'[Number(value & 31n)] + tid;
    value >>= 5n;
  }
  return tid;
}

function createRecord(request: SimRequest, state: SimState, account: Account): SimResponse {
  const body = object(request.body);
  if (!body) return xrpcError(400, 'InvalidRequest', 'Input must be an object');
  if (body.repo !== account.did && body.repo !== account.handle)
    return xrpcError(400, 'InvalidRequest', 'Input/repo must be the authenticated account');
  if (body.collection !== POST)
    return xrpcError(400, 'InvalidRequest', `Herold's simulator stores only ${POST} records`);
  const record = object(body.record);
  if (!record) return xrpcError(400, 'InvalidRequest', 'Input must have the property "record"');
  const problem = invalidPost(record, state);
  if (problem) return xrpcError(400, 'InvalidRequest', problem);
  const rkey = body.rkey === undefined ? undefined : String(body.rkey);
  if (rkey !== undefined && !TID.test(rkey))
    return xrpcError(400, 'InvalidRequest', 'Input/rkey must be a valid TID for this collection');
  const chosenKey = rkey ?? serverTid(state);
  const uri = `at://${account.did}/${POST}/${chosenKey}`;
  if (store(state).records.has(uri)) return xrpcError(400, 'InvalidRequest', `Record already exists at ${uri}`);
  if (!state.takeQuota('bluesky', account.did)) {
    const usage = state.quotaUsage('bluesky', account.did);
    return xrpcError(
      429,
      'RateLimitExceeded',
      'Rate Limit Exceeded',
      rateLimitHeaders(usage.limit, 0, Date.now() + usage.windowSeconds * 1000),
    );
  }
  const cid = cidFor('bafyrei', JSON.stringify(record) + uri);
  store(state).records.set(uri, {
    uri,
    cid,
    rkey: chosenKey,
    did: account.did,
    value: record,
    indexedAt: new Date().toISOString(),
  });
  if (!store(state).profiles.has(account.did)) store(state).profiles.set(account.did, { handle: account.handle });

  const embed = object(record.embed);
  const images = Array.isArray(embed?.images) ? embed.images : [];
  const facets = Array.isArray(record.facets) ? record.facets : [];
  const linkFacet = facets
    .flatMap((facet) => (object(facet)?.features as unknown[]) ?? [])
    .map((feature) => object(feature))
    .find((feature) => feature?.$type === 'app.bsky.richtext.facet#link');
  const link = (object(embed?.external)?.uri as string | undefined) ?? (linkFacet?.uri as string | undefined);
  state.record({
    platform: 'bluesky',
    id: uri,
    account: account.handle,
    text: String(record.text),
    ...(link ? { link } : {}),
    media: images.map((image) => ({
      url: `at-blob:${String(object(object(object(image)?.image)?.ref)?.$link)}`,
      altText: String(object(image)?.alt),
    })),
    replyTo: object(object(record.reply)?.parent)?.uri as string | undefined,
  });
  return {
    status: 200,
    body: { uri, cid, commit: { cid: cidFor('bafyrei', `commit:${uri}`), rev: chosenKey }, validationStatus: 'valid' },
  };
}

function recordsOf(state: SimState, repo: string): StoredRecord[] {
  return [...store(state).records.values()].filter((record) => record.did === repo || didFor(repo) === record.did);
}

function getRecord(request: SimRequest, state: SimState): SimResponse {
  const repo = request.query.get('repo') ?? '';
  const collection = request.query.get('collection') ?? '';
  const rkey = request.query.get('rkey') ?? '';
  if (!repo || !collection || !rkey)
    return xrpcError(400, 'InvalidRequest', 'Params must have the properties "repo", "collection" and "rkey"');
  const found = recordsOf(state, repo).find((record) => record.uri === `at://${record.did}/${collection}/${rkey}`);
  if (!found) return xrpcError(400, 'RecordNotFound', `Could not locate record: at://${repo}/${collection}/${rkey}`);
  return { status: 200, body: { uri: found.uri, cid: found.cid, value: found.value } };
}

function resolveHandle(request: SimRequest): SimResponse {
  const handle = (request.query.get('handle') ?? '').toLowerCase();
  // Every well-formed handle exists in the simulator, except the reserved `.invalid` TLD.
  if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*$/.test(handle) || handle.endsWith('.invalid'))
    return xrpcError(400, 'InvalidRequest', 'Unable to resolve handle');
  return { status: 200, body: { did: didFor(handle) } };
}

function getProfile(request: SimRequest, state: SimState, account: Account): SimResponse {
  const actor = request.query.get('actor') ?? '';
  if (!actor) return xrpcError(400, 'InvalidRequest', 'Params must have the property "actor"');
  const handle =
    actor === account.did || actor === account.handle ? account.handle : actor.startsWith('did:') ? undefined : actor;
  if (!handle) return xrpcError(400, 'InvalidRequest', 'Profile not found');
  return {
    status: 200,
    body: {
      did: didFor(handle),
      handle,
      followersCount: state.followers('bluesky', handle),
      followsCount: 87,
      postsCount: recordsOf(state, didFor(handle)).filter((record) => record.uri.includes(`/${POST}/`)).length,
      indexedAt: new Date().toISOString(),
    },
  };
}

const isPost = (record: StoredRecord | undefined): record is StoredRecord =>
  record !== undefined && record.value.$type === POST;

/** `at://did/collection/rkey`, or Herold's `<at-uri>|<cid>` remote id. */
const uriOf = (id: string) => id.split('|')[0] ?? '';

/** The thread's first post: the record's `reply.root`, or the record itself. */
function rootUriOf(record: StoredRecord): string {
  const root = object(object(record.value.reply)?.root)?.uri;
  return typeof root === 'string' ? root : record.uri;
}

const threadgateUriOf = (postUri: string) => {
  const [did = '', , rkey = ''] = postUri.replace(/^at:\/\//, '').split('/');
  return `at://${did}/${THREADGATE}/${rkey}`;
};

function postView(record: StoredRecord, state: SimState, replyCount: number) {
  const profile = store(state).profiles.get(record.did);
  return {
    uri: record.uri,
    cid: record.cid,
    author: {
      did: record.did,
      handle: profile?.handle ?? 'handle.invalid',
      ...(profile?.displayName ? { displayName: profile.displayName } : {}),
    },
    record: record.value,
    replyCount,
    repostCount: 0,
    likeCount: 0,
    quoteCount: 0,
    indexedAt: record.indexedAt ?? String(record.value.createdAt),
    labels: [],
  };
}

const clampParam = (raw: string | null, fallback: number, max: number) => {
  const value = raw === null ? fallback : Number(raw);
  return Number.isInteger(value) && value >= 0 ? Math.min(value, max) : undefined;
};

/**
 * app.bsky.feed.getPostThread: the anchor post with its replies nested `depth` levels deep (default
 * 6, at most 1000), oldest first, its parents up to `parentHeight` (default 80), and the root's
 * threadgate. Replies whose record is gone are left out; hidden ones stay (the v1 AppView's way).
 */
function getPostThread(request: SimRequest, state: SimState): SimResponse {
  const uri = request.query.get('uri') ?? '';
  const depth = clampParam(request.query.get('depth'), 6, 1000);
  const parentHeight = clampParam(request.query.get('parentHeight'), 80, 1000);
  if (!uri) return xrpcError(400, 'InvalidRequest', 'Params must have the property "uri"');
  if (depth === undefined || parentHeight === undefined)
    return xrpcError(400, 'InvalidRequest', 'depth and parentHeight must be integers from 0 to 1000');
  const { records } = store(state);
  const anchor = records.get(uri);
  if (!isPost(anchor)) return xrpcError(400, 'NotFound', `Post not found: ${uri}`);
  const children = new Map<string, StoredRecord[]>();
  for (const record of records.values()) {
    const parent = object(object(record.value.reply)?.parent)?.uri;
    if (!isPost(record) || typeof parent !== 'string') continue;
    children.set(parent, [...(children.get(parent) ?? []), record]);
  }
  const byAge = (a: StoredRecord, b: StoredRecord) => (a.indexedAt ?? '').localeCompare(b.indexedAt ?? '');
  const down = (record: StoredRecord, levels: number): Record<string, unknown> => {
    const replies = (children.get(record.uri) ?? []).sort(byAge);
    return {
      $type: 'app.bsky.feed.defs#threadViewPost',
      post: postView(record, state, replies.length),
      ...(levels > 0 ? { replies: replies.map((reply) => down(reply, levels - 1)) } : {}),
    };
  };
  const up = (record: StoredRecord, levels: number): Record<string, unknown> | undefined => {
    const parentUri = object(object(record.value.reply)?.parent)?.uri;
    if (levels === 0 || typeof parentUri !== 'string') return undefined;
    const parent = records.get(parentUri);
    if (!isPost(parent)) return { $type: 'app.bsky.feed.defs#notFoundPost', uri: parentUri, notFound: true };
    const above = up(parent, levels - 1);
    return {
      $type: 'app.bsky.feed.defs#threadViewPost',
      post: postView(parent, state, children.get(parent.uri)?.length ?? 0),
      ...(above ? { parent: above } : {}),
    };
  };
  const parent = up(anchor, parentHeight);
  const gate = records.get(threadgateUriOf(rootUriOf(anchor)));
  return {
    status: 200,
    body: {
      thread: { ...down(anchor, depth), ...(parent ? { parent } : {}) },
      ...(gate ? { threadgate: { uri: gate.uri, cid: gate.cid, record: gate.value, lists: [] } } : {}),
    },
  };
}

/** Lexicon checks for an `app.bsky.feed.threadgate` record at `rkey`; a message when it is invalid. */
function invalidThreadgate(record: Record<string, unknown>, rkey: string, account: Account, state: SimState) {
  const prefix = `Invalid ${THREADGATE} record`;
  if (record.$type !== THREADGATE) return `${prefix}: Record/$type must be ${THREADGATE}`;
  if (typeof record.createdAt !== 'string' || Number.isNaN(Date.parse(record.createdAt)))
    return `${prefix}: Record/createdAt must be an valid atproto datetime`;
  // the gate's key is its root post's, in the same repository
  if (record.post !== `at://${account.did}/${POST}/${rkey}` || !isPost(store(state).records.get(record.post)))
    return `${prefix}: Record/post must be the root post with the same record key in this repository`;
  if (record.allow !== undefined && !Array.isArray(record.allow)) return `${prefix}: Record/allow must be an array`;
  const hidden = record.hiddenReplies;
  if (hidden !== undefined) {
    if (!Array.isArray(hidden) || hidden.some((uri) => typeof uri !== 'string' || !uri.startsWith('at://')))
      return `${prefix}: Record/hiddenReplies must be an array of at-uris`;
    if (hidden.length > MAX_HIDDEN_REPLIES)
      return `${prefix}: Record/hiddenReplies must not have more than ${MAX_HIDDEN_REPLIES} elements`;
  }
  return undefined;
}

/** com.atproto.repo.putRecord: the simulator writes threadgates only; `swapRecord` (a cid, or null for "none yet") is compared. */
function putRecord(request: SimRequest, state: SimState, account: Account): SimResponse {
  const body = object(request.body);
  if (!body) return xrpcError(400, 'InvalidRequest', 'Input must be an object');
  if (body.repo !== account.did && body.repo !== account.handle)
    return xrpcError(400, 'InvalidRequest', 'Input/repo must be the authenticated account');
  if (body.collection !== THREADGATE)
    return xrpcError(400, 'InvalidRequest', `Herold's simulator puts only ${THREADGATE} records`);
  const rkey = typeof body.rkey === 'string' ? body.rkey : '';
  const record = object(body.record);
  if (!TID.test(rkey) || !record)
    return xrpcError(400, 'InvalidRequest', 'Input must have the properties "rkey" (a TID) and "record"');
  const problem = invalidThreadgate(record, rkey, account, state);
  if (problem) return xrpcError(400, 'InvalidRequest', problem);
  const uri = `at://${account.did}/${THREADGATE}/${rkey}`;
  const current = store(state).records.get(uri);
  if ('swapRecord' in body && body.swapRecord !== undefined && (current?.cid ?? null) !== body.swapRecord)
    return xrpcError(400, 'InvalidSwap', `Record was at ${current?.cid ?? 'null'}`);
  const cid = cidFor('bafyrei', JSON.stringify(record) + uri);
  store(state).records.set(uri, {
    uri,
    cid,
    rkey,
    did: account.did,
    value: record,
    indexedAt: new Date().toISOString(),
  });
  return {
    status: 200,
    body: {
      uri,
      cid,
      commit: { cid: cidFor('bafyrei', `commit:${uri}:${cid}`), rev: rkey },
      validationStatus: 'valid',
    },
  };
}

/** A citizen's reply: a post in the citizen's own repository, its `reply` naming the thread's root and the post answered. */
const blueskyReplies: SimReplies = {
  add(input, state) {
    const { records, profiles } = store(state);
    const root = records.get(uriOf(input.postId));
    const parent = records.get(uriOf(input.parentId ?? input.postId));
    if (!isPost(root) || !isPost(parent) || rootUriOf(parent) !== root.uri) return undefined;
    const handle = input.handle ?? `buerger${records.size}.bsky.social`;
    const did = didFor(handle);
    profiles.set(did, { handle, ...(input.name ? { displayName: input.name } : {}) });
    const uri = `at://${did}/${POST}/${serverTid(state)}`;
    const value = {
      $type: POST,
      text: input.text,
      createdAt: new Date().toISOString(),
      langs: ['de'],
      reply: { root: { uri: root.uri, cid: root.cid }, parent: { uri: parent.uri, cid: parent.cid } },
    };
    const cid = cidFor('bafyrei', JSON.stringify(value) + uri);
    records.set(uri, { uri, cid, rkey: uri.split('/').pop()!, did, value, indexedAt: value.createdAt, citizen: true });
    return { id: uri };
  },
  remove(id, state) {
    const record = store(state).records.get(uriOf(id));
    return record?.citizen === true && store(state).records.delete(record.uri);
  },
};

export const blueskySim: SimPlatform = {
  id: 'bluesky',
  replies: blueskyReplies,
  errorResponse: blueskyErrorResponse,
  handle(request, state) {
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case 'POST /xrpc/com.atproto.server.createSession':
        return createSession(request, state);
      case 'POST /xrpc/com.atproto.server.refreshSession':
        return refreshSession(request, state);
      case 'POST /xrpc/com.atproto.server.deleteSession':
        return deleteSession(request, state);
      case 'GET /xrpc/com.atproto.repo.getRecord':
        return getRecord(request, state);
      case 'GET /xrpc/com.atproto.identity.resolveHandle':
        return resolveHandle(request);
      case 'GET /xrpc/app.bsky.feed.getPostThread': {
        // no authentication needed; a token that is sent must be valid
        const account = request.headers.authorization ? authenticate(request, state) : undefined;
        return account && isResponse(account) ? account : getPostThread(request, state);
      }
      case 'POST /xrpc/com.atproto.repo.uploadBlob':
      case 'POST /xrpc/com.atproto.repo.createRecord':
      case 'POST /xrpc/com.atproto.repo.putRecord':
      case 'GET /xrpc/app.bsky.actor.getProfile': {
        const account = authenticate(request, state);
        if (isResponse(account)) return account;
        if (route.endsWith('uploadBlob')) return uploadBlob(request, state, account);
        if (route.endsWith('createRecord')) return createRecord(request, state, account);
        if (route.endsWith('putRecord')) return putRecord(request, state, account);
        return getProfile(request, state, account);
      }
      default:
        return undefined;
    }
  },
};
