/**
 * Bluesky (AT Protocol XRPC on the account's PDS).
 *
 * Credentials: `{ identifier, appPassword }` (handle or e-mail, and an app password); optional
 * `langs`, comma-separated BCP-47 tags for the posts' `langs` field (default `de`).
 * `channel.account`: the account's DID (informational: the session's DID is the repo written to);
 * post URLs use the session's handle, else `channel.handle`.
 *
 * Sessions: `com.atproto.server.createSession` is limited to 30 calls per 5 minutes, so a session is
 * created once per channel and kept in this module; an expired access token (`ExpiredToken`) is
 * (`ExpiredToken`, or `InvalidToken` for a revoked session) is renewed with
 * `com.atproto.server.refreshSession`, and only a dead refresh token leads to a new session.
 *
 * Ids: `remoteId` and `threadRootId` are `<at-uri>|<cid>`, because a reply has to name both the
 * parent and the thread root as strong refs (uri + cid). The record key is chosen by Herold (a TID)
 * and saved as checkpoint `rkey` before `createRecord`, so after an ambiguous outcome
 * `com.atproto.repo.getRecord` says for certain whether the post exists.
 */
import * as z from 'zod';
import type { Media } from '../../model/schemas';
import {
  PlatformError,
  type AnswerRequest,
  type PlatformClient,
  type PlatformReply,
  type ReplyCapabilities,
  type PlatformContext,
  type PublishRequest,
  type PublishResult,
} from '../client';
import { httpRequest, parseAnswer, retryAfterSeconds, safeDetail, type HttpResponse } from '../http';
import { PLATFORMS } from '../registry';
import { buildFacets } from './bluesky-facets';
import { citizenReplies } from './reply-tree';
import { downloadMedia } from './media-download';

const POST_COLLECTION = 'app.bsky.feed.post';
/** `app.bsky.embed.images` accepts images up to 1,000,000 bytes (the lexicon's `maxSize`). */
const IMAGE_MAX_BYTES = 1_000_000;

/** Answers as the lexicons define them (com.atproto.*, app.bsky.*), only the fields Herold reads. */
const SessionAnswer = z.looseObject({
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
  did: z.string().min(1),
  handle: z.string().optional(),
});
const StrongRefAnswer = z.looseObject({ uri: z.string(), cid: z.string() });
const BlobAnswer = z.looseObject({
  blob: z.looseObject({
    $type: z.literal('blob'),
    ref: z.looseObject({ $link: z.string() }),
    mimeType: z.string(),
    size: z.number(),
  }),
});
const ResolvedHandleAnswer = z.looseObject({ did: z.string() });
const ProfileAnswer = z.looseObject({ followersCount: z.number() });

interface Session {
  accessJwt: string;
  refreshJwt: string;
  did: string;
  handle: string;
}

const answerOf = (context: PlatformContext, call: string) => ({
  platform: 'Bluesky',
  call,
  secrets: context.credentials,
});

interface XrpcErrorBody {
  error?: string;
  message?: string;
}

export interface StrongRef {
  uri: string;
  cid: string;
}

/** `remoteId` ↔ strong ref: `at://did/app.bsky.feed.post/rkey|cid`. */
export const encodeRemoteId = (ref: StrongRef): string => `${ref.uri}|${ref.cid}`;
export function decodeRemoteId(remoteId: string): { uri: string; cid?: string } {
  const [uri = '', cid] = remoteId.split('|');
  return cid ? { uri, cid } : { uri };
}

/** Sort an XRPC error into the publisher's classes. */
export function blueskyError(response: HttpResponse, action: string, now = Date.now()): PlatformError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as XrpcErrorBody;
  const name = body.error ?? `HTTP ${response.status}`;
  const message = `${action}: ${name} ${safeDetail(body.message ?? '')}`.trim();
  if (response.status === 429 || name === 'RateLimitExceeded') {
    return new PlatformError('rate-limited', message, {
      code: name,
      retryAfterSeconds: resetSeconds(response.headers, now),
    });
  }
  if (
    [
      'ExpiredToken',
      'InvalidToken',
      'AuthenticationRequired',
      'AccountTakedown',
      'AccountDeactivated',
      'AuthFactorTokenRequired',
    ].includes(name) ||
    response.status === 401 ||
    response.status === 403
  ) {
    return new PlatformError('auth', message, { code: name });
  }
  if (response.status >= 500 || response.status === 408) return new PlatformError('retryable', message, { code: name });
  return new PlatformError('permanent', message, { code: name });
}

