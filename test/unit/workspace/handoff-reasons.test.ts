/**
 * Every reason Herold stores when it hands a delivery to a person is said in the workspace's
 * languages, not shown as untranslated English.
 */
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import de from '../../../web/src/locales/de.json';
import en from '../../../web/src/locales/en.json';
import { explainReason } from '../../../web/src/features/status-board/reasons';
import { HANDOFF_REASONS } from '../../../shared/publishing/handoff-reasons';
import { MAX_LOOKUPS_IN_DOUBT } from '../../../shared/publishing/publish';

const reasons = [
  HANDOFF_REASONS.unresolved('youtube', MAX_LOOKUPS_IN_DOUBT),
  HANDOFF_REASONS.stopped('x', 3),
  HANDOFF_REASONS.unverifiable('telegram'),
  HANDOFF_REASONS.lookupRefused('youtube'),
  HANDOFF_REASONS.lookupRefusedCredentials('linkedin'),
  HANDOFF_REASONS.channelChanged('x', 'frozen'),
  HANDOFF_REASONS.channelChanged('facebook', 'retired'),
];

describe.each([
  ['de', de],
  ['en', en],
] as const)('hand-off reasons in %s', (language, resources) => {
  it.each(reasons)('translates "%s"', async (reason) => {
    const i18n = i18next.createInstance();
    await i18n.init({ lng: language, resources: { [language]: { translation: resources } } });
    const explained = explainReason(i18n.t, reason);
    expect(explained.translated).toBe(true);
    expect(explained.text).not.toMatch(/^board\.reason\./);
  });

  it('names the channel state of a frozen channel in the language', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ lng: language, resources: { [language]: { translation: resources } } });
    expect(explainReason(i18n.t, HANDOFF_REASONS.channelChanged('x', 'frozen')).text).toContain(
      resources.channelStates.frozen,
    );
  });
});
