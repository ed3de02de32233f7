/**
 * `GET /messages/{id}/alert-form?kind=update|all-clear`: the alert form, prefilled from a running
 * alert and threaded under it (its `references` name the alert), ready to edit and send with
 * `POST /alerts`. An update starts from the alert's own fields; an all-clear from the wording of
 * NINA's all-clears, in each language the organisation publishes. Nothing is written: the form
 * carries a fresh identifier, which the client keeps for every resend of this draft.
 */
import * as z from 'zod';
import { ProblemError } from '../api/problem';
import type { Principal } from '../model/schemas';
import { newMessageId } from '../messages/ids';
import { referenceKey } from '../cap/to-message';
import type { Store } from '../store/client';
import { getMessage } from '../store/messages';
import { AlertFormSchema, type AlertFormInput, type AlertText } from './form';
import { organisationAlertPolicy } from '../organisations/organisations';
import { getCapReference } from './references';

export const FollowUpQuerySchema = z.object({
  kind: z.enum(['update', 'all-clear'], { message: 'kind is update or all-clear' }),
});

const StoredFieldsSchema = AlertFormSchema.pick({
  category: true,
  severity: true,
  urgency: true,
  certainty: true,
  responseType: true,
  web: true,
  texts: true,
});

const primarySubtag = (tag: string) => tag.split(/[-_]/)[0]?.toLowerCase() ?? '';

const berlinTime = (iso: string, locale: string) =>
  new Intl.DateTimeFormat(locale, {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(Date.parse(iso))
    .replace(',', '');

function allClearText(language: string, original: AlertText, sent: string): AlertText {
  if (primarySubtag(language) === 'de')
    return {
      event: original.event,
      headline: `Entwarnung: ${original.headline}`.slice(0, 160),
      description: `Die Warnung „${original.headline}“ vom ${berlinTime(sent, 'de-DE')} Uhr ist aufgehoben.`,
      instruction: 'Es besteht keine Gefahr mehr.',
      ...(original.area ? { area: original.area } : {}),
    };
  return {
    event: original.event,
    headline: `All clear: ${original.headline}`.slice(0, 160),
    description: `The warning "${original.headline}" of ${berlinTime(sent, 'en-GB')} has been lifted.`,
    instruction: 'There is no longer any danger.',
    ...(original.area ? { area: original.area } : {}),
  };
}

export async function followUpForm(
  store: Store,
  principal: Principal,
  messageId: string,
  kind: z.infer<typeof FollowUpQuerySchema>['kind'],
) {
  const message = await getMessage(store, messageId);
  if (!message || message.org !== principal.org) throw new ProblemError(404, `message "${messageId}" not found`);
  if (!message.cap)
    throw new ProblemError(
      409,
      'this message did not come from an alert: answer it with POST /messages and replyTo instead',
    );
  const reference = { sender: message.cap.sender, identifier: message.cap.identifier, sent: message.cap.sent };
  const item = await getCapReference(
    store,
    principal.org,
    referenceKey(reference.sender, reference.identifier, reference.sent),
  );
  const policy = await organisationAlertPolicy(store, principal.org);
  const published = (tag: string) =>
    policy.languages.some((language) => primarySubtag(language) === primarySubtag(tag));
  const stored = StoredFieldsSchema.safeParse(item?.form ?? {});
  const headline = item?.headline ?? message.text.split('\n')[0] ?? '';
  const fields = stored.success
    ? stored.data
    : {
        category: ['Other' as const],
        severity: message.severity ?? ('Unknown' as const),
        urgency: 'Unknown' as const,
        certainty: 'Unknown' as const,
        responseType: [],
        texts: {
          [message.language ?? policy.languages[0] ?? 'de-DE']: {
            event: headline.slice(0, 120),
            headline: headline.slice(0, 160),
          },
        },
      };
  const texts = Object.fromEntries(
    Object.entries(fields.texts)
      .filter(([language]) => published(language))
      .map(([language, text]) => [
        language,
        kind === 'all-clear' ? allClearText(language, text, reference.sent) : text,
      ]),
  );
  const form: AlertFormInput = {
    identifier: `herold-${newMessageId()}`,
    status: message.cap.status === 'Exercise' || message.cap.status === 'Test' ? message.cap.status : 'Actual',
    msgType: kind === 'all-clear' ? 'Cancel' : 'Update',
    references: [reference],
    ...fields,
    ...(kind === 'all-clear'
      ? { severity: 'Minor', urgency: 'Past', certainty: 'Observed', responseType: ['AllClear'] }
      : {}),
    texts,
  };
  return { kind, answers: { messageId: message.id, headline, reference }, form };
}
