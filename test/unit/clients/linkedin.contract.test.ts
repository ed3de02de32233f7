import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { linkedinSim } from '../../../local/simulator/platforms/linkedin';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import type { PublishRequest } from '../../../shared/platforms/client';
import { linkedinClient } from '../../../shared/platforms/clients/linkedin';
import { testContext } from './fake-platform-fetch';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ platforms: [linkedinSim] });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

const ORG = '5515715';
let sequence = 0;
function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  sequence += 1;
  const marker = `[h:l${sequence}]`;
  return {
    idempotencyKey: `m${sequence}:li-city`,
    marker,
    text: `Ausbildung bei der Stadt (m/w/d) – jetzt bewerben! #Dresden ${marker}`,
    media: [],
    checkpoint: {},
    ...overrides,
  };
}
const context = (token = sim.state.token('linkedin')) =>
  testContext('linkedin', ORG, { accessToken: token }, fetch, sim.baseUrl('linkedin'));

describe('LinkedIn client against the simulator', () => {
  it('publishes escaped commentary with two images; LinkedIn shows the text as written', async () => {
    const text = 'Neue Kita in Striesen (Bilder) @Eltern #Dresden *Eröffnung* 10:00 [Info] ' + request().marker;
    const result = await linkedinClient.publish(
      request({
        text,
        media: [
          { url: `${sim.url}/_sim/media/sample.jpg`, altText: 'Gruppenraum', mime: 'image/jpeg' },
          { url: `${sim.url}/_sim/media/sample.png`, altText: 'Garten', mime: 'image/png' },
        ],
      }),
      context(),
    );
    const post = sim.state.findPost('linkedin', result.remoteId);
    expect(post).toMatchObject({ account: ORG, text, media: [{ altText: 'Gruppenraum' }, { altText: 'Garten' }] });
  });

  it('publishes a video through initializeUpload, part uploads and finalizeUpload', async () => {
    const result = await linkedinClient.publish(
      request({ media: [{ url: `${sim.url}/_sim/media/sample.mp4`, altText: 'Löschzug', mime: 'video/mp4' }] }),
      context(),
    );
    expect(sim.state.findPost('linkedin', result.remoteId)?.media).toEqual([
      { url: expect.stringMatching(/^urn:li:video:/) },
    ]);
  });

  it('the simulator refuses a request without the version headers or with unescaped text', async () => {
    const headers = { authorization: `Bearer ${sim.state.token('linkedin')}`, 'content-type': 'application/json' };
    const post = {
      author: `urn:li:organization:${ORG}`,
      commentary: 'Hallo',
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED' },
      lifecycleState: 'PUBLISHED',
    };
    const noVersion = await fetch(`${sim.baseUrl('linkedin')}/rest/posts`, {
      method: 'POST',
      headers,
      body: JSON.stringify(post),
    });
    expect(noVersion.status).toBe(400);
    const versioned = { ...headers, 'linkedin-version': '202610' };
    expect(
      (
        await fetch(`${sim.baseUrl('linkedin')}/rest/posts`, {
          method: 'POST',
          headers: versioned,
          body: JSON.stringify(post),
        })
      ).status,
    ).toBe(400);
    const unescaped = await fetch(`${sim.baseUrl('linkedin')}/rest/posts`, {
      method: 'POST',
      headers: { ...versioned, 'x-restli-protocol-version': '2.0.0' },
      body: JSON.stringify({ ...post, commentary: 'Kita (neu)' }),
    });
    expect(unescaped.status).toBe(422);
  });

  it('maps duplicate, wrong token and an injected 429', async () => {
    const same = request();
    await linkedinClient.publish(same, context());
    await expect(linkedinClient.publish(same, context())).rejects.toMatchObject({ errorClass: 'permanent' });
    await expect(linkedinClient.publish(request(), context('wrong'))).rejects.toMatchObject({
      errorClass: 'auth',
      code: 'INVALID_ACCESS_TOKEN',
    });
    await sim.injectFaults({ platform: 'linkedin', status: 429, retryAfter: 600, count: 1 });
    await expect(linkedinClient.publish(request(), context())).rejects.toMatchObject({
      errorClass: 'rate-limited',
      retryAfterSeconds: 600,
    });
  });

  it('after a lost answer, findPublished finds the post; null for one never sent', async () => {
    await sim.injectFaults({ platform: 'linkedin', dropAfterRecord: true, count: 1 });
    const lost = request();
    const channel = context();
    await expect(linkedinClient.publish(lost, channel)).rejects.toMatchObject({ errorClass: 'ambiguous' });
    const checkpoint = channel.checkpoints.at(-1) ?? {};
    expect((await linkedinClient.findPublished({ ...lost, checkpoint }, channel))?.remoteId).toBe(
      sim.state.posts('linkedin')[0]?.id,
    );
    // Sent but never arrived: the lookup asks the platform and is certain.
    expect(await linkedinClient.findPublished({ ...request(), checkpoint }, channel)).toBeNull();
  });

  it('finds a lost post behind more than a page of newer posts', async () => {
    await sim.injectFaults({ platform: 'linkedin', dropAfterRecord: true, count: 1 });
    const lost = request();
    const channel = context();
    await expect(linkedinClient.publish(lost, channel)).rejects.toMatchObject({ errorClass: 'ambiguous' });
    for (let index = 0; index < 120; index += 1) await linkedinClient.publish(request(), context());
    const found = await linkedinClient.findPublished(
      { ...lost, checkpoint: channel.checkpoints.at(-1) ?? {} },
      channel,
    );
    expect(found?.remoteId).toBe(sim.state.posts('linkedin')[0]?.id);
  });

  it('reads the organisation follower count', async () => {
    expect(await linkedinClient.followerCount(context())).toBe(sim.state.followers('linkedin', ORG));
  });
});
