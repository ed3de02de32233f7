/**
 * A validated CAP alert as Herold message drafts: one per language the organisation publishes,
 * with priority, kind, whether it may reach a public channel (and why not), and the keys that
 * find the earlier alert an Update or Cancel refers to.
 */
import * as z from 'zod';
import { MessageKindSchema, PrioritySchema, type Priority } from '../model/schemas';
import type { CapAlert, CapInfo, CapReference } from './schema';

export const CapMessageKindSchema = MessageKindSchema.extract(['alert', 'update', 'all-clear']);
export type CapMessageKind = z.infer<typeof CapMessageKindSchema>;

export const CapMessageDraftSchema = z.object({
  language: z.string(),
  text: z.string(),
  link: z.string().optional(),
  priority: PrioritySchema,
  kind: CapMessageKindSchema,
  /** false: record and render as a dry run, never publish */
  publishable: z.boolean(),
  unpublishableReason: z.string().optional(),
  /** referenceKey() of every alert this one refers to, oldest reference first */
  referencesKeys: z.array(z.string()),
  capIdentifier: z.string(),
  /** who issued the alert, to be named in the post */
  sourceName: z.string(),
  /** the info block's headline and instruction: what an alert card shows */
  headline: z.string().optional(),
  instruction: z.string().optional(),
});
export type CapMessageDraft = z.infer<typeof CapMessageDraftSchema>;

export interface CapToMessagesOptions {
  /** the language of the first draft (default de-DE); an info block in the same primary language counts */
  preferredLanguage?: string;
  /** add an English draft when the alert has English text and the organisation enables it */
  secondLanguage?: 'en';
  /** the headline of the alert a bare Cancel withdraws, when the caller found it through the references */
  originalHeadline?: string;
}

/**
 * The stable key of one alert: what an Update or Cancel names in its references. `sent` is compared
 * as an instant, so "+00:00" and "-00:00" spellings of the same time find the same alert. Sender and
 * identifier cannot contain commas (CAP §3.2.1), so the joined key is unambiguous.
 */
export function referenceKey(sender: string, identifier: string, sent: string): string {
  const instant = Date.parse(sent);
  return `${sender},${identifier},${Number.isNaN(instant) ? sent.trim() : new Date(instant).toISOString()}`;
}

/** CAP makes sender + identifier unique; the same alert delivered twice is the same request. */
export function capIdempotencyKey(alert: Pick<CapAlert, 'sender' | 'identifier'>): string {
  return `cap:${alert.sender},${alert.identifier}`;
}

const EMERGENCY_URGENCIES: readonly CapInfo['urgency'][] = ['Immediate', 'Expected'];
const EMERGENCY_SEVERITIES: readonly CapInfo['severity'][] = ['Extreme', 'Severe'];

/** The design's rule: urgent and serious alerts take the emergency lane. */
export function capPriority(info: Pick<CapInfo, 'urgency' | 'severity'>): Priority {
  return EMERGENCY_URGENCIES.includes(info.urgency) && EMERGENCY_SEVERITIES.includes(info.severity)
    ? 'emergency'
    : 'normal';
}

export function capMessageKind(alert: Pick<CapAlert, 'msgType' | 'info'>): CapMessageKind {
  if (alert.msgType === 'Cancel' || alert.info.some((info) => info.responseType.includes('AllClear')))
    return 'all-clear';
  if (alert.msgType === 'Alert') return 'alert';
  // Update, and the never-published Ack and Error, all answer an earlier alert.
  return 'update';
}

const STATUS_REASONS: Record<Exclude<CapAlert['status'], 'Actual'>, string> = {
  Exercise: 'CAP status Exercise: an exercise, recorded and rendered but never published',
  Test: 'CAP status Test: a technical test, recorded and rendered but never published',
  System: 'CAP status System: a message between alerting systems, never published',
  Draft: 'CAP status Draft: a draft, not an issued alert, never published',
};

/** Why an alert must not reach a public channel, or undefined when it may. */
export function capUnpublishableReason(alert: Pick<CapAlert, 'status' | 'msgType' | 'scope'>): string | undefined {
  if (alert.status !== 'Actual') return STATUS_REASONS[alert.status];
  if (alert.msgType === 'Ack') return 'CAP msgType Ack: an acknowledgement between alerting systems, never published';
  if (alert.msgType === 'Error') return 'CAP msgType Error: an error report between alerting systems, never published';
  if (alert.scope !== 'Public') return `CAP scope ${alert.scope}: meant for named recipients, not for public channels`;
  return undefined;
}

