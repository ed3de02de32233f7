/**
 * Every API client against the simulator: the irreversible request comes right after
 * clearToPublish and nothing anyone can see is made before it; and each odd answer (an HTML page,
 * JSON of another shape, JSON cut short, an empty 204) to the create call or to a lookup becomes a
 * PlatformError that names platform and call, which the publisher then classes by where it struck.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Media } from '../../../shared/model/schemas';
import {
  PlatformError,
  UNEXPECTED_ANSWER_CODE,
  type PlatformClient,
  type PublishContext,
} from '../../../shared/platforms/client';
import { blueskyClient, clearBlueskySessions } from '../../../shared/platforms/clients/bluesky';
import { facebookClient } from '../../../shared/platforms/clients/facebook';
import { instagramClient } from '../../../shared/platforms/clients/instagram';
import { linkedinClient } from '../../../shared/platforms/clients/linkedin';
import { mastodonClient } from '../../../shared/platforms/clients/mastodon';
import { pinterestClient } from '../../../shared/platforms/clients/pinterest';
import { telegramClient } from '../../../shared/platforms/clients/telegram';
import { threadsClient } from '../../../shared/platforms/clients/threads';
import { xClient } from '../../../shared/platforms/clients/x';
import { youtubeClient } from '../../../shared/platforms/clients/youtube';
import { PLATFORMS, platformList, type PlatformId } from '../../../shared/platforms/registry';
import { classifySurprise } from '../../../shared/publishing/publish';
import { loadSeedChannels, SEED_CREDENTIALS_FILE } from '../../../local/seed';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import { ODD_ANSWERS, type SimFault } from '../../../local/simulator/types';
import { publishRequest } from './helpers';

/** Every platform with a publishing API has its client here; a new one fails the first test until it is added. */
const CLIENTS: Partial<Record<PlatformId, PlatformClient>> = {
  threads: threadsClient,
  facebook: facebookClient,
  instagram: instagramClient,
  youtube: youtubeClient,
  linkedin: linkedinClient,
  pinterest: pinterestClient,
  x: xClient,
  mastodon: mastodonClient,
  bluesky: blueskyClient,
  telegram: telegramClient,
};
const apiPlatforms = platformList()
  .filter((spec) => spec.publishing === 'api')
  .map((spec) => spec.id);

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
  clearBlueskySessions();
});

const credentials = JSON.parse(readFileSync(SEED_CREDENTIALS_FILE, 'utf8')) as Record<string, Record<string, string>>;
const channels = loadSeedChannels();

/** What each platform needs to take a post: Instagram and Pinterest an image, YouTube a video. */
function mediaFor(platform: PlatformId): Media[] {
  if (platform === 'youtube') return [{ url: `${sim.url}/_sim/media/sample.mp4`, mime: 'video/mp4', altText: 'Elbe' }];
  if (platform === 'instagram' || platform === 'pinterest')
    return [{ url: `${sim.url}/_sim/media/sample.jpg`, mime: 'image/jpeg', altText: 'Blick auf die Altstadt' }];
  return [];
}

interface Watched {
  context: PublishContext & { checkpoint: Record<string, string> };
  /** posts the platform held when clearToPublish was called, and the writes sent after it */
  atClear: { posts: number; writesAfter: number } | undefined;
}

function watchedContext(platform: PlatformId, onClear?: () => Promise<void>): Watched {
  const channel = channels.find((candidate) => candidate.platform === platform && candidate.org === 'city')!;
  const watched: Watched = { atClear: undefined, context: undefined as unknown as Watched['context'] };
  watched.context = {
    channel,
    credentials: credentials[channel.credentialsRef]!,
    baseUrl: sim.baseUrl(platform),
    timeoutMs: 5_000,
    checkpoint: {},
    async saveCheckpoint(checkpoint) {
      watched.context.checkpoint = checkpoint;
    },
    async clearToPublish() {
      watched.atClear = { posts: sim.state.posts(platform).length, writesAfter: 0 };
      await onClear?.();
    },
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      if (watched.atClear && method !== 'GET') watched.atClear.writesAfter += 1;
      return fetch(input, init);
    }) as typeof fetch,
  };
  return watched;
}

