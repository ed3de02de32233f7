/** What a person is composing, kept in the browser per person (lib/drafts.ts) on every change. */
import { useEffect, useState } from 'react';
import type { Media } from '@shared/model/schemas';
import type { PlatformId } from '@shared/platforms/registry';
import { deleteDraft, loadDraft, saveDraft } from '@/lib/drafts';

export interface Draft {
  text: string;
  link: string;
  media: Media[];
  /** chosen channel ids; undefined: the organisation's active channels */
  channels?: string[];
  overrides: Partial<Record<PlatformId, string>>;
  when: 'now' | 'later';
  /** the local date-time of a scheduled message, as the field shows it (YYYY-MM-DDTHH:mm) */
  scheduledLocal: string;
  /** for a local time that occurs twice (autumn): which of the two */
  repeatedTime?: 'first' | 'second';
  /** Instagram and Pinterest get a generated alert card instead of skipping a text without media */
  card?: boolean;
  /** the key of a send that may not have arrived: a retry reuses it, so the message is never created twice */
  idempotencyKey?: string;
}

export const EMPTY_DRAFT: Draft = { text: '', link: '', media: [], overrides: {}, when: 'now', scheduledLocal: '' };
const NAME = 'compose';

export function useDraft(sub: string) {
  const [draft, setDraft] = useState<Draft>(() => ({ ...EMPTY_DRAFT, ...loadDraft<Draft>(sub, NAME) }));
  useEffect(() => saveDraft(sub, NAME, draft), [sub, draft]);
  const reset = () => {
    deleteDraft(sub, NAME);
    setDraft(EMPTY_DRAFT);
  };
  return [draft, setDraft, reset] as const;
}