export function capToMessages(alert: CapAlert, options: CapToMessagesOptions = {}): CapMessageDraft[] {
  const preferredLanguage = options.preferredLanguage ?? 'de-DE';
  const reason = capUnpublishableReason(alert);
  const shared = {
    kind: capMessageKind(alert),
    referencesKeys: oldestFirst(alert.references).map((reference) =>
      referenceKey(reference.sender, reference.identifier, reference.sent),
    ),
    capIdentifier: alert.identifier,
  };

  if (alert.info.length === 0) {
    const languages = [
      preferredLanguage,
      ...(options.secondLanguage && !samePrimaryLanguage(options.secondLanguage, preferredLanguage)
        ? [options.secondLanguage]
        : []),
    ];
    return languages.map((language) => {
      const bare =
        alert.msgType === 'Cancel' ? bareCancelText(alert, language, options.originalHeadline) : (alert.note ?? '');
      const noTextReason = bare ? undefined : 'the alert has no info block, so there is no text to publish';
      const text = bare ? withDryRunMarker(alert.status, language, bare) : '';
      return draft({ ...shared, language, text, priority: 'normal', sourceName: alert.sender }, reason ?? noTextReason);
    });
  }

  const primary = findInfo(alert.info, preferredLanguage) ?? (alert.info[0] as CapInfo);
  const chosen = [primary];
  if (options.secondLanguage && !samePrimaryLanguage(primary.language, options.secondLanguage)) {
    const second = findInfo(alert.info, options.secondLanguage);
    if (second) chosen.push(second);
  }
  return chosen.map((info) => {
    const plain = infoText(info);
    const text = plain ? withDryRunMarker(alert.status, info.language, plain) : '';
    const link = httpLink(info.web);
    return draft(
      {
        ...shared,
        language: info.language,
        text,
        ...(link ? { link } : {}),
        priority: capPriority(info),
        sourceName: info.senderName || alert.sender,
        ...(info.headline ? { headline: info.headline } : {}),
        ...(info.instruction ? { instruction: info.instruction.trim() } : {}),
      },
      reason ?? (text ? undefined : 'the info block has no headline, description or instruction to publish'),
    );
  });
}

/**
 * The word that marks an exercise or a test in every rendering of it, in the message's language:
 * the text itself says ÜBUNG, so no preview, card or hand-off can be taken for a real warning.
 */
export function dryRunMarker(status: CapAlert['status'], language: string): string | undefined {
  const german = primarySubtag(language) === 'de';
  if (status === 'Exercise') return german ? 'ÜBUNG' : 'EXERCISE';
  if (status === 'Test') return 'TEST';
  return undefined;
}

function withDryRunMarker(status: CapAlert['status'], language: string, text: string): string {
  const marker = dryRunMarker(status, language);
  return marker ? `+++ ${marker} +++ ${text}` : text;
}

function draft(
  fields: Omit<CapMessageDraft, 'publishable' | 'unpublishableReason'>,
  reason: string | undefined,
): CapMessageDraft {
  return reason ? { ...fields, publishable: false, unpublishableReason: reason } : { ...fields, publishable: true };
}

/** Exact tag first (de-DE), then the same primary language (de, DE, de-AT). */
function findInfo(infos: CapInfo[], language: string): CapInfo | undefined {
  const wanted = language.toLowerCase();
  return (
    infos.find((info) => info.language.toLowerCase() === wanted) ??
    infos.find((info) => samePrimaryLanguage(info.language, language))
  );
}

function samePrimaryLanguage(a: string, b: string): boolean {
  return primarySubtag(a) === primarySubtag(b);
}

function primarySubtag(language: string): string {
  return language.split(/[-_]/)[0]?.toLowerCase() ?? '';
}

/** headline, description and instruction as paragraphs; the XML's indentation inside each is dropped. */
function infoText(info: CapInfo): string {
  return [info.headline, info.description, info.instruction]
    .map((part) =>
      (part ?? '')
        .split('\n')
        .map((line) => line.trim())
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim(),
    )
    .filter((part) => part.length > 0)
    .join('\n\n');
}

function httpLink(web: string | undefined): string | undefined {
  if (!web || !URL.canParse(web)) return undefined;
  const protocol = new URL(web).protocol;
  return protocol === 'https:' || protocol === 'http:' ? web : undefined;
}

function oldestFirst(references: CapReference[]): CapReference[] {
  return [...references].sort((a, b) => Date.parse(a.sent) - Date.parse(b.sent));
}

/** The wording of the NINA/MoWaS all-clear: "Dies ist die Entwarnung zur Warnung … Die Warnung ist aufgehoben." */
function bareCancelText(alert: CapAlert, language: string, originalHeadline: string | undefined): string {
  const original = oldestFirst(alert.references)[0];
  const name = originalHeadline?.trim() || original?.identifier || alert.identifier;
  const german = primarySubtag(language) === 'de';
  const sentAt = original ? formatSent(original.sent, german ? 'de-DE' : 'en-GB') : undefined;
  if (german) {
    return `Dies ist die Entwarnung zur Warnung "${name}"${sentAt ? ` vom ${sentAt} Uhr` : ''}. Die Warnung ist aufgehoben.`;
  }
  return `This is the all-clear for the warning "${name}"${sentAt ? ` of ${sentAt}` : ''}. The warning has been lifted.`;
}

function formatSent(sent: string, locale: string): string | undefined {
  const instant = Date.parse(sent);
  if (Number.isNaN(instant)) return undefined;
  // Dresden's alerts speak German local time, whatever offset the original was sent with.
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(instant)
    .replace(',', '');
}
