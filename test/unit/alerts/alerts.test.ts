import { describe, expect, it } from 'vitest';
import { gateDeliveries, stateAfterApproval } from '../../../shared/alerts/gate';
import { languageOptions, needsSecondPerson, OrgAlertPolicySchema } from '../../../shared/alerts/policy';
import { messageForLanguage } from '../../../shared/alerts/references';
import { headlineOf, originalReference, quoteOriginalOverrides } from '../../../shared/alerts/thread';
import { correctionTemplate } from '../../../shared/alerts/correct';
import type { Channel, Delivery, Message } from '../../../shared/model/schemas';

describe('alert policy', () => {
  const fireBrigade = OrgAlertPolicySchema.parse({
    singlePersonSeverities: ['Extreme'],
    languages: ['de-DE', 'en'],
    ninaArs: '146120000000',
  });
  const strict = OrgAlertPolicySchema.parse({});

  it('gives every field left out the strict default', () => {
    expect(strict).toEqual({ singlePersonSeverities: [], languages: ['de-DE'] });
  });

  it('lets one person send only the severities the policy names', () => {
    expect(needsSecondPerson(fireBrigade, 'Extreme')).toBe(false);
    expect(needsSecondPerson(fireBrigade, 'Severe')).toBe(true);
    expect(needsSecondPerson(strict, 'Extreme')).toBe(true);
  });

  it('turns the languages into the CAP mapping options', () => {
    expect(languageOptions(fireBrigade)).toEqual({ preferredLanguage: 'de-DE', secondLanguage: 'en' });
    expect(languageOptions(strict)).toEqual({ preferredLanguage: 'de-DE' });
  });

  it('refuses a policy it cannot read, naming the field', () => {
    expect(OrgAlertPolicySchema.safeParse({ singlePersonSeverities: ['Huge'] }).success).toBe(false);
    expect(() => OrgAlertPolicySchema.parse({ ninaArs: '1461' })).toThrow(/twelve digits/);
    expect(OrgAlertPolicySchema.safeParse({ ninaArs: '146120000000', unknown: 1 }).success).toBe(false);
  });
});

describe('the safety gate', () => {
  const planned = [
    { channelId: 'a', state: 'PENDING' as const },
    { channelId: 'b', state: 'HANDOFF' as const, reason: 'post by hand' },
    { channelId: 'c', state: 'SKIPPED' as const, reason: 'channel is frozen' },
  ] satisfies Pick<Delivery, 'channelId' | 'state' | 'reason'>[];

  it('skips every delivery of a dry run with its reason, including hand-offs', () => {
    const gated = gateDeliveries(planned, {
      dryRunReason: 'CAP status Exercise: never published',
      needsApproval: true,
    });
    expect(gated.map((delivery) => [delivery.state, delivery.reason])).toEqual([
      ['SKIPPED', 'CAP status Exercise: never published'],
      ['SKIPPED', 'CAP status Exercise: never published'],
      ['SKIPPED', 'channel is frozen'],
    ]);
  });

  it('holds a live message that needs a second person, and leaves skipped channels alone', () => {
    const gated = gateDeliveries(planned, { needsApproval: true });
    expect(gated.map((delivery) => delivery.state)).toEqual(['AWAITING_APPROVAL', 'AWAITING_APPROVAL', 'SKIPPED']);
    expect(gated[0]?.reason).toMatch(/second person/);
  });

  it('changes nothing for a message that may go at once', () => {
    expect(gateDeliveries(planned, { needsApproval: false })).toEqual(planned);
  });

  it('gives an approved delivery the state it would have had', () => {
    expect(stateAfterApproval('mastodon')).toEqual({ state: 'PENDING' });
    expect(stateAfterApproval('whatsapp')).toMatchObject({
      state: 'HANDOFF',
      reason: expect.stringMatching(/by hand/),
    });
    expect(stateAfterApproval('mastodon', 'SCHEDULED')).toEqual({ state: 'SCHEDULED' });
    expect(stateAfterApproval('mastodon', 'DISPATCHED')).toEqual({ state: 'PENDING' });
  });
});

