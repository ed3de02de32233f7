/**
 * The NINA warning feed of the Federal Office of Civil Protection (BBK), api31 as described by the
 * bundesAPI/nina-api OpenAPI document: `GET /dashboard/{ARS}.json` lists a district's current
 * warnings with a hash per version; `GET /warnings/{id}.json` is the CAP-like detail.
 */
import * as z from 'zod';
import { PlatformError } from '../platforms/client';
import { classByStatus, httpRequest, safeDetail } from '../platforms/http';
import { type CapAlertInput, type CapProblem, type CapAlert, validateCapAlert } from './schema';

export const NINA_DEFAULT_BASE_URL = 'https://warnung.bund.de/api31';
export const NINA_BASE_URL_ENV = 'HEROLD_NINA_BASE_URL';
export const DRESDEN_ARS = '146120000000';

export function ninaBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env[NINA_BASE_URL_ENV] || NINA_DEFAULT_BASE_URL;
}

const KeyValueArraySchema = z.array(z.looseObject({ valueName: z.string(), value: z.string() }));

export const NinaDashboardItemSchema = z.looseObject({
  id: z.string().min(1),
  payload: z.looseObject({
    version: z.number().int(),
    /** "ALERT" */
    type: z.string(),
    id: z.string(),
    hash: z.string().min(1),
    data: z.looseObject({
      headline: z.string(),
      /** MOWAS, KATWARN, BIWAPP, DWD, LHP, POLICE */
      provider: z.string(),
      severity: z.string(),
      urgency: z.string().optional(),
      msgType: z.string(),
      transKeys: z.looseObject({ event: z.string().optional() }).optional(),
      area: z.looseObject({ type: z.string(), data: z.string() }).optional(),
    }),
  }),
  i18nTitle: z.record(z.string(), z.string()).optional(),
  sent: z.string(),
  onset: z.string().optional(),
  effective: z.string().optional(),
  expires: z.string().optional(),
});
export type NinaDashboardItem = z.infer<typeof NinaDashboardItemSchema>;

export const NinaDashboardSchema = z.array(NinaDashboardItemSchema);
export type NinaDashboard = z.infer<typeof NinaDashboardSchema>;

const NinaAreaSchema = z.looseObject({
  areaDesc: z.string().optional(),
  geocode: KeyValueArraySchema.optional(),
  polygon: z.unknown().optional(),
});

const NinaInfoSchema = z.looseObject({
  language: z.string().optional(),
  category: z.union([z.array(z.string()), z.string()]).optional(),
  event: z.string().optional(),
  responseType: z.union([z.array(z.string()), z.string()]).optional(),
  urgency: z.string().optional(),
  severity: z.string().optional(),
  certainty: z.string().optional(),
  audience: z.string().optional(),
  eventCode: KeyValueArraySchema.optional(),
  effective: z.string().optional(),
  onset: z.string().optional(),
  expires: z.string().optional(),
  senderName: z.string().optional(),
  headline: z.string().optional(),
  description: z.string().optional(),
  instruction: z.string().optional(),
  web: z.string().optional(),
  contact: z.string().optional(),
  parameter: KeyValueArraySchema.optional(),
  area: z.array(NinaAreaSchema).optional(),
});

export const NinaWarningSchema = z.looseObject({
  identifier: z.string().optional(),
  sender: z.string().optional(),
  sent: z.string().optional(),
  status: z.string().optional(),
  msgType: z.string().optional(),
  scope: z.string().optional(),
  source: z.string().optional(),
  restriction: z.string().optional(),
  addresses: z.string().optional(),
  code: z.array(z.string()).optional(),
  note: z.string().optional(),
  references: z.union([z.string(), z.array(z.string())]).optional(),
  incidents: z.string().optional(),
  info: z.array(NinaInfoSchema).optional(),
});
export type NinaWarning = z.infer<typeof NinaWarningSchema>;