/** `ratelimit-reset` is epoch seconds; fall back to Retry-After. */
function resetSeconds(headers: Headers, now: number): number | undefined {
  const reset = Number(headers.get('ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(1, Math.ceil(reset - now / 1000));
  return retryAfterSeconds(headers, now);
}

/** Sessions per channel, kept for the life of the process (a Lambda container). */
const sessions = new Map<string, Promise<Session>>();

/** Forget every cached session (tests, or after credentials were rotated). */
export function clearBlueskySessions(): void {
  sessions.clear();
}

const sessionKey = (context: PlatformContext) =>
  `${context.channel.id}:${context.baseUrl}:${context.credentials.identifier ?? ''}`;

async function xrpc(
  context: PlatformContext,
  method: 'GET' | 'POST',
  nsid: string,
  options: {
    token?: string;
    params?: Record<string, string>;
    body?: unknown;
    contentType?: string;
    timeoutMs?: number;
  },
): Promise<HttpResponse> {
  const query = options.params ? `?${new URLSearchParams(options.params).toString()}` : '';
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.contentType) headers['content-type'] = options.contentType;
  return httpRequest({
    method,
    url: `${context.baseUrl}/xrpc/${nsid}${query}`,
    headers,
    body: options.body,
    fetch: context.fetch,
    timeoutMs: options.timeoutMs ?? context.timeoutMs,
  });
}

function readSession(context: PlatformContext, response: HttpResponse, action: string): Session {
  const session = parseAnswer(response, SessionAnswer, answerOf(context, action));
  return { ...session, handle: session.handle ?? '' };
}

const succeeded = (response: HttpResponse) => response.status >= 200 && response.status < 300;

async function createSession(context: PlatformContext): Promise<Session> {
  const { identifier, appPassword } = context.credentials;
  if (!identifier || !appPassword)
    throw new PlatformError('auth', 'Bluesky credentials need identifier and appPassword');
  const response = await xrpc(context, 'POST', 'com.atproto.server.createSession', {
    body: { identifier, password: appPassword },
  });
  if (!succeeded(response)) throw blueskyError(response, 'create session');
  return readSession(context, response, 'create session');
}

async function refreshSession(context: PlatformContext, stale: Session): Promise<Session> {
  const response = await xrpc(context, 'POST', 'com.atproto.server.refreshSession', { token: stale.refreshJwt });
  if (succeeded(response)) return readSession(context, response, 'refresh session');
  const error = blueskyError(response, 'refresh session');
  // Only a refresh token that is itself dead or revoked justifies a new session.
  if (error.errorClass === 'auth') return createSession(context);
  throw error;
}

function cachedSession(context: PlatformContext): Promise<Session> {
  const key = sessionKey(context);
  let session = sessions.get(key);
  if (!session) {
    session = createSession(context);
    sessions.set(key, session);
    // A failed login must not stay cached, or the channel could never recover.
    session.catch(() => sessions.delete(key));
  }
  return session;
}

/** Run an authenticated call; on `ExpiredToken`/`InvalidToken` renew the session once and repeat it. */
async function withSession(
  context: PlatformContext,
  call: (session: Session) => Promise<HttpResponse>,
  action: string,
): Promise<{ session: Session; response: HttpResponse }> {
  const key = sessionKey(context);
  const session = await cachedSession(context);
  let response = await call(session);
  if (isExpired(response)) {
    let renewed = sessions.get(key);
    // Another call may already have refreshed it; only the first one to notice refreshes.
    if (renewed === undefined || (await renewed) === session) {
      renewed = refreshSession(context, session);
      sessions.set(key, renewed);
      renewed.catch(() => sessions.delete(key));
    }
    const fresh = await renewed;
    response = await call(fresh);
    if (!succeeded(response)) throw blueskyError(response, action);
    return { session: fresh, response };
  }
  if (!succeeded(response)) throw blueskyError(response, action);
  return { session, response };
}

/** An access token that expired, or that the PDS no longer knows (a revoked session): worth renewing once. */
const isExpired = (response: HttpResponse) =>
  (response.status === 400 || response.status === 401) &&
  ['ExpiredToken', 'InvalidToken'].includes((response.body as XrpcErrorBody | undefined)?.error ?? '');

const TID_ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';

/** A record key in TID form (the post collection's key type): microseconds since epoch and a clock id. */
export function newTid(
  nowMicros = BigInt(Date.now()) * 1000n,
  clockId = BigInt(Math.floor(Math.random() * 1024)),
): string {
  let value = (nowMicros << 10n) | (clockId & 1023n);
  let tid = '';
  for (let index = 0; index < 13; index += 1) {
    tid = TID_ALPHABET[Number(value & 31n)] + tid;
    value >>= 5n;
  }
  return tid;
}

export function postUrl(handle: string, uri: string): string {
  const rkey = uri.split('/').pop() ?? '';
  return `https://bsky.app/profile/${handle}/post/${rkey}`;
}

function graphemes(text: string): number {
  return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].length;
}

