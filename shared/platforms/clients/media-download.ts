/**
 * Fetches a message's media from its public URL, for the platforms that want the bytes uploaded
 * (X, Bluesky, LinkedIn, YouTube) rather than a URL they fetch themselves.
 */
import type { Media } from '../../model/schemas';
import { PlatformError } from '../client';
import { classifyNetworkError, redactSecrets } from '../http';

export interface DownloadedMedia {
  bytes: Uint8Array;
  mime: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** A media URL that is gone (4xx) stays gone: permanent. A 5xx or a lost connection is worth a retry. */
export async function downloadMedia(
  media: Media,
  options: { fetch?: typeof fetch; timeoutMs?: number; maxBytes?: number } = {},
): Promise<DownloadedMedia> {
  const doFetch = options.fetch ?? fetch;
  let bytes: Uint8Array;
  let status: number;
  try {
    const response = await doFetch(media.url, {
      method: 'GET',
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    status = response.status;
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw classifyNetworkError(error, 'GET');
  }
  // Signed media URLs carry credentials in their query; never put them into an error.
  const where = redactSecrets(media.url);
  if (status >= 400) {
    const errorClass = status >= 500 || status === 408 || status === 429 ? 'retryable' : 'permanent';
    throw new PlatformError(errorClass, `media ${where} answered HTTP ${status}`, { code: `media-${status}` });
  }
  if (options.maxBytes !== undefined && bytes.byteLength > options.maxBytes) {
    throw new PlatformError(
      'permanent',
      `media ${where} has ${bytes.byteLength} bytes, more than the platform accepts (${options.maxBytes})`,
      {
        code: 'media-too-large',
      },
    );
  }
  return { bytes, mime: media.mime };
}
