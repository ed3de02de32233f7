/**
 * Mastodon: statuses with Idempotency-Key, media uploads (v2: images ready at once, videos
 * processed in the background and polled through GET /api/v1/media/:id), the account's
 * statuses, verify_credentials, and Mastodon's `{ "error": "…" }` bodies.
 * The simulator's token belongs to one account, `dresden`, as a real token belongs to one user.
 */
import { PLATFORMS } from '../../../shared/platforms/registry';
import { SIM_MASTODON_MAX_CHARACTERS } from '../state';
import type { SimFile, SimPlatform, SimRequest, SimResponse, SimState } from '../types';

const ACCOUNT = { id: '109372843234567890', username: 'dresden', displayName: 'Landeshauptstadt Dresden' };
const rules = PLATFORMS.mastodon;
/** Mastodon counts every URL as 23 characters, whatever its length. */
const URL_LENGTH = 23;
/** How long an Idempotency-Key is remembered (the documentation: up to 1 hour). */
const IDEMPOTENCY_MS = 60 * 60 * 1000;

interface Attachment {
  id: string;
  type: 'image' | 'video' | 'gifv';
  url: string;
  description: string | null;
  processingReads: number;
  ready: boolean;
  statusId?: string;
}

interface Status {
  id: string;
  text: string;
  createdAt: string;
  inReplyToId: string | null;
  mediaIds: string[];
  /** a citizen's reply (POST /_sim/replies): another account, on this or another server */
  citizen?: { acct: string; displayName: string };
}

const store = (state: SimState) => ({
  statuses: state.scratch('mastodon', 'statuses', () => new Map<string, Status>()),
  media: state.scratch('mastodon', 'media', () => new Map<string, Attachment>()),
  idempotency: state.scratch('mastodon', 'idempotency', () => new Map<string, { statusId: string; at: number }>()),
});

const error = (status: number, message: string, headers?: Record<string, string>): SimResponse => ({
  status,
  headers,
  body: { error: message },
});

export function mastodonTextLength(text: string): number {
  return [...text.replace(/https?:\/\/\S+/g, 'x'.repeat(URL_LENGTH))].length;
}

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Mastodon's rendering of plain text: paragraphs, line breaks and linked URLs. */
function toHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => {
      const linked = escapeHtml(paragraph).replace(
        /https?:\/\/[^\s<]+/g,
        (url) =>
          `<a href="${url}" target="_blank" rel="nofollow noopener noreferrer"><span class="invisible">${url.slice(0, url.indexOf('//') + 2)}</span><span class="">${url.slice(url.indexOf('//') + 2)}</span></a>`,
      );
      return `<p>${linked.replace(/\n/g, '<br />')}</p>`;
    })
    .join('');
}

function accountEntity(state: SimState) {
  const base = `${state.baseUrl}/mastodon`;
  return {
    id: ACCOUNT.id,
    username: ACCOUNT.username,
    acct: ACCOUNT.username,
    display_name: ACCOUNT.displayName,
    locked: false,
    bot: false,
    created_at: '2022-11-08T00:00:00.000Z',
    note: '<p>Offizieller Account der Landeshauptstadt Dresden</p>',
    url: `${base}/@${ACCOUNT.username}`,
    followers_count: state.followers('mastodon', ACCOUNT.username),
    following_count: 12,
    statuses_count: store(state).statuses.size,
    emojis: [],
    fields: [],
  };
}

function attachmentEntity(attachment: Attachment) {
  return {
    id: attachment.id,
    type: attachment.type,
    url: attachment.ready ? attachment.url : null,
    preview_url: attachment.url,
    remote_url: null,
    description: attachment.description,
    blurhash: 'UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}',
    meta: {},
  };
}

function citizenAccount(citizen: NonNullable<Status['citizen']>) {
  return {
    id: `acct-${citizen.acct}`,
    username: citizen.acct.split('@')[0],
    acct: citizen.acct,
    display_name: citizen.displayName,
  };
}