export interface NinaRequestOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** NINA publishes warnings per district: the last seven digits of the ARS must be zeros. */
export function districtArs(ars: string): string {
  if (!/^\d{12}$/.test(ars)) throw new Error(`"${ars}" is not a twelve-digit Amtlicher Regionalschlüssel`);
  return `${ars.slice(0, 5)}0000000`;
}

export async function fetchDashboard(
  baseUrl: string,
  ars: string,
  options: NinaRequestOptions = {},
): Promise<NinaDashboard> {
  const body = await getJson(`${trimSlash(baseUrl)}/dashboard/${districtArs(ars)}.json`, options);
  return parseOrThrow(NinaDashboardSchema, body, 'dashboard');
}

export async function fetchWarning(
  baseUrl: string,
  id: string,
  options: NinaRequestOptions = {},
): Promise<NinaWarning> {
  const body = await getJson(`${trimSlash(baseUrl)}/warnings/${encodeURIComponent(id)}.json`, options);
  return parseOrThrow(NinaWarningSchema, body, `warning ${id}`);
}

function trimSlash(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

async function getJson(url: string, options: NinaRequestOptions): Promise<unknown> {
  const response = await httpRequest({ method: 'GET', url, fetch: options.fetch, timeoutMs: options.timeoutMs });
  if (response.status !== 200) {
    throw new PlatformError(
      classByStatus(response.status),
      `NINA answered ${response.status} for ${url}: ${safeDetail(response.body)}`,
      { code: response.status },
    );
  }
  return response.body;
}

function parseOrThrow<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new PlatformError('permanent', `NINA ${what} has an unexpected shape: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** A NINA warning version is identified by its id and hash: the key that makes ingesting it idempotent. */
export function ninaIdempotencyKey(item: Pick<NinaDashboardItem, 'id' | 'payload'>): string {
  return `nina:${item.id},${item.payload.hash}`;
}

// ---------------------------------------------------------------------------------------------
// Change detection between two polls.

export interface NinaCancellation {
  id: string;
  /** `cancel`: the warning is now a Cancel; `gone`: it left the dashboard (expired or withdrawn) */
  reason: 'cancel' | 'gone';
  /** the dashboard entry, for a Cancel */
  item?: NinaDashboardItem;
}

export interface NinaChanges {
  new: NinaDashboardItem[];
  updated: NinaDashboardItem[];
  /**
   * A warning is usually reported twice: as `cancel` when NINA shows its all-clear, then as `gone`
   * when the all-clear leaves the dashboard; the second finds the alert already all-cleared.
   */
  cancelled: NinaCancellation[];
  /** id → hash of this poll: what the next call gets as `previous` */
  next: Map<string, string>;
}

/** Compare the dashboard with the id → hash map of the last poll. */
export function detectChanges(previous: ReadonlyMap<string, string>, dashboard: NinaDashboard): NinaChanges {
  const changes: NinaChanges = { new: [], updated: [], cancelled: [], next: new Map() };
  for (const item of dashboard) {
    // A dashboard lists the same warning once per affected municipality.
    if (changes.next.has(item.id)) continue;
    changes.next.set(item.id, item.payload.hash);
    const before = previous.get(item.id);
    if (before === item.payload.hash) continue;
    if (item.payload.data.msgType === 'Cancel') changes.cancelled.push({ id: item.id, reason: 'cancel', item });
    else if (before === undefined) changes.new.push(item);
    else changes.updated.push(item);
  }
  for (const id of previous.keys()) {
    if (!changes.next.has(id)) changes.cancelled.push({ id, reason: 'gone' });
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// The NINA detail as a CAP alert.

/**
 * Map a NINA warning detail to CAP 1.2 and validate it exactly like an XML alert.
 *
 * NINA's texts carry HTML line breaks, some providers put the instruction and the sender's name
 * into `parameter` (instructionText, sender_langname), web addresses sometimes lack a scheme, and
 * areas sometimes have a blank description; these are repaired. Area polygons are left out: the
 * legacy MoWaS JSON writes them as "longitude,latitude" and NINA serves the geometry as GeoJSON at
 * /warnings/{id}.geojson.
 */
export function ninaWarningToCap(json: unknown): { ok: true; alert: CapAlert } | { ok: false; problems: CapProblem[] } {
  const shape = NinaWarningSchema.safeParse(json);
  if (!shape.success) {
    return {
      ok: false,
      problems: shape.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })),
    };
  }
  const warning = shape.data;
  const candidate: CapAlertInput = {
    identifier: warning.identifier as string,
    sender: warning.sender as string,
    sent: toCapDateTime(warning.sent) as string,
    status: warning.status as CapAlertInput['status'],
    msgType: warning.msgType as CapAlertInput['msgType'],
    scope: warning.scope as CapAlertInput['scope'],
    source: warning.source,
    restriction: warning.restriction,
    addresses: warning.addresses,
    code: warning.code,
    note: warning.note,
    references: Array.isArray(warning.references) ? warning.references.join(' ') : warning.references,
    incidents: warning.incidents,
    info: warning.info?.map(toCapInfo),
  };
  return validateCapAlert(candidate);
}

type CapInfoInput = NonNullable<CapAlertInput['info']>[number];

function toCapInfo(info: z.infer<typeof NinaInfoSchema>): CapInfoInput {
  const parameter = info.parameter?.map(({ valueName, value }) => ({ valueName, value }));
  const parameterValue = (name: string) => parameter?.find((entry) => entry.valueName === name)?.value;
  return {
    language: info.language,
    category: asList(info.category) as CapInfoInput['category'],
    event: info.event as string,
    responseType: asList(info.responseType) as CapInfoInput['responseType'],
    urgency: info.urgency as CapInfoInput['urgency'],
    severity: info.severity as CapInfoInput['severity'],
    certainty: info.certainty as CapInfoInput['certainty'],
    audience: info.audience,
    eventCode: info.eventCode?.map(({ valueName, value }) => ({ valueName, value })),
    effective: toCapDateTime(info.effective),
    onset: toCapDateTime(info.onset),
    expires: toCapDateTime(info.expires),
    senderName: info.senderName || parameterValue('sender_langname'),
    headline: plainText(info.headline),
    description: plainText(info.description),
    instruction: plainText(info.instruction || parameterValue('instructionText')),
    web: absoluteWeb(info.web),
    contact: info.contact,
    parameter,
    area: info.area?.map((area) => {
      const geocode = area.geocode?.map(({ valueName, value }) => ({ valueName, value }));
      const description =
        area.areaDesc?.trim() || (geocode?.length ? `Gebiet ${geocode.map((code) => code.value).join(', ')}` : '');
      return { areaDesc: description, geocode };
    }),
  };
}

function asList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** NINA mostly sends CAP's own format; a "Z" or fractional seconds become the UTC offset form CAP requires. */
function toCapDateTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/[-+]\d{2}:\d{2}$/.test(value) && !value.includes('.')) return value;
  const instant = Date.parse(value);
  if (Number.isNaN(instant)) return value;
  return `${new Date(instant).toISOString().slice(0, 19)}+00:00`;
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** NINA texts are HTML fragments: <br/> becomes a line break, other tags go, common entities are decoded. */
function plainText(html: string | undefined): string | undefined {
  if (html === undefined) return undefined;
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|apos|nbsp);/g, (_match, name: string) => HTML_ENTITIES[name] ?? '')
    .replace(/&#(\d+);/g, (match, code: string) =>
      Number(code) > 0 && Number(code) <= 0x10ffff ? String.fromCodePoint(Number(code)) : match,
    )
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function absoluteWeb(web: string | undefined): string | undefined {
  const trimmed = web?.trim();
  if (!trimmed) return undefined;
  if (/^www\./i.test(trimmed)) return `https://${trimmed}`;
  return URL.canParse(trimmed) ? trimmed : undefined;
}
