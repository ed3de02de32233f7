/**
 * The audit trail: who did what to which message or channel, and when, with the state before and
 * after. Items are only ever put (never updated or deleted by Herold) and are written in the same
 * transaction as the change they describe, so there is no change without its audit record.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { Principal } from '../model/schemas';
import { queryAll, withoutKeys, type Store } from '../store/client';

export const AuditActionSchema = z.enum([
  'message.create',
  'message.approve',
  /** the second person refused an emergency message: nothing of it is published */
  'message.reject',
  'message.cancel',
  'message.update',
  'message.release',
  'message.correct',
  'delivery.confirm',
  /** one FAILED delivery tried again from scratch */
  'delivery.retry',
  'channel.update',
  'channel.create',
  /** an account connected (or a connection attempt that failed, with the platform's reason) */
  'channel.connect',
  'organisation.settings',
  /** an organisation and its emergency policy, created by the operator's seed or replaced by its administrator */
  'organisation.create',
  'organisation.update',
  'followers.record',
  'organisation.hold',
  'queue.redrive',
  /** a CAP document that was refused; the document itself is kept (gzipped) when it was well-formed XML */
  'alert.reject',
  'alert-template.seed',
  'alert-template.create',
  'alert-template.update',
  'alert-template.delete',
  /** an answer to a citizen's reply, published threaded under it */
  'reply.answered',
  /** a reply hidden on its platform by a person, with the netiquette rule it broke */
  'reply.hidden',
  'reply.unhidden',
]);

export const AuditEntrySchema = z.object({
  id: z.string(),
  org: z.string(),
  at: z.iso.datetime(),
  actor: z.string(),
  /** the person's name or e-mail from the token, when it carried one */
  actorName: z.string().optional(),
  action: AuditActionSchema,
  target: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export interface AuditInput {
  action: z.infer<typeof AuditActionSchema>;
  target: string;
  before?: unknown;
  after?: unknown;
}

/** A Put for a TransactWriteItems call: the audit record of the change in the same transaction. */
export function auditPut(
  store: Store,
  principal: Pick<Principal, 'org' | 'sub' | 'name'>,
  input: AuditInput,
  now: Date,
) {
  const at = now.toISOString();
  const id = randomUUID();
  const entry: AuditEntry = {
    id,
    org: principal.org,
    at,
    actor: principal.sub,
    ...(principal.name ? { actorName: principal.name } : {}),
    ...input,
  };
  return {
    Put: {
      TableName: store.table,
      Item: { PK: `AUDIT#${principal.org}#${at.slice(0, 10)}`, SK: `${at}#${id}`, ...entry },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** Every day of the range is one partition: Query each, newest first; `person` keeps the entries of one person. */
export async function queryAudit(
  store: Store,
  org: string,
  from: string,
  to: string,
  person?: string,
): Promise<AuditEntry[]> {
  const days: string[] = [];
  for (
    let day = new Date(`${to}T00:00:00Z`);
    day >= new Date(`${from}T00:00:00Z`);
    day = new Date(day.getTime() - 86_400_000)
  ) {
    days.push(day.toISOString().slice(0, 10));
  }
  const pages = await Promise.all(
    days.map(async (day) => {
      const items = await queryAll(store.doc, {
        TableName: store.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#${org}#${day}` },
        ScanIndexForward: false,
      });
      return items.map((item) => AuditEntrySchema.parse(withoutKeys(item)));
    }),
  );
  const entries = pages.flat();
  return person ? entries.filter((entry) => isPerson(entry, person)) : entries;
}

/** The person filter matches the subject exactly, or the name or e-mail without regard to case or a part of it. */
const isPerson = (entry: AuditEntry, person: string): boolean =>
  entry.actor === person || (entry.actorName?.toLowerCase().includes(person.toLowerCase()) ?? false);

export const AuditQuerySchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    /** a subject, or (part of) a name or e-mail */
    person: z.string().trim().min(1).max(200).optional(),
  })
  .refine((range) => range.from <= range.to, { message: '"from" must not be after "to"', path: ['from'] })
  .refine((range) => Date.parse(range.to) - Date.parse(range.from) <= 92 * 86_400_000, {
    message: 'the range is at most 92 days',
    path: ['to'],
  });