type Blob = z.infer<typeof BlobAnswer>['blob'];

async function uploadBlob(context: PlatformContext, media: Media): Promise<Blob> {
  const isVideo = media.mime.startsWith('video/');
  const maxBytes = isVideo
    ? PLATFORMS.bluesky.media.maxVideoBytes
    : Math.min(IMAGE_MAX_BYTES, PLATFORMS.bluesky.media.maxImageBytes);
  const { bytes, mime } = await downloadMedia(media, { fetch: context.fetch, maxBytes });
  const { response } = await withSession(
    context,
    (session) =>
      xrpc(context, 'POST', 'com.atproto.repo.uploadBlob', {
        token: session.accessJwt,
        body: bytes,
        contentType: mime,
        timeoutMs: 60_000,
      }),
    'upload blob',
  );
  return parseAnswer(response, BlobAnswer, answerOf(context, 'upload blob')).blob;
}

async function buildEmbed(
  context: PlatformContext,
  request: PublishRequest,
): Promise<Record<string, unknown> | undefined> {
  const videos = request.media.filter((media) => media.mime.startsWith('video/'));
  if (videos.length > 0) {
    if (request.media.length > 1)
      throw new PlatformError('permanent', 'Bluesky takes one video per post, without images', { code: 'media-mix' });
    const video = videos[0] as Media;
    return {
      $type: 'app.bsky.embed.video',
      video: await uploadBlob(context, video),
      alt: video.altText.slice(0, PLATFORMS.bluesky.media.maxAltText),
    };
  }
  if (request.media.length > 0) {
    if (request.media.length > PLATFORMS.bluesky.media.maxItems) {
      throw new PlatformError(
        'permanent',
        `Bluesky takes at most ${PLATFORMS.bluesky.media.maxItems} images per post`,
        { code: 'too-many-media' },
      );
    }
    const images = [];
    for (const media of request.media)
      images.push({
        image: await uploadBlob(context, media),
        alt: media.altText.slice(0, PLATFORMS.bluesky.media.maxAltText),
      });
    return { $type: 'app.bsky.embed.images', images };
  }
  if (request.link) {
    // A link card; title and description are required by the lexicon, Herold has no page metadata.
    return { $type: 'app.bsky.embed.external', external: { uri: request.link, title: request.link, description: '' } };
  }
  return undefined;
}