describe('answers on platforms without replies', () => {
  const channel = (id: string, platform: Channel['platform']): Channel => ({
    id,
    org: 'fire-brigade',
    platform,
    handle: id,
    state: 'active',
    account: id,
    credentialsRef: `local:${id}`,
  });
  const original = {
    message: {
      id: 'M1',
      org: 'fire-brigade',
      kind: 'alert',
      priority: 'emergency',
      text: 'Bombenfund an der Carolabrücke: Evakuierung\n\nDetails …',
      link: 'https://www.dresden.de/bombenfund',
      media: [],
      createdBy: 'u',
      createdAt: '2025-01-08T08:30:00.000Z',
      channelIds: ['fb', 'li', 'ma'],
    } satisfies Message,
    deliveries: [
      { channelId: 'fb', state: 'PUBLISHED', remoteUrl: 'https://www.facebook.com/100_200' },
      { channelId: 'li', state: 'QUEUED' },
    ] as Delivery[],
  };

  it("names and links the original post where it was published, else the alert's link; reply platforms get no override", () => {
    const overrides = quoteOriginalOverrides(
      { text: 'Sperrkreis erweitert.', overrides: undefined },
      'update',
      original,
      [channel('fb', 'facebook'), channel('li', 'linkedin'), channel('ma', 'mastodon')],
    );
    expect(overrides?.facebook?.text).toBe(
      'Sperrkreis erweitert.\n\nAktualisierung zu „Bombenfund an der Carolabrücke: Evakuierung“: https://www.facebook.com/100_200',
    );
    expect(overrides?.linkedin?.text).toBe(
      'Sperrkreis erweitert.\n\nAktualisierung zu „Bombenfund an der Carolabrücke: Evakuierung“: https://www.dresden.de/bombenfund',
    );
    expect(overrides?.mastodon).toBeUndefined();
  });

  it('keeps an override the caller wrote, and speaks English for English messages', () => {
    const overrides = quoteOriginalOverrides(
      { text: 'All clear.', overrides: { facebook: { text: 'Eigener Text' } } },
      'all-clear',
      original,
      [channel('fb', 'facebook'), channel('li', 'linkedin')],
      'en-US',
    );
    expect(overrides?.facebook?.text).toBe('Eigener Text');
    expect(overrides?.linkedin?.text).toMatch(
      /^All clear\.\n\nAll-clear for "Bombenfund an der Carolabrücke: Evakuierung": https:/,
    );
  });

  it('shortens a long first line to a headline', () => {
    expect(headlineOf(`\n${'x'.repeat(200)}\nrest`)).toHaveLength(120);
    expect(originalReference('all-clear', 'H', undefined, true)).toBe('Entwarnung zu „H“');
  });
});

describe('the reference index', () => {
  it('answers in the same language, then the same primary language, then the primary message', () => {
    const item = { org: 'o', headline: 'h', kind: 'alert', messages: { 'de-DE': 'DE', 'en-US': 'EN' } };
    expect(messageForLanguage(item, 'en-US')).toBe('EN');
    expect(messageForLanguage(item, 'en')).toBe('EN');
    expect(messageForLanguage(item, 'fr')).toBe('DE');
  });
});

describe('the correction template', () => {
  it('names the wrong message by its headline and its German local time', () => {
    const text = correctionTemplate({
      text: 'Bombenfund an der Carolabrücke: Evakuierung\n\nAlles weitere …',
      createdAt: '2025-01-08T08:30:00.000Z',
    });
    expect(text).toMatch(
      /^Korrektur: Die Meldung „Bombenfund an der Carolabrücke: Evakuierung“ vom 08\.01\.2025 09:30 Uhr war fehlerhaft\./,
    );
  });
});
