/**
 * An organisation's emergency policy: who may send which alerts alone, in which languages, from
 * which NINA region, under which CAP sender. It is part of the organisation's item in the table
 * (shared/organisations/organisations.ts), which an administrator edits through the API.
 *
 *   { "singlePersonSeverities": ["Extreme"], "languages": ["de-DE", "en"], "ninaArs": "146120000000" }
 *
 * Every field has the strict default: every live emergency message needs a second person, alerts
 * are published in German only, no NINA feed.
 */
import * as z from 'zod';
import { CAP_SEVERITIES } from '../cap/vocabulary';

export const SeveritySchema = z.enum(CAP_SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export const OrgAlertPolicySchema = z.strictObject({
  /** severities a single person with the `emergency` role may send without a second person's approval */
  singlePersonSeverities: z.array(SeveritySchema).default([]),
  /** the first language is the primary; a second (only `en` is supported) adds an English message */
  languages: z.array(z.string().min(2)).min(1).max(2).default(['de-DE']),
  /** Amtlicher Regionalschlüssel whose NINA warnings the feed poller turns into alerts */
  ninaArs: z
    .string()
    .regex(/^\d{12}$/, 'an ARS has twelve digits')
    .optional(),
  /** the CAP `sender` of alerts written in Herold's form (default `herold.<org>`): who the alert is from, set by the server */
  sender: z
    .string()
    .regex(/^[^\s,<&]+$/, 'a CAP sender has no spaces, commas, "<" or "&"')
    .optional(),
  /** the organisation's name as people know it: CAP senderName of form alerts, and the name on alert cards */
  senderName: z.string().trim().min(1).max(120).optional(),
});
export type OrgAlertPolicy = z.infer<typeof OrgAlertPolicySchema>;

/** Whether a live emergency message of this severity needs a second person. */
export function needsSecondPerson(policy: OrgAlertPolicy, severity: Severity): boolean {
  return !policy.singlePersonSeverities.includes(severity);
}

/** The CAP sender and display name of the organisation's own alerts. */
export function orgSender(org: string, policy: OrgAlertPolicy): { sender: string; senderName: string } {
  return { sender: policy.sender ?? `herold.${org}`, senderName: policy.senderName ?? org };
}

/** The options capToMessages takes from the policy's languages. */
export function languageOptions(policy: OrgAlertPolicy): { preferredLanguage: string; secondLanguage?: 'en' } {
  const [preferredLanguage = 'de-DE', second] = policy.languages;
  return { preferredLanguage, ...(second?.toLowerCase().startsWith('en') ? { secondLanguage: 'en' as const } : {}) };
}
