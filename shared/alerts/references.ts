/**
 * The CAP reference index: `CAPREF#<referenceKey>` → the messages an alert became, one per
 * language. An Update or Cancel names earlier alerts by `sender,identifier,sent`; this is how it
 * finds the posts to answer.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { withoutKeys, type Store } from '../store/client';
import { CAP_STATUSES, CapReferenceSchema } from '../cap/schema';

export const CapReferenceItemSchema = z.object({
  org: z.string(),
  /** language → message id */
  messages: z.record(z.string(), z.string()),
  /** the headline (or first line) of the primary language, to name the alert in a bare Cancel */
  headline: z.string(),
  kind: z.string(),
  /** the alert's own sender, identifier and sent: what an answer names in its references */
  reference: CapReferenceSchema.optional(),
  /** referenceKey() of the alerts it answered */
  references: z.array(z.string()).optional(),
  status: z.enum(CAP_STATUSES).optional(),
  /**
   * the alert's fields as the alert form has them: what a prefilled update or all-clear starts
   * from. Checked when a form is prefilled, not here: reading a reference must never fail on it.
   */
  form: z.record(z.string(), z.unknown()).optional(),
});
export type CapReferenceItem = z.infer<typeof CapReferenceItemSchema>;

const referenceItemKey = (key: string) => ({ PK: `CAPREF#${key}`, SK: 'CAPREF' });

export async function putCapReference(store: Store, key: string, item: CapReferenceItem): Promise<void> {
  await store.doc.send(new PutCommand({ TableName: store.table, Item: { ...referenceItemKey(key), ...item } }));
}

/** The alert behind a reference key, when it is this organisation's (another's answers like a missing one). */
export async function getCapReference(store: Store, org: string, key: string): Promise<CapReferenceItem | undefined> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: referenceItemKey(key), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const item = CapReferenceItemSchema.parse(withoutKeys(Item));
  return item.org === org ? item : undefined;
}

/** The message of the same language, else the primary (first) one. */
export function messageForLanguage(item: CapReferenceItem, language: string): string | undefined {
  const primary = (tag: string) => tag.split(/[-_]/)[0]?.toLowerCase();
  const entries = Object.entries(item.messages);
  return (entries.find(([tag]) => tag.toLowerCase() === language.toLowerCase()) ??
    entries.find(([tag]) => primary(tag) === primary(language)) ??
    entries[0])?.[1];
}
