/**
 * Finding a post after an ambiguous outcome, for platforms without a client-chosen id (X, LinkedIn,
 * Pinterest). Just before the irreversible create call the client checkpoints `sentAt`; a lookup
 * then knows for certain that nothing was created when `sentAt` is missing, and otherwise only
 * considers the account's posts from that moment on (an older post with the same text is not this
 * delivery) whose text contains the delivery's marker.
 */
import { PlatformError, type PlatformContext, type PublishRequest } from '../client';

/** Allowance for the platform's clock running behind ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Record the moment before the create call; the earliest attempt's moment is kept. */
export async function markSent(request: PublishRequest, context: PlatformContext, now = Date.now()): Promise<void> {
  if (request.checkpoint.sentAt) return;
  await context.saveCheckpoint({ ...request.checkpoint, sentAt: new Date(now).toISOString() });
}

/** Epoch ms from which a post can be this delivery's, or undefined when the create call was never made. */
export function sentWindowStart(request: PublishRequest): number | undefined {
  const sentAt = Date.parse(request.checkpoint.sentAt ?? '');
  return Number.isNaN(sentAt) ? undefined : sentAt - CLOCK_SKEW_MS;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * Platforms hand text back changed: X shortens links to t.co and HTML-escapes `&<>`. Comparing with
 * links reduced to a placeholder and entities decoded survives both, and a link cut off at the
 * marker's end.
 */
function normalize(text: string): string {
  return text
    .replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/https?:\/\/\S*/g, '<link>')
    .replace(/\s+/g, ' ')
    .trim();
}

export function containsMarker(postText: string, marker: string): boolean {
  const wanted = normalize(marker);
  return wanted.length > 0 && normalize(postText).includes(wanted);
}

/** A post the lookup may claim: created inside the window and carrying the marker. */
export function isThisDelivery(
  post: { text: string; createdAtMs: number },
  request: PublishRequest,
  since: number,
): boolean {
  return post.createdAtMs >= since && containsMarker(post.text, request.marker);
}

export interface LookupPage<T> {
  posts: T[];
  /** cursor of the next page, when there is one */
  next?: string;
}

/** Pages a lookup reads before it gives up being certain (and asks to be retried later). */
const MAX_LOOKUP_PAGES = 10;

/**
 * Walk the account's posts page by page until one is this delivery. With `newestFirst`, a page that
 * reaches back before the create call ends the walk; otherwise every page is read. Null only when
 * the walk ended on its own: a walk cut short is not certain, so it is retryable.
 */
export async function findSince<T extends { text: string; createdAtMs: number }>(
  request: PublishRequest,
  since: number,
  fetchPage: (cursor: string | undefined) => Promise<LookupPage<T>>,
  options: { newestFirst: boolean },
): Promise<T | null> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LOOKUP_PAGES; page += 1) {
    const { posts, next } = await fetchPage(cursor);
    const match = posts.find((post) => isThisDelivery(post, request, since));
    if (match) return match;
    const reachedBack = options.newestFirst && posts.some((post) => post.createdAtMs < since);
    if (!next || reachedBack) return null;
    cursor = next;
  }
  throw new PlatformError(
    'retryable',
    `more than ${MAX_LOOKUP_PAGES} pages of posts since the attempt; looking again later`,
    { code: 'lookup-incomplete' },
  );
}
