import { describe, expect, it } from 'vitest';
import type { Channel, Media } from '../../../shared/model/schemas';
import { mediaRuleViolation, planDelivery } from '../../../shared/messages/plan';
import { PLATFORMS, type PlatformId } from '../../../shared/platforms/registry';

const channel = (platform: PlatformId, state: Channel['state'] = 'active'): Channel => ({
  id: `city-${platform}`,
  org: 'city',
  platform,
  handle: `@${platform}`,
  state,
  account: 'acct',
  credentialsRef: `local:city-${platform}`,
});
const image: Media = { url: 'https://www.dresden.de/bild.jpg', altText: 'Die Carolabrücke', mime: 'image/jpeg' };
const video: Media = { url: 'https://www.dresden.de/film.mp4', altText: 'Rundgang', mime: 'video/mp4' };
const message = {
  id: 'M1',
  org: 'city',
  priority: 'normal' as const,
  text: 'Neue Kanäle: Threads und WhatsApp.',
  media: [] as Media[],
};

describe('planDelivery', () => {
  it('queues an active API channel with its rendered text', () => {
    const planned = planDelivery(message, channel('threads'));
    expect(planned.state).toBe('PENDING');
    expect(planned.renderedText).toBe(message.text);
  });

  it('skips frozen and retired channels with the reason', () => {
    const frozen = planDelivery(message, { ...channel('x', 'frozen'), stateReason: 'eingefroren seit 2024-02-02' });
    expect(frozen).toMatchObject({ state: 'SKIPPED', reason: 'channel is frozen: eingefroren seit 2024-02-02' });
    expect(planDelivery(message, channel('x', 'retired')).state).toBe('SKIPPED');
  });

  it('hands WhatsApp over to a person with the text ready to paste, never pretending to publish', () => {
    const planned = planDelivery(message, channel('whatsapp'));
    expect(planned.state).toBe('HANDOFF');
    expect(planned.renderedText).toBe(message.text);
    expect(planned.reason).toMatch(/no publishing API/);
  });

  it('skips Instagram and Pinterest without media and YouTube without a video', () => {
    expect(planDelivery(message, channel('instagram')).reason).toMatch(/needs an image or a video/);
    expect(planDelivery(message, channel('pinterest')).state).toBe('SKIPPED');
    expect(planDelivery({ ...message, media: [image] }, channel('youtube')).reason).toMatch(/videos only/);
    expect(planDelivery({ ...message, media: [video] }, channel('youtube')).state).toBe('PENDING');
    expect(planDelivery({ ...message, media: [image] }, channel('instagram')).state).toBe('PENDING');
  });

  it('uses the platform override', () => {
    const planned = planDelivery(
      { ...message, overrides: { threads: { text: 'Nur für Threads' } } },
      channel('threads'),
    );
    expect(planned.renderedText).toBe('Nur für Threads');
  });

  it('appends the link', () => {
    const planned = planDelivery({ ...message, link: 'https://www.dresden.de/pm' }, channel('mastodon'));
    expect(planned.renderedText).toBe(`${message.text}\n\nhttps://www.dresden.de/pm`);
  });
});

describe('mediaRuleViolation', () => {
  it('refuses a mime type the platform does not take', () => {
    expect(mediaRuleViolation(PLATFORMS.instagram, [{ ...image, mime: 'image/png' }])).toMatch(
      /does not accept image\/png/,
    );
  });
  it('refuses more items than the platform allows', () => {
    expect(mediaRuleViolation(PLATFORMS.pinterest, [image, image])).toMatch(/at most 1/);
  });
  it('accepts what the platform takes', () => {
    expect(mediaRuleViolation(PLATFORMS.mastodon, [image])).toBeUndefined();
  });
});
