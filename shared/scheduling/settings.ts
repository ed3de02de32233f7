/**
 * Organisation settings that scheduling needs, in one item per organisation (`ORG#<org>`/`CONFIG`):
 * - `timeZone`: the zone scheduled times are shown in (default Europe/Berlin);
 * - `holdsWith`: organisations whose crisis hold also holds this one's routine messages. The fire
 *   brigade's hold leaves the city alone unless the city's item says `holdsWith: ["fire-brigade"]`.
 * Other settings may share the item: this module reads and writes only its own attributes.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { OrgIdSchema } from '../model/schemas';
import type { Store } from '../store/client';
import { schedulingKeys } from '../store/keys';
import { readOrgConfig } from '../store/org-config';
import { isTimeZone } from './time';

export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export const OrgSchedulingSettingsSchema = z.object({
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone').default(DEFAULT_TIME_ZONE),
  holdsWith: z.array(OrgIdSchema).max(20).default([]),
});
export type OrgSchedulingSettings = z.infer<typeof OrgSchedulingSettingsSchema>;

export async function getOrgSchedulingSettings(store: Store, org: string): Promise<OrgSchedulingSettings> {
  const item = await readOrgConfig(store, org);
  return OrgSchedulingSettingsSchema.parse({ timeZone: item?.timeZone, holdsWith: item?.holdsWith });
}

export async function putOrgSchedulingSettings(
  store: Store,
  org: string,
  settings: z.input<typeof OrgSchedulingSettingsSchema>,
): Promise<void> {
  const valid = OrgSchedulingSettingsSchema.parse(settings);
  await store.doc.send(
    new UpdateCommand({
      TableName: store.table,
      Key: schedulingKeys.orgConfig(org),
      UpdateExpression: 'SET #org = :org, #timeZone = :zone, #holdsWith = :holdsWith',
      ExpressionAttributeNames: { '#org': 'org', '#timeZone': 'timeZone', '#holdsWith': 'holdsWith' },
      ExpressionAttributeValues: {
        ':org': org,
        ':zone': valid.timeZone,
        ':holdsWith': valid.holdsWith.filter((other) => other !== org),
      },
    }),
  );
}
