/**
 * Every platform end to end in the local stack: one message with an image reaches every platform
 * with a posting API, YouTube skips it with the reason, WhatsApp waits for a person; a follow-up
 * is threaded under it wherever the platform has replies.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { PLATFORMS, platformList } from '../../shared/platforms/registry';
import { startIsolatedStack } from '../support/isolated-stack';

let stack: LocalStack;
let editor: string;

beforeAll(async () => {
  stack = await startIsolatedStack('platforms');
  editor = await signToken({ sub: 'presse', org: 'city', roles: ['editor', 'admin'] });
  // Dresden froze its X account; an authority that still posts there is served the same way.
  const thaw = await call('PATCH', '/channels/city-x', { state: 'active' });
  expect(thaw.status).toBe(200);
}, 120_000);
afterAll(async () => stack?.stop());

interface DeliveryView {
  channelId: string;
  platform: string;
  state: string;
  reason?: string;
  remoteId?: string;
}

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${editor}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, json: (await response.json()) as { id: string; deliveries: DeliveryView[] } };
}

async function settled(id: string): Promise<DeliveryView[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await call('GET', `/messages/${id}`);
    const deliveries = json.deliveries as DeliveryView[];
    if (
      deliveries.every((delivery) => ['PUBLISHED', 'FAILED', 'SKIPPED', 'HANDOFF'].includes(delivery.state)) ||
      Date.now() > deadline
    )
      return deliveries;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const apiPlatforms = platformList()
  .filter((spec) => spec.publishing === 'api' && spec.media.required !== 'video')
  .map((spec) => spec.id);

it('publishes an image message on every API platform, skips YouTube, hands WhatsApp over, and threads the follow-up', async () => {
  const image = {
    url: `${stack.simulatorUrl}/_sim/media/sample.jpg`,
    altText: 'Die Carolabrücke im Abendlicht',
    mime: 'image/jpeg',
  };
  const original = await call('POST', '/messages', {
    text: 'Bombenfund an der Carolabrücke: Evakuierung läuft. #Dresden',
    link: 'https://www.dresden.de/bombenfund',
    media: [image],
  });
  expect(original.status).toBe(202);
  const first = await settled(original.json.id);
  const byPlatform = Object.fromEntries(first.map((delivery) => [delivery.platform, delivery]));
  for (const platform of apiPlatforms) expect(byPlatform[platform], platform).toMatchObject({ state: 'PUBLISHED' });
  expect(byPlatform.youtube).toMatchObject({ state: 'SKIPPED', reason: expect.stringMatching(/video/) });
  expect(byPlatform.whatsapp).toMatchObject({ state: 'HANDOFF' });

  const update = await call('POST', '/messages', {
    text: 'Update: Der Sperrkreis wurde auf 1.000 Meter erweitert.',
    replyTo: original.json.id,
    media: [image],
  });
  expect(update.status).toBe(202);
  const second = await settled(update.json.id);
  const posts = (await (await fetch(`${stack.simulatorUrl}/_sim/posts`)).json()) as {
    platform: string;
    id: string;
    text: string;
    replyTo?: string;
  }[];
  for (const platform of apiPlatforms) {
    const reply = second.find((delivery) => delivery.platform === platform);
    expect(reply, platform).toMatchObject({ state: 'PUBLISHED' });
    const post = posts.find(
      (candidate) => candidate.platform === platform && candidate.text.startsWith('Update: Der Sperrkreis'),
    );
    expect(post, platform).toBeDefined();
    if (PLATFORMS[platform].replies) {
      // threaded under the original post of the same channel
      const parent = byPlatform[platform]?.remoteId ?? '';
      expect(post?.replyTo, platform).toBeTruthy();
      expect(
        parent.includes(post!.replyTo!) || post!.replyTo!.includes(parent.split('|')[0]!),
        `${platform}: ${post?.replyTo} answers ${parent}`,
      ).toBe(true);
    } else {
      expect(post?.replyTo, platform).toBeUndefined();
    }
  }
});
