import { describe, expect, it } from 'vitest';
import { previewChannel } from '../../../web/src/features/compose/previews';
import { planDelivery } from '../../../shared/messages/plan';
import type { ListedChannel } from '../../../web/src/lib/session';

const channel = (platform: ListedChannel['platform']): ListedChannel => ({
  id: `city-${platform}`,
  org: 'city',
  platform,
  handle: `@${platform}`,
  state: 'active',
  account: 'account',
});

const TEXT = 'Stadtfest am Samstag: Die Augustusbrücke ist von 10 bis 22 Uhr gesperrt.';

describe("the composer's previews and the card switch", () => {
  it('shows Instagram and Pinterest skipped for text without media, and their card once the switch is on', () => {
    for (const platform of ['instagram', 'pinterest'] as const) {
      const without = previewChannel({ text: TEXT, media: [], overrides: {} }, channel(platform));
      expect(without).toMatchObject({ state: 'SKIPPED', skip: { code: 'media', problem: { code: 'needs-media' } } });
      expect(without.card).toBeUndefined();

      const withCard = previewChannel({ text: TEXT, media: [], overrides: {}, card: true }, channel(platform));
      expect(withCard.state).toBe('QUEUED');
      expect(withCard.skip).toBeUndefined();
      expect(withCard.card).toMatchObject({ altText: expect.stringContaining('Augustusbrücke') });
    }
    expect(
      previewChannel({ text: TEXT, media: [], overrides: {}, card: true }, channel('instagram')).card,
    ).toMatchObject({ width: 1080, height: 1350, mime: 'image/jpeg' });
  });

  it('decides as the API does: the same card, text and state as planDelivery with card: true', () => {
    for (const platform of ['instagram', 'pinterest', 'youtube', 'mastodon'] as const) {
      const shown = previewChannel({ text: TEXT, media: [], overrides: {}, card: true }, channel(platform));
      const planned = planDelivery(
        { id: 'm', org: 'city', priority: 'normal', text: TEXT, media: [], card: true },
        { ...channel(platform), credentialsRef: 'x' },
      );
      expect({ state: shown.state, text: shown.text }).toEqual({
        state: planned.state === 'PENDING' ? 'QUEUED' : planned.state,
        text: planned.renderedText,
      });
      expect(shown.card?.altText).toBe(planned.card?.altText);
    }
  });

  it('leaves YouTube skipped, cards or not: it takes videos only', () => {
    const youtube = previewChannel({ text: TEXT, media: [], overrides: {}, card: true }, channel('youtube'));
    expect(youtube).toMatchObject({ state: 'SKIPPED', skip: { problem: { code: 'needs-video' } } });
  });
});
