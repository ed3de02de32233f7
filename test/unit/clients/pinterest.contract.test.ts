import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PINTEREST_SIM_USER, pinterestSim } from '../../../local/simulator/platforms/pinterest';
import { startTestSimulator, type TestSimulator } from '../../../local/simulator/test-harness';
import type { PublishRequest } from '../../../shared/platforms/client';
import { pinterestClient } from '../../../shared/platforms/clients/pinterest';
import { testContext } from './fake-platform-fetch';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({ platforms: [pinterestSim] });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  await sim.clearFaults();
  await sim.reset();
});

const BOARD = '549755885175';
let sequence = 0;
function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  sequence += 1;
  const marker = `[h:p${sequence}]`;
  return {
    idempotencyKey: `m${sequence}:pin-city`,
    marker,
    text: `Striezelmarkt 2026\nÖffnungszeiten und Anfahrt ${marker}`,
    link: 'https://www.dresden.de/striezelmarkt',
    media: [{ url: `${sim.url}/_sim/media/sample.jpg`, altText: 'Stände vor der Kreuzkirche', mime: 'image/jpeg' }],
    checkpoint: {},
    ...overrides,
  };
}
const context = (token = sim.state.token('pinterest')) =>
  testContext('pinterest', BOARD, { accessToken: token }, fetch, sim.baseUrl('pinterest'));

describe('Pinterest client against the simulator', () => {
  it('creates a pin on the board with title, description, link and alt text', async () => {
    const sent = request();
    const result = await pinterestClient.publish(sent, context());
    expect(sim.state.findPost('pinterest', result.remoteId)).toMatchObject({
      account: BOARD,
      text: sent.text,
      link: 'https://www.dresden.de/striezelmarkt',
      media: [{ url: sent.media[0]?.url, altText: 'Stände vor der Kreuzkirche' }],
    });
  });

  it('creates a video pin after uploading and processing the video', async () => {
    const result = await pinterestClient.publish(
      request({ media: [{ url: `${sim.url}/_sim/media/sample.mp4`, altText: 'Löschzug', mime: 'video/mp4' }] }),
      context(),
    );
    expect(sim.state.findPost('pinterest', result.remoteId)).toMatchObject({
      account: BOARD,
      media: [{ altText: 'Löschzug' }],
    });
  });

  it('the simulator refuses a pin without media, and one with a title over 100 characters', async () => {
    const headers = { authorization: `Bearer ${sim.state.token('pinterest')}`, 'content-type': 'application/json' };
    const noMedia = await fetch(`${sim.baseUrl('pinterest')}/v5/pins`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ board_id: BOARD, title: 'x' }),
    });
    expect(noMedia.status).toBe(400);
    expect(await noMedia.json()).toMatchObject({ code: 1 });
    const longTitle = await fetch(`${sim.baseUrl('pinterest')}/v5/pins`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        board_id: BOARD,
        title: 'ä'.repeat(101),
        media_source: { source_type: 'image_url', url: 'https://media.example/a.jpg' },
      }),
    });
    expect(longTitle.status).toBe(400);
  });

  it('maps a wrong token to auth and an injected 503 to retryable', async () => {
    await expect(pinterestClient.publish(request(), context('wrong'))).rejects.toMatchObject({
      errorClass: 'auth',
      code: '2',
    });
    await sim.injectFaults({ platform: 'pinterest', status: 503, count: 1 });
    await expect(pinterestClient.publish(request(), context())).rejects.toMatchObject({ errorClass: 'retryable' });
  });

  it('after a lost answer, findPublished finds the pin; null for one never sent', async () => {
    await sim.injectFaults({ platform: 'pinterest', dropAfterRecord: true, count: 1 });
    const lost = request();
    const channel = context();
    await expect(pinterestClient.publish(lost, channel)).rejects.toMatchObject({ errorClass: 'ambiguous' });
    const checkpoint = channel.checkpoints.at(-1) ?? {};
    expect((await pinterestClient.findPublished({ ...lost, checkpoint }, channel))?.remoteId).toBe(
      sim.state.posts('pinterest')[0]?.id,
    );
    // Sent but never arrived: the lookup asks the platform and is certain.
    expect(await pinterestClient.findPublished({ ...request(), checkpoint }, channel)).toBeNull();
  });

  it('reads follower_count', async () => {
    expect(await pinterestClient.followerCount(context())).toBe(
      sim.state.followers('pinterest', PINTEREST_SIM_USER.username),
    );
  });
});
