/** A Mastodon instance's own character limit, kept on the channel, is the renderer's (and so the previews'). */
import { describe, expect, it } from 'vitest';
import { channelSpec, planDelivery } from '../../../shared/messages/plan';
import type { Channel } from '../../../shared/model/schemas';

const mastodon = (textLimit?: number): Channel => ({
  id: 'city-mastodon',
  org: 'city',
  platform: 'mastodon',
  handle: '@stadt@social.example',
  state: 'active',
  account: 'https://social.example/@stadt',
  credentialsRef: 'local:city-mastodon',
  ...(textLimit ? { textLimit } : {}),
});

const text = `${'Wort '.repeat(140)}Ende.`;
const plan = (channel: Channel) =>
  planDelivery({ id: 'm1', org: 'city', priority: 'normal', text, media: [] }, channel);

describe('the instance’s character limit', () => {
  it('replaces the registry’s 500 for the channel that has one', () => {
    expect(channelSpec(mastodon()).text.limit).toBe(500);
    expect(channelSpec(mastodon(1000)).text.limit).toBe(1000);
    expect(plan(mastodon(1000)).renderedText).toBe(text);
    const shortened = plan(mastodon()).renderedText;
    expect(shortened.length).toBeLessThanOrEqual(500);
    expect(shortened.endsWith(' …')).toBe(true);
  });
});