/** A parent/root given without its cid (e.g. recorded by an older version) is looked up. */
async function strongRef(context: PlatformContext, remoteId: string): Promise<StrongRef> {
  const decoded = decodeRemoteId(remoteId);
  if (decoded.cid) return { uri: decoded.uri, cid: decoded.cid };
  const [repo = '', collection = '', rkey = ''] = decoded.uri.replace(/^at:\/\//, '').split('/');
  const response = await xrpc(context, 'GET', 'com.atproto.repo.getRecord', { params: { repo, collection, rkey } });
  if (!succeeded(response)) throw blueskyError(response, 'look up reply parent');
  const record = parseAnswer(response, StrongRefAnswer, answerOf(context, 'look up reply parent'));
  return { uri: record.uri, cid: record.cid };
}

async function resolveHandle(context: PlatformContext, handle: string): Promise<string | undefined> {
  const response = await xrpc(context, 'GET', 'com.atproto.identity.resolveHandle', { params: { handle } });
  if (succeeded(response)) return parseAnswer(response, ResolvedHandleAnswer, answerOf(context, 'resolve handle')).did;
  if (response.status === 400) return undefined;
  throw blueskyError(response, 'resolve handle');
}

function langs(context: PlatformContext): string[] {
  return (context.credentials.langs ?? 'de')
    .split(',')
    .map((lang) => lang.trim())
    .filter(Boolean);
}

function result(handle: string, ref: StrongRef, request: PublishRequest): PublishResult {
  const remoteId = encodeRemoteId(ref);
  return {
    remoteId,
    remoteUrl: postUrl(handle, ref.uri),
    threadRootId: request.replyTo ? (request.replyTo.threadRootId ?? request.replyTo.remoteId) : remoteId,
  };
}

const handleOf = (context: PlatformContext, session: Session) =>
  session.handle || context.channel.handle.replace(/^@/, '');

const THREADGATE_COLLECTION = 'app.bsky.feed.threadgate';
/** The lexicon's maxLength of `hiddenReplies`. */
const MAX_HIDDEN_REPLIES = 300;

/** A post in a thread view (app.bsky.feed.defs#postView), only the fields Herold reads. */
const PostView = z.looseObject({
  uri: z.string(),
  cid: z.string(),
  author: z.looseObject({ did: z.string(), handle: z.string(), displayName: z.string().optional() }),
  record: z.looseObject({
    text: z.string().optional(),
    createdAt: z.string().optional(),
    reply: z.looseObject({ parent: z.looseObject({ uri: z.string() }) }).optional(),
  }),
  indexedAt: z.string().optional(),
});
interface ThreadNode {
  $type?: string;
  post?: z.infer<typeof PostView>;
  replies?: ThreadNode[];
}
/** threadViewPost, or blockedPost / notFoundPost (no `post`: nothing to read). */
const ThreadNodeSchema: z.ZodType<ThreadNode> = z.lazy(() =>
  z.looseObject({
    $type: z.string().optional(),
    post: PostView.optional(),
    replies: z.array(ThreadNodeSchema).optional(),
  }),
);
const ThreadAnswer = z.looseObject({
  thread: ThreadNodeSchema,
  threadgate: z
    .looseObject({ record: z.looseObject({ hiddenReplies: z.array(z.string()).optional() }).optional() })
    .optional(),
});
const ThreadgateRecordAnswer = z.looseObject({
  cid: z.string().optional(),
  value: z.looseObject({ allow: z.array(z.unknown()).optional(), hiddenReplies: z.array(z.string()).optional() }),
});

/** The answer as a post: `reply.parent` the citizen's post, `reply.root` the thread's first post. */
const asThreadedPost = (request: AnswerRequest): PublishRequest => ({
  ...request,
  media: [],
  link: undefined,
  replyTo: {
    remoteId: request.answerTo.reply.remoteId,
    threadRootId: request.answerTo.post.threadRootId ?? request.answerTo.post.remoteId,
  },
});

const rkeyOf = (uri: string) => uri.split('/').pop() ?? '';

/**
 * Hide or show a reply: the thread's gate (`app.bsky.feed.threadgate`, its record key that of the
 * thread's root post) lists hidden replies in `hiddenReplies`; the gate is read, changed and
 * written back with `swapRecord`, keeping who may reply (`allow`) as it was.
 */
async function setHiddenReply(context: PlatformContext, replyUri: string, rootUri: string, hidden: boolean) {
  const session = await cachedSession(context);
  const rkey = rkeyOf(rootUri);
  const current = await xrpc(context, 'GET', 'com.atproto.repo.getRecord', {
    params: { repo: session.did, collection: THREADGATE_COLLECTION, rkey },
  });
  let existing: z.infer<typeof ThreadgateRecordAnswer> | undefined;
  if (succeeded(current)) existing = parseAnswer(current, ThreadgateRecordAnswer, answerOf(context, 'read threadgate'));
  else if (blueskyError(current, 'read threadgate').code !== 'RecordNotFound')
    throw blueskyError(current, 'read threadgate');
  const before = existing?.value.hiddenReplies ?? [];
  const after = hidden ? [...new Set([...before, replyUri])] : before.filter((uri) => uri !== replyUri);
  if (after.length > MAX_HIDDEN_REPLIES)
    throw new PlatformError('permanent', `Bluesky hides at most ${MAX_HIDDEN_REPLIES} replies per thread`, {
      code: 'TOO_MANY_HIDDEN',
    });
  const record: Record<string, unknown> = {
    ...(existing?.value ?? {}),
    $type: THREADGATE_COLLECTION,
    post: rootUri,
    createdAt: (existing?.value as { createdAt?: string } | undefined)?.createdAt ?? new Date().toISOString(),
    hiddenReplies: after,
  };
  await withSession(
    context,
    (fresh) =>
      xrpc(context, 'POST', 'com.atproto.repo.putRecord', {
        token: fresh.accessJwt,
        body: {
          repo: fresh.did,
          collection: THREADGATE_COLLECTION,
          rkey,
          record,
          swapRecord: existing?.cid ?? null,
        },
      }),
    hidden ? 'hide reply' : 'show reply',
  );
}

/**
 * Replies: app.bsky.feed.getPostThread (the whole tree, no paging), with the thread's gate, whose
 * `hiddenReplies` says which are hidden; answers are posts with `reply.root`/`reply.parent`; hiding
 * through the threadgate (at most 300 hidden replies per thread).
 */
const blueskyReplies: ReplyCapabilities = {
  async list(post, context) {
    const { uri } = decodeRemoteId(post.remoteId);
    await context.beforeRead();
    const { response } = await withSession(
      context,
      (session) =>
        xrpc(context, 'GET', 'app.bsky.feed.getPostThread', {
          token: session.accessJwt,
          params: { uri, depth: '1000', parentHeight: '0' },
        }),
      'read replies',
    );
    const answer = parseAnswer(response, ThreadAnswer, answerOf(context, 'read replies'));
    const ownDid = answer.thread.post?.author.did;
    const hidden = new Set(answer.threadgate?.record?.hiddenReplies ?? []);
    const nodes: { view: z.infer<typeof PostView>; id: string; parentId: string; own: boolean }[] = [];
    const walk = (node: ThreadNode, parent: string) => {
      for (const child of node.replies ?? []) {
        if (!child.post) continue;
        nodes.push({
          view: child.post,
          id: child.post.uri,
          parentId: child.post.record.reply?.parent.uri ?? parent,
          own: child.post.author.did === ownDid,
        });
        walk(child, child.post.uri);
      }
    };
    walk(answer.thread, uri);
    const byUri = new Map(nodes.map((node) => [node.id, node]));
    return citizenReplies(uri, nodes).map(({ view, parentId }): PlatformReply => {
      const parent = byUri.get(parentId);
      return {
        remoteId: encodeRemoteId({ uri: view.uri, cid: view.cid }),
        parentRemoteId: parent ? encodeRemoteId({ uri: parent.view.uri, cid: parent.view.cid }) : post.remoteId,
        text: view.record.text ?? '',
        author: { handle: view.author.handle, ...(view.author.displayName ? { name: view.author.displayName } : {}) },
        repliedAt: new Date(Date.parse(view.record.createdAt ?? view.indexedAt ?? '') || Date.now()).toISOString(),
        hidden: hidden.has(view.uri),
      };
    });
  },

  answer: (request, context) => blueskyClient.publish(asThreadedPost(request), context),

  findAnswer: (request, context) => blueskyClient.findPublished(asThreadedPost(request), context),

  async setHidden(reply, post, hidden, context) {
    const root = decodeRemoteId(post.threadRootId ?? post.remoteId).uri;
    await setHiddenReply(context, decodeRemoteId(reply.remoteId).uri, root, hidden);
  },
};

export const blueskyClient: PlatformClient = {
  platform: 'bluesky',
  replies: blueskyReplies,

  async publish(request, context) {
    const length = graphemes(request.text);
    if (length > PLATFORMS.bluesky.text.limit) {
      throw new PlatformError(
        'permanent',
        `text is ${length} graphemes, Bluesky allows ${PLATFORMS.bluesky.text.limit}`,
        { code: 'text-too-long' },
      );
    }
    const record: Record<string, unknown> = {
      $type: POST_COLLECTION,
      text: request.text,
      createdAt: new Date().toISOString(),
      langs: langs(context),
    };
    const facets = await buildFacets(request.text, (handle) => resolveHandle(context, handle));
    if (facets.length > 0) record.facets = facets;
    const embed = await buildEmbed(context, request);
    if (embed) record.embed = embed;
    if (request.replyTo) {
      const parent = await strongRef(context, request.replyTo.remoteId);
      const root = request.replyTo.threadRootId ? await strongRef(context, request.replyTo.threadRootId) : parent;
      record.reply = { root, parent };
    }

    const rkey = request.checkpoint.rkey ?? newTid();
    if (!request.checkpoint.rkey) await context.saveCheckpoint({ ...request.checkpoint, rkey });
    const createPost = () =>
      withSession(
        context,
        (current) =>
          xrpc(context, 'POST', 'com.atproto.repo.createRecord', {
            token: current.accessJwt,
            body: { repo: current.did, collection: POST_COLLECTION, rkey, record },
          }),
        'create post',
      );
    let answer: Awaited<ReturnType<typeof createPost>>;
    // Logging in is preparation: only createRecord may follow clearToPublish.
    await cachedSession(context);
    await context.clearToPublish();
    try {
      answer = await createPost();
    } catch (error) {
      // Our record key is taken: an earlier attempt of this very delivery created the post after all.
      if (error instanceof PlatformError && /already exists/i.test(error.message)) {
        const existing = await blueskyClient.findPublished(
          { ...request, checkpoint: { ...request.checkpoint, rkey } },
          context,
        );
        if (existing) return existing;
      }
      throw error;
    }
    const created = parseAnswer(answer.response, StrongRefAnswer, answerOf(context, 'create post'));
    return result(handleOf(context, answer.session), { uri: created.uri, cid: created.cid }, request);
  },

  async findPublished(request, context) {
    // The record key is saved before createRecord: without one, nothing was created.
    const rkey = request.checkpoint.rkey;
    if (!rkey) return null;
    const session = await cachedSession(context);
    const response = await xrpc(context, 'GET', 'com.atproto.repo.getRecord', {
      params: { repo: session.did, collection: POST_COLLECTION, rkey },
    });
    if (succeeded(response)) {
      const found = parseAnswer(response, StrongRefAnswer, answerOf(context, 'look up post'));
      return result(handleOf(context, session), { uri: found.uri, cid: found.cid }, request);
    }
    const error = blueskyError(response, 'look up post');
    if (error.code === 'RecordNotFound') return null;
    throw error;
  },

  async followerCount(context) {
    const { response } = await withSession(
      context,
      (session) =>
        xrpc(context, 'GET', 'app.bsky.actor.getProfile', { token: session.accessJwt, params: { actor: session.did } }),
      'read followers',
    );
    return parseAnswer(response, ProfileAnswer, answerOf(context, 'read followers')).followersCount;
  },
};
