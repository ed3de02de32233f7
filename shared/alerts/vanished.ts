/**
 * Warnings that vanished from the NINA feed without a Cancel. NINA drops a warning when it expires
 * or when its issuer withdraws it silently; the people who read Herold's alert were never told it
 * is over. The feed poller records each such warning (one item per warning in the organisation's
 * partition, `ORG#<org>` / `VANISHED#<referenceKey>`), `GET /alerts/vanished` lists them, and a
 * person decides: the prefilled all-clear (`GET /messages/{id}/alert-form?kind=all-clear`) is
 * threaded under the original. Herold never publishes an all-clear on its own: a warning can
 * vanish because the feed is faulty, and a false all-clear is worse than none.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CapReferenceSchema } from '../cap/schema';
import { isConditionFailure, queryAll, withoutKeys, type Store } from '../store/client';
import { schedulingKeys } from '../store/keys';

const PREFIX = 'VANISHED#';
const vanishedKey = (org: string, referenceKey: string) => ({
  PK: schedulingKeys.orgPartition(org),
  SK: `${PREFIX}${referenceKey}`,
});

export const VanishedWarningSchema = z.object({
  org: z.string(),
  /** NINA's id of the warning */
  warningId: z.string(),
  /** the alert Herold published for it, as CAP names it */
  reference: CapReferenceSchema,
  referenceKey: z.string(),
  headline: z.string(),
  /** language → message id of Herold's alert */
  messages: z.record(z.string(), z.string()),
  /** the primary language's message: the one an all-clear answers */
  messageId: z.string(),
  vanishedAt: z.iso.datetime(),
  /** set once a person published the all-clear for it */
  allClear: z.object({ messageId: z.string(), at: z.iso.datetime() }).optional(),
});
export type VanishedWarning = z.infer<typeof VanishedWarningSchema>;

/** Records a vanished warning once; a second record of the same warning changes nothing. */
export async function recordVanishedWarning(store: Store, warning: VanishedWarning): Promise<boolean> {
  try {
    await store.doc.send(
      new PutCommand({
        TableName: store.table,
        Item: { ...vanishedKey(warning.org, warning.referenceKey), ...warning },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** An all-clear that answers a vanished warning closes it in the list. */
export async function noteAllClearOfVanished(
  store: Store,
  org: string,
  answeredKeys: readonly string[],
  messageId: string,
  now = new Date(),
): Promise<void> {
  for (const key of answeredKeys) {
    try {
      await store.doc.send(
        new UpdateCommand({
          TableName: store.table,
          Key: vanishedKey(org, key),
          UpdateExpression: 'SET allClear = :allClear',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(allClear)',
          ExpressionAttributeValues: { ':allClear': { messageId, at: now.toISOString() } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

export async function getVanishedWarning(
  store: Store,
  org: string,
  referenceKey: string,
): Promise<VanishedWarning | undefined> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: vanishedKey(org, referenceKey), ConsistentRead: true }),
  );
  return Item ? VanishedWarningSchema.parse(withoutKeys(Item)) : undefined;
}

/** `GET /alerts/vanished`: newest first; `open` ones still wait for a person's all-clear. */
export async function listVanishedWarnings(store: Store, org: string) {
  const items = await queryAll(store.doc, {
    TableName: store.table,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': schedulingKeys.orgPartition(org), ':prefix': PREFIX },
  });
  return items
    .map((item) => VanishedWarningSchema.parse(withoutKeys(item)))
    .sort((a, b) => b.vanishedAt.localeCompare(a.vanishedAt))
    .map((warning) => ({
      ...warning,
      open: warning.allClear === undefined,
      /** the prefilled all-clear, threaded under Herold's alert for the warning */
      allClearForm: `/messages/${warning.messageId}/alert-form?kind=all-clear`,
    }));
}
