/**
 * Herold's own reasons (stored with a delivery in English) recognised and said in the person's
 * language; anything else, above all a platform's own message, is shown as it came, marked English.
 */
import type { TFunction } from 'i18next';

const KNOWN: [RegExp, (t: TFunction, match: RegExpExecArray) => string][] = [
  [/has no publishing API/, (t) => t('board.reason.noApi')],
  [
    /lookups in a row could not tell|in a row stopped .* could not tell|offers no way to look the post up|refused the lookup that would tell/,
    (t) => t('board.reason.inDoubt'),
  ],
  [/refused the channel's credentials when Herold looked/, (t) => t('board.reason.lookupRefusedCredentials')],
  [
    /^the channel became (frozen|retired) while an earlier attempt/,
    (t, match) => t('board.reason.channelInDoubt', { state: t(`channelStates.${match[1] as 'frozen' | 'retired'}`) }),
  ],
  [
    /^channel (?:is|became) (frozen|retired)(?: before publishing)?(?::\s*(.*))?$/,
    (t, match) =>
      t('board.reason.channel', {
        state: t(`channelStates.${match[1] as 'frozen' | 'retired'}`),
        reason: match[2] ? `: ${match[2]}` : '',
      }),
  ],
  [/needs an image or a video/, (t) => t('preview.skip.media.needsMedia')],
  [/publishes videos only/, (t) => t('preview.skip.media.needsVideo')],
  [/waits for a second person/, (t) => t('board.reason.approval')],
  [/^crisis hold|^emergency of .* in progress/, (t) => t('board.reason.hold')],
  [/channel no longer exists/, (t) => t('board.reason.channelGone')],
];

export function explainReason(t: TFunction, reason: string): { text: string; translated: boolean } {
  for (const [pattern, say] of KNOWN) {
    const match = pattern.exec(reason);
    if (match) return { text: say(t, match), translated: true };
  }
  return { text: reason, translated: false };
}