const request = (platform: PlatformId) => publishRequest({ media: mediaFor(platform) });

describe('every API client', () => {
  it('is in this table', () => {
    expect(Object.keys(CLIENTS).sort()).toEqual([...apiPlatforms].sort());
  });

  it.each(apiPlatforms)(
    '%s: posts nothing before clearToPublish and makes exactly one write after it',
    async (platform) => {
      const client = CLIENTS[platform]!;
      const watched = watchedContext(platform);
      await client.publish(request(platform), watched.context);
      expect(watched.atClear, 'clearToPublish was never called').toBeDefined();
      expect(watched.atClear?.posts).toBe(0);
      expect(watched.atClear?.writesAfter).toBe(1);
      expect(sim.state.posts(platform)).toHaveLength(1);
    },
  );
});

describe.each(ODD_ANSWERS)('an odd answer (%s)', (kind) => {
  it.each(apiPlatforms)('%s: to the create call is a readable surprise, ambiguous after the send', async (platform) => {
    const client = CLIENTS[platform]!;
    // the next write after clearToPublish is the irreversible one
    const watched = watchedContext(platform, () =>
      sim.injectFaults({ platform, oddAnswer: kind, writesOnly: true, count: 1 }),
    );
    const error = await client.publish(request(platform), watched.context).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (platform === 'linkedin' && kind === 'truncated-json') {
      // LinkedIn's 201 has no body to cut: the post's URN comes in a header, which is all Herold reads
      expect(error).toBeUndefined();
      return;
    }
    expect(error).toBeInstanceOf(PlatformError);
    const surprise = error as PlatformError;
    expect(surprise.code).toBe(UNEXPECTED_ANSWER_CODE);
    expect(surprise.message).toMatch(new RegExp(`^${PLATFORMS[platform].displayName} \\S`));
    expect(surprise.message).toMatch(expectedProblem(kind));
    expect(surprise.message).not.toContain(credentialValue(platform));
    expect(classifySurprise(surprise, 'sent', platform).errorClass).toBe('ambiguous');
  });

  it.each(apiPlatforms.filter((platform) => platform !== 'telegram'))(
    '%s: to a lookup is a readable surprise, a failed lookup',
    async (platform) => {
      const client = CLIENTS[platform]!;
      const watched = watchedContext(platform);
      const sent = request(platform);
      await client.publish(sent, watched.context);
      const lookup = { ...sent, checkpoint: watched.context.checkpoint };
      expect(await client.findPublished(lookup, watched.context)).not.toBeNull();
      // YouTube asks the upload session itself, with a PUT; everyone else reads
      const fault: SimFault = platform === 'youtube' ? { writesOnly: true } : { readsOnly: true };
      await sim.injectFaults({ platform, oddAnswer: kind, count: 20, ...fault });
      const error = await client.findPublished(lookup, watched.context).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(PlatformError);
      expect((error as PlatformError).code).toBe(UNEXPECTED_ANSWER_CODE);
      expect((error as PlatformError).message).toMatch(expectedProblem(kind));
      expect(classifySurprise(error, 'lookup', platform).errorClass).toBe('retryable');
    },
  );
});

function expectedProblem(kind: (typeof ODD_ANSWERS)[number]): RegExp {
  switch (kind) {
    case 'html-page':
      return /(expected JSON, got text\/html|expected the .* header) \(HTTP 200: <!DOCTYPE html>/;
    case 'wrong-shape':
      return /(expected .* at \$|expected the .* header|expected the session URL)/;
    case 'truncated-json':
      return /the JSON answer was cut short or broken \(HTTP 20\d: [[{]/;
    case 'empty-204':
      return /(expected a JSON body, got an empty answer \(HTTP 204, empty body\)|header \(HTTP 204)/;
  }
}

function credentialValue(platform: PlatformId): string {
  const channel = channels.find((candidate) => candidate.platform === platform && candidate.org === 'city')!;
  const values = Object.values(credentials[channel.credentialsRef]!);
  return values.find((value) => /token|password/i.test(value)) ?? values[0]!;
}
