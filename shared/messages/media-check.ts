/**
 * Media are checked at ingest, not at publish time: a URL that does not answer, or serves something
 * else than the message says, is the author's to fix now, not a failed delivery an hour later.
 */
import type { FieldError } from '../api/problem';
import type { Media } from '../model/schemas';

export interface MediaFacts {
  /** bytes, when the server says (Content-Length) */
  bytes?: number;
}

const CHECK_TIMEOUT_MS = 3000;

export async function inspectMedia(
  media: readonly Media[],
  fetchImpl: typeof fetch = fetch,
): Promise<{ facts: MediaFacts[]; errors: FieldError[] }> {
  const errors: FieldError[] = [];
  const facts = await Promise.all(
    media.map(async (item, index): Promise<MediaFacts> => {
      let response: Response;
      try {
        response = await fetchImpl(item.url, {
          method: 'GET',
          redirect: 'follow',
          signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
        });
      } catch (error) {
        errors.push({
          field: `media[${index}].url`,
          message: `is not reachable (${(error as Error).name === 'TimeoutError' ? 'no answer within 3 s' : 'connection failed'})`,
        });
        return {};
      }
      // Only the headers matter: don't download a video to learn its size.
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) {
        errors.push({ field: `media[${index}].url`, message: `is not reachable (HTTP ${response.status})` });
        return {};
      }
      const served = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (served && served !== item.mime)
        errors.push({ field: `media[${index}].mime`, message: `the URL serves ${served}, not ${item.mime}` });
      const length = Number(response.headers.get('content-length'));
      return Number.isFinite(length) && length > 0 ? { bytes: length } : {};
    }),
  );
  return { facts, errors };
}
