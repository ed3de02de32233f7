/**
 * YouTube Data API v3 (www.googleapis.com): resumable `videos.insert` (a POST opens the upload
 * session and answers with its URL in `Location`, a PUT sends the bytes, a PUT with
 * `Content-Range: bytes *\/<size>` asks how far it got: 308 incomplete, 200 with the video when
 * done) and `channels.list` with statistics. The daily quota
 * answers 403 `quotaExceeded`; errors use Google's `{ error: { code, message, errors: [{ reason }] } }`.
 */
import { createHash } from 'node:crypto';
import { PLATFORMS } from '../../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState } from '../types';

/** The channel the simulated token belongs to. */
export const YOUTUBE_SIM_CHANNEL = 'UCsimHeroldDresden0000001';
const TITLE_LIMIT = 100;
const DESCRIPTION_MAX_BYTES = PLATFORMS.youtube.text.limit;

interface UploadSession {
  id: string;
  snippet: { title: string; description: string; categoryId?: string };
  status: Record<string, unknown>;
  size?: number;
  mime: string;
  videoId?: string;
}
interface Video {
  id: string;
  title: string;
  description: string;
  publishedAt: string;
  categoryId?: string;
  privacyStatus: string;
}

const store = (state: SimState) => ({
  sessions: state.scratch('youtube', 'sessions', () => new Map<string, UploadSession>()),
  videos: state.scratch('youtube', 'videos', () => [] as Video[]),
});

function googleError(status: number, reason: string, message: string, domain = 'youtube.video'): SimResponse {
  return { status, body: { error: { code: status, message, errors: [{ message, domain, reason }] } } };
}

function youtubeErrorResponse(status: number, message: string): SimResponse {
  if (status === 401) return googleError(401, 'authError', 'Invalid Credentials', 'global');
  if (status === 403) return googleError(403, 'forbidden', 'Forbidden', 'global');
  if (status === 429) return googleError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'youtube.quota');
  if (status >= 500) return googleError(status, 'backendError', 'Backend Error', 'global');
  return googleError(status, 'badRequest', message, 'global');
}

const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const videoIdFor = (seed: string) => createHash('sha256').update(seed).digest('base64url').slice(0, 11);

function openSession(request: SimRequest, state: SimState): SimResponse {
  if (request.query.get('uploadType') !== 'resumable')
    return googleError(400, 'badRequest', 'uploadType must be resumable for this endpoint', 'global');
  const parts = (request.query.get('part') ?? '').split(',');
  if (!parts.includes('snippet'))
    return googleError(400, 'missingRequiredParameter', 'No filter selected. Expected one of: part', 'global');
  const snippet = object(object(request.body)?.snippet);
  const title = snippet?.title;
  const description = typeof snippet?.description === 'string' ? snippet.description : '';
  if (typeof title !== 'string' || title.trim().length === 0)
    return googleError(400, 'invalidTitle', 'The request metadata specifies an invalid or empty video title.');
  if ([...title].length > TITLE_LIMIT || /[<>]/.test(title))
    return googleError(400, 'invalidTitle', 'The request metadata specifies an invalid video title.');
  if (Buffer.byteLength(description) > DESCRIPTION_MAX_BYTES || /[<>]/.test(description))
    return googleError(400, 'invalidDescription', 'The request metadata specifies an invalid video description.');
  const mime = request.headers['x-upload-content-type'] ?? 'video/*';
  if (!mime.startsWith('video/'))
    return googleError(400, 'invalidContentType', 'The uploaded file is not a video', 'global');
  const declared = request.headers['x-upload-content-length'];
  if (!state.takeQuota('youtube', YOUTUBE_SIM_CHANNEL)) {
    return googleError(
      403,
      'quotaExceeded',
      'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
      'youtube.quota',
    );
  }
  const id = createHash('sha256').update(`upload:${state.nextId()}`).digest('base64url').slice(0, 24);
  store(state).sessions.set(id, {
    id,
    snippet: {
      title,
      description,
      ...(typeof snippet?.categoryId === 'string' ? { categoryId: snippet.categoryId } : {}),
    },
    status: object(object(request.body)?.status) ?? {},
    ...(declared ? { size: Number(declared) } : {}),
    mime,
  });
  return {
    status: 200,
    headers: {
      location: `${state.baseUrl}/youtube/upload/youtube/v3/videos?uploadType=resumable&upload_id=${id}&part=${parts.join(',')}`,
    },
  };
}

