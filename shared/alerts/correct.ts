/**
 * Every alert has its correction ready (`POST /messages/{id}/correct`): a message that answers the
 * alert in its thread, with the same priority and channels, and a German text that says the alert
 * was wrong. The lesson of Hawaii, January 2018: the correction took 38 minutes because nobody had
 * one prepared. The caller may send its own text; the correction passes the same gate as any
 * emergency message (a second person, unless the policy allows one).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Message, Principal } from '../model/schemas';
import { ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import { createMessage, type CreateMessageDeps } from '../intake/create-message';
import type { CreatedMessage } from '../messages/summaries';
import { newMessageId } from '../messages/ids';
import { getMessageWithDeliveries } from '../store/messages';
import { headlineOf } from './thread';

export const CorrectionSchema = z.strictObject({
  /** the correction's own wording; default: the template */
  text: z
    .string()
    .max(10_000)
    .refine((text) => text.trim().length > 0, 'must not be empty or whitespace only')
    .optional(),
});
export type Correction = z.infer<typeof CorrectionSchema>;

const berlinTime = (iso: string) =>
  new Intl.DateTimeFormat('de-DE', {
    timeZone: 'Europe/Berlin',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(Date.parse(iso))
    .replace(',', '');

/** The ready text: names the wrong message and its time, and tells people what to do now. */
export function correctionTemplate(message: Pick<Message, 'text' | 'createdAt'>): string {
  return `Korrektur: Die Meldung „${headlineOf(message.text)}“ vom ${berlinTime(message.createdAt)} Uhr war fehlerhaft. Bitte beachten Sie diese Meldung nicht. Wir bitten um Entschuldigung; sobald es neue Informationen gibt, melden wir uns hier.`;
}

export async function correctMessage(
  principal: Principal,
  messageId: string,
  input: Correction,
  deps: CreateMessageDeps,
): Promise<CreatedMessage & { text: string; replyTo: string }> {
  const found = await getMessageWithDeliveries(deps.store, messageId);
  if (!found || found.message.org !== principal.org) throw new ProblemError(404, `message "${messageId}" not found`);
  const original = found.message;
  const text = input.text ?? correctionTemplate(original);
  const now = (deps.now ?? (() => new Date()))();
  const id = deps.messageId ?? newMessageId(now.getTime());
  const created = await createMessage(
    principal,
    { text, media: [], priority: original.priority, replyTo: original.id, channels: original.channelIds },
    { ...deps, messageId: id },
    {
      kind: 'update',
      alert: {
        severity: original.severity ?? 'Unknown',
        ...(original.dryRun ? { dryRunReason: `a correction of a dry run: ${original.dryRun}` } : {}),
      },
    },
  );
  const { Put } = auditPut(
    deps.store,
    principal,
    {
      action: 'message.correct',
      target: `message/${original.id}`,
      after: { correction: id, sender: original.createdBy, correctedBy: principal.sub },
    },
    now,
  );
  await deps.store.doc.send(new PutCommand(Put));
  return { ...created, text, replyTo: original.id };
}
