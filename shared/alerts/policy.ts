/**
 * Each organisation's emergency policy, from the environment (`HEROLD_ALERT_POLICY`, JSON keyed by
 * organisation). Read on every call, not at module load: an operator's change takes effect with the
 * next request, and the local stack can switch policies between demos.
 *
 *   { "fire-brigade": { "singlePersonSeverities": ["Extreme"], "languages": ["de-DE", "en"], "ninaArs": "146120000000" } }
 *
 * An organisation without an entry gets the strict default: every live emergency message needs a
 * second person, alerts are published in German only, no NINA feed.
 */
import * as z from 'zod';
import { CAP_SEVERITIES } from '../cap/vocabulary';

export const ALERT_POLICY_ENV = 'HEROLD_ALERT_POLICY';

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

export const AlertPolicySchema = z.record(z.string(), OrgAlertPolicySchema);
export type AlertPolicy = z.infer<typeof AlertPolicySchema>;

export function alertPolicy(env: NodeJS.ProcessEnv = process.env): AlertPolicy {
  const raw = env[ALERT_POLICY_ENV];
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`${ALERT_POLICY_ENV} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const result = AlertPolicySchema.safeParse(parsed);
  if (!result.success) throw new Error(`${ALERT_POLICY_ENV} is not a valid policy: ${z.prettifyError(result.error)}`);
  return result.data;
}

export function orgAlertPolicy(org: string, env: NodeJS.ProcessEnv = process.env): OrgAlertPolicy {
  return alertPolicy(env)[org] ?? OrgAlertPolicySchema.parse({});
}

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
