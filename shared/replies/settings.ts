/**
 * The organisation's rules for public replies, in its settings item (`ORG#<org>`/`CONFIG`, shared
 * with shared/scheduling/settings.ts and shared/directory/settings.ts; each module reads and writes
 * only its own attributes):
 * - `replyRetentionDays`: how long replies are kept, counted from the publication of the post they
 *   answer (default 14 days, at most 90); polling that post stops at the same time;
 * - `netiquette`: the rules a person may hide a reply under, one of them named with every hiding.
 * `GET /organisations/{org}/reply-settings` (any role), `PUT` (admin, audited).
 */
import * as z from 'zod';
import type { Principal } from '../model/schemas';
import type { Store } from '../store/client';
import { changeOrgConfig, ownOrganisation, readOrgConfig } from '../store/org-config';

export const DEFAULT_RETENTION_DAYS = 14;
export const MAX_RETENTION_DAYS = 90;

export const NetiquetteRuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes'),
  de: z.string().trim().min(1).max(200),
  en: z.string().trim().min(1).max(200),
});
export type NetiquetteRule = z.infer<typeof NetiquetteRuleSchema>;

/**
 * What many German authorities' social media netiquettes list as reasons to hide a comment: each
 * one names content the authority may not leave standing, or may not amplify, on its own page.
 */
export const DEFAULT_NETIQUETTE: NetiquetteRule[] = [
  { id: 'insult', de: 'Beleidigung, Bedrohung oder Herabwürdigung', en: 'Insult, threat or degrading content' },
  {
    id: 'discrimination',
    de: 'Diskriminierung, Hass oder Hetze gegen Menschen oder Gruppen',
    en: 'Discrimination, hatred or incitement against people or groups',
  },
  { id: 'unlawful', de: 'Strafbarer oder rechtswidriger Inhalt', en: 'Criminal or unlawful content' },
  {
    id: 'personal-data',
    de: 'Personenbezogene Daten Dritter (Adressen, Telefonnummern, Fotos)',
    en: "Other people's personal data (addresses, phone numbers, photos)",
  },
  {
    id: 'dangerous-falsehood',
    de: 'Falschinformation, die Menschen in einer Gefahrenlage gefährdet',
    en: 'False information that puts people at risk during an emergency',
  },
  { id: 'spam', de: 'Werbung, Spam oder Links zu Schadsoftware', en: 'Advertising, spam or links to malware' },
];

export const ReplySettingsSchema = z.strictObject({
  retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS),
  netiquette: z
    .array(NetiquetteRuleSchema)
    .min(1)
    .max(30)
    .refine((rules) => new Set(rules.map((rule) => rule.id)).size === rules.length, 'every rule needs its own id'),
});
export type ReplySettings = z.infer<typeof ReplySettingsSchema>;

const DEFAULTS: ReplySettings = { retentionDays: DEFAULT_RETENTION_DAYS, netiquette: DEFAULT_NETIQUETTE };

export async function readReplySettings(store: Store, org: string): Promise<ReplySettings> {
  const item = await readOrgConfig(store, org);
  const parsed = ReplySettingsSchema.safeParse({
    retentionDays: item?.replyRetentionDays ?? DEFAULTS.retentionDays,
    netiquette: item?.netiquette ?? DEFAULTS.netiquette,
  });
  return parsed.success ? parsed.data : DEFAULTS;
}

export async function getReplySettingsForPrincipal(store: Store, principal: Principal, org: string | undefined) {
  const own = ownOrganisation(principal, org);
  return { org: own, ...(await readReplySettings(store, own)) };
}

export async function putReplySettings(
  store: Store,
  principal: Principal,
  org: string | undefined,
  settings: ReplySettings,
  now = new Date(),
) {
  const own = ownOrganisation(principal, org);
  await changeOrgConfig(
    store,
    principal,
    own,
    {
      what: "changing the organisation's rules for replies",
      attributes: { replyRetentionDays: settings.retentionDays, netiquette: settings.netiquette },
      readBefore: () => readReplySettings(store, own),
      audit: { target: `organisation/${own}/replies`, after: settings },
    },
    now,
  );
  return { org: own, ...settings };
}