/** GET /api/v1/statuses/:id/context: every descendant at every depth, oldest first (no paging, as with a token). */
function context(id: string, state: SimState): SimResponse {
  const { statuses } = store(state);
  const root = statuses.get(id);
  if (!root) return error(404, 'Record not found');
  const descendants: Status[] = [];
  const parents = new Set([id]);
  for (const status of [...statuses.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    if (status.inReplyToId && parents.has(status.inReplyToId)) {
      descendants.push(status);
      parents.add(status.id);
    }
  }
  const ancestors: Status[] = [];
  for (let parent = root.inReplyToId; parent && statuses.get(parent); parent = statuses.get(parent)!.inReplyToId)
    ancestors.unshift(statuses.get(parent)!);
  return {
    status: 200,
    body: {
      ancestors: ancestors.map((status) => statusEntity(status, state)),
      descendants: descendants.map((status) => statusEntity(status, state)),
    },
  };
}

function statusEntity(status: Status, state: SimState) {
  const base = `${state.baseUrl}/mastodon`;
  const replyTo = status.inReplyToId ? store(state).statuses.get(status.inReplyToId) : undefined;
  return {
    id: status.id,
    created_at: status.createdAt,
    in_reply_to_id: status.inReplyToId,
    in_reply_to_account_id: replyTo ? ACCOUNT.id : null,
    sensitive: false,
    spoiler_text: '',
    visibility: 'public',
    language: null,
    uri: `${base}/users/${ACCOUNT.username}/statuses/${status.id}`,
    url: `${base}/@${ACCOUNT.username}/${status.id}`,
    replies_count: 0,
    reblogs_count: 0,
    favourites_count: 0,
    content: toHtml(status.text),
    reblog: null,
    application: { name: 'Herold', website: null },
    account: status.citizen ? citizenAccount(status.citizen) : accountEntity(state),
    media_attachments: status.mediaIds.map((id) => attachmentEntity(store(state).media.get(id)!)),
    mentions: [],
    tags: [],
    emojis: [],
    card: null,
    poll: null,
  };
}

function field(body: unknown, name: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

function uploadMedia(request: SimRequest, state: SimState, version: 'v1' | 'v2'): SimResponse {
  const file = field(request.body, 'file') as SimFile | undefined;
  if (!file || typeof file !== 'object' || !('size' in file) || file.size === 0)
    return error(422, "Validation failed: File can't be blank");
  const mime = file.contentType.split(';')[0]!.trim();
  const isImage = rules.media.imageMimes.includes(mime);
  const isVideo = rules.media.videoMimes.includes(mime);
  if (!isImage && !isVideo) return error(422, 'Validation failed: File content type is invalid');
  if (file.size > (isImage ? rules.media.maxImageBytes : rules.media.maxVideoBytes))
    return error(422, 'Validation failed: File file size must be less than the limit');
  const description = field(request.body, 'description');
  if (typeof description === 'string' && [...description].length > rules.media.maxAltText) {
    return error(422, `Validation failed: Description is too long (maximum is ${rules.media.maxAltText} characters)`);
  }
  const id = state.nextId();
  const attachment: Attachment = {
    id,
    type: isImage ? (mime === 'image/gif' ? 'gifv' : 'image') : 'video',
    url: `${state.baseUrl}/mastodon/system/media_attachments/files/${id}/original/${file.filename || 'upload'}`,
    description: typeof description === 'string' ? description : null,
    processingReads: 0,
    // Images are ready when the upload answers; v2 processes videos in the background.
    ready: isImage || version === 'v1',
  };
  store(state).media.set(id, attachment);
  return { status: attachment.ready ? 200 : 202, body: attachmentEntity(attachment) };
}

function readMedia(id: string, state: SimState): SimResponse {
  const attachment = store(state).media.get(id);
  if (!attachment) return error(404, 'Record not found');
  attachment.processingReads += 1;
  if (!attachment.ready && attachment.processingReads > 1) attachment.ready = true;
  return { status: attachment.ready ? 200 : 206, body: attachmentEntity(attachment) };
}

function listField(body: unknown, name: string): string[] {
  const value = field(body, `${name}[]`) ?? field(body, name);
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function postStatus(request: SimRequest, state: SimState): SimResponse {
  const { statuses, media, idempotency } = store(state);
  const key = request.headers['idempotency-key'];
  const remembered = key ? idempotency.get(key) : undefined;
  if (remembered && Date.now() - remembered.at < IDEMPOTENCY_MS) {
    return { status: 200, body: statusEntity(statuses.get(remembered.statusId)!, state) };
  }
  const text = String(field(request.body, 'status') ?? '');
  const mediaIds = listField(request.body, 'media_ids');
  const inReplyToId = field(request.body, 'in_reply_to_id');
  if (!text.trim() && mediaIds.length === 0) return error(422, "Validation failed: Text can't be blank");
  if (mastodonTextLength(text) > SIM_MASTODON_MAX_CHARACTERS)
    return error(422, `Validation failed: Text character limit of ${SIM_MASTODON_MAX_CHARACTERS} exceeded`);
  if (mediaIds.length > rules.media.maxItems)
    return error(422, `Validation failed: Cannot attach more than ${rules.media.maxItems} files`);
  const attachments = mediaIds.map((id) => media.get(id));
  if (attachments.some((attachment) => !attachment || attachment.statusId))
    return error(422, 'Validation failed: Media attachments are invalid');
  if (attachments.some((attachment) => !attachment!.ready))
    return error(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
  if (typeof inReplyToId === 'string' && inReplyToId && !statuses.has(inReplyToId))
    return error(404, 'Record not found');
  if (!state.takeQuota('mastodon', ACCOUNT.username)) {
    const reset = new Date(Date.now() + (rules.quota?.windowSeconds ?? 0) * 1000).toISOString();
    return error(429, 'Too many requests', {
      'x-ratelimit-limit': String(rules.quota?.limit),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': reset,
    });
  }
  const status: Status = {
    id: state.nextId(),
    text,
    createdAt: new Date().toISOString(),
    inReplyToId: typeof inReplyToId === 'string' && inReplyToId ? inReplyToId : null,
    mediaIds,
  };
  statuses.set(status.id, status);
  for (const attachment of attachments) attachment!.statusId = status.id;
  if (key) idempotency.set(key, { statusId: status.id, at: Date.now() });
  state.record({
    platform: 'mastodon',
    id: status.id,
    account: ACCOUNT.username,
    text,
    link: /https?:\/\/\S+/.exec(text)?.[0],
    media: attachments.map((attachment) => ({
      url: attachment!.url,
      ...(attachment!.description ? { altText: attachment!.description } : {}),
    })),
    replyTo: status.inReplyToId ?? undefined,
    idempotencyKey: key,
  });
  return { status: 200, body: statusEntity(status, state) };
}

function accountStatuses(accountId: string, request: SimRequest, state: SimState): SimResponse {
  if (accountId !== ACCOUNT.id) return error(404, 'Record not found');
  const limit = Math.min(40, Number(request.query.get('limit') ?? 20) || 20);
  const list = [...store(state).statuses.values()].reverse().slice(0, limit);
  return { status: 200, body: list.map((status) => statusEntity(status, state)) };
}

/** POST /api/v1/statuses/:id/pin|unpin: only the account's own statuses. */
function setPinned(id: string, pinned: boolean, state: SimState): SimResponse {
  const status = store(state).statuses.get(id);
  const post = state.findPost('mastodon', id);
  if (!status || !post) return error(404, 'Record not found');
  post.pinned = pinned;
  return { status: 200, body: { ...statusEntity(status, state), pinned } };
}

export const mastodonSim: SimPlatform = {
  id: 'mastodon',
  errorResponse: (status, message, retryAfter) =>
    status === 429
      ? error(429, 'Too many requests', {
          'x-ratelimit-reset': new Date(Date.now() + (retryAfter ?? 300) * 1000).toISOString(),
        })
      : error(status, status === 404 ? 'Record not found' : status === 401 ? 'The access token is invalid' : message),
  replies: {
    add(input, state) {
      const { statuses } = store(state);
      const parent = input.parentId ?? input.postId;
      if (!statuses.has(input.postId) || !statuses.has(parent)) return undefined;
      const acct = input.handle ?? `citizen${statuses.size}@example.social`;
      const status: Status = {
        id: state.nextId(),
        text: input.text,
        createdAt: new Date().toISOString(),
        inReplyToId: parent,
        mediaIds: [],
        citizen: { acct, displayName: input.name ?? acct.split('@')[0]! },
      };
      statuses.set(status.id, status);
      return { id: status.id };
    },
    remove: (id, state) => {
      const status = store(state).statuses.get(id);
      return status?.citizen !== undefined && store(state).statuses.delete(id);
    },
  },
  handle(request, state) {
    if (!request.path.startsWith('/api/')) return undefined;
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!state.acceptsToken('mastodon', bearer)) return error(401, 'The access token is invalid');
    const { method, path } = request;
    if (method === 'POST' && path === '/api/v1/statuses') return postStatus(request, state);
    const pinMatch = /^\/api\/v1\/statuses\/([^/]+)\/(pin|unpin)$/.exec(path);
    if (method === 'POST' && pinMatch) return setPinned(pinMatch[1]!, pinMatch[2] === 'pin', state);
    if (method === 'POST' && (path === '/api/v2/media' || path === '/api/v1/media'))
      return uploadMedia(request, state, path.includes('v2') ? 'v2' : 'v1');
    if (method !== 'GET') return undefined;
    if (path === '/api/v1/accounts/verify_credentials') return { status: 200, body: accountEntity(state) };
    const mediaMatch = /^\/api\/v1\/media\/([^/]+)$/.exec(path);
    if (mediaMatch) return readMedia(mediaMatch[1]!, state);
    const contextMatch = /^\/api\/v1\/statuses\/([^/]+)\/context$/.exec(path);
    if (contextMatch) return context(contextMatch[1]!, state);
    const statusMatch = /^\/api\/v1\/statuses\/([^/]+)$/.exec(path);
    if (statusMatch) {
      const status = store(state).statuses.get(statusMatch[1]!);
      return status ? { status: 200, body: statusEntity(status, state) } : error(404, 'Record not found');
    }
    const accountMatch = /^\/api\/v1\/accounts\/([^/]+)\/statuses$/.exec(path);
    if (accountMatch) return accountStatuses(accountMatch[1]!, request, state);
    return undefined;
  },
};