function videoBody(video: Video): Record<string, unknown> {
  return {
    kind: 'youtube#video',
    etag: createHash('sha256').update(video.id).digest('base64url').slice(0, 27),
    id: video.id,
    snippet: {
      publishedAt: video.publishedAt,
      channelId: YOUTUBE_SIM_CHANNEL,
      title: video.title,
      description: video.description,
      categoryId: video.categoryId ?? '22',
    },
    status: {
      uploadStatus: 'uploaded',
      privacyStatus: video.privacyStatus,
      embeddable: true,
      selfDeclaredMadeForKids: false,
    },
  };
}

function upload(request: SimRequest, state: SimState): SimResponse {
  const session = store(state).sessions.get(request.query.get('upload_id') ?? '');
  if (!session) return { status: 404, body: 'Not Found' };
  const finished = session.videoId ? store(state).videos.find((video) => video.id === session.videoId) : undefined;
  // A status query, or a repeated upload of a session that already finished.
  if (/^bytes \*\/\d+$/.test(request.headers['content-range'] ?? '') || finished) {
    return finished ? { status: 200, body: videoBody(finished) } : { status: 308, headers: { 'content-length': '0' } };
  }
  const size = request.rawBody.byteLength;
  if (size === 0) return googleError(400, 'badContent', 'The uploaded file is empty', 'global');
  if (session.size !== undefined && session.size !== size)
    return googleError(400, 'badContent', `Expected ${session.size} bytes, received ${size}`, 'global');
  if (size > PLATFORMS.youtube.media.maxVideoBytes)
    return googleError(400, 'uploadLimitExceeded', 'The video is larger than allowed', 'youtube.video');

  const video: Video = {
    id: videoIdFor(`${session.id}:${state.nextId()}`),
    title: session.snippet.title,
    description: session.snippet.description,
    publishedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(session.snippet.categoryId ? { categoryId: session.snippet.categoryId } : {}),
    privacyStatus: typeof session.status.privacyStatus === 'string' ? session.status.privacyStatus : 'public',
  };
  session.videoId = video.id;
  store(state).videos.push(video);
  state.record({
    platform: 'youtube',
    id: video.id,
    account: YOUTUBE_SIM_CHANNEL,
    text: `${video.title}\n${video.description}`,
    media: [{ url: `youtube-upload:${session.id}` }],
  });
  return { status: 200, body: videoBody(video) };
}

function channels(request: SimRequest, state: SimState): SimResponse {
  if (request.query.get('mine') !== 'true' && request.query.get('id') !== YOUTUBE_SIM_CHANNEL)
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: mine, id, forHandle',
      'youtube.parameter',
    );
  const parts = (request.query.get('part') ?? '').split(',');
  if (parts.length === 0 || parts[0] === '')
    return googleError(
      400,
      'missingRequiredParameter',
      'No filter selected. Expected one of: part',
      'youtube.parameter',
    );
  const item: Record<string, unknown> = { kind: 'youtube#channel', etag: 'sim-etag', id: YOUTUBE_SIM_CHANNEL };
  if (parts.includes('statistics')) {
    item.statistics = {
      viewCount: '91500',
      subscriberCount: String(state.followers('youtube', YOUTUBE_SIM_CHANNEL)),
      hiddenSubscriberCount: false,
      videoCount: String(store(state).videos.length),
    };
  }
  return {
    status: 200,
    body: {
      kind: 'youtube#channelListResponse',
      etag: 'sim-etag',
      pageInfo: { totalResults: 1, resultsPerPage: 5 },
      items: [item],
    },
  };
}

export const youtubeSim: SimPlatform = {
  id: 'youtube',
  errorResponse: youtubeErrorResponse,
  handle(request, state) {
    const route = `${request.method} ${request.path}`;
    const known = ['POST /upload/youtube/v3/videos', 'PUT /upload/youtube/v3/videos', 'GET /youtube/v3/channels'];
    if (!known.includes(route)) return undefined;
    if (!state.acceptsToken('youtube', /^Bearer\s+(.+)$/.exec(request.headers.authorization ?? '')?.[1]))
      return youtubeErrorResponse(401, '');
    if (route === 'POST /upload/youtube/v3/videos') return openSession(request, state);
    if (route === 'PUT /upload/youtube/v3/videos') return upload(request, state);
    return channels(request, state);
  },
};
