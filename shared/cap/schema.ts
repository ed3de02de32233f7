/**
 * CAP 1.2 (OASIS Common Alerting Protocol, 1 July 2010) as zod schemas.
 *
 * The input is the plain shape parse.ts builds from the XML (every element as a string, repeated
 * elements as arrays) and nina.ts builds from the NINA JSON; the output is the validated alert with
 * `references`, `addresses`, `incidents`, polygons and circles parsed. Element order, which the
 * CAP XSD fixes, is not checked: it carries no meaning and real feeds get it wrong.
 */
import * as z from 'zod';

import {
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_MSG_TYPES,
  CAP_RESPONSE_TYPES,
  CAP_SCOPES,
  CAP_SEVERITIES,
  CAP_STATUSES,
  CAP_URGENCIES,
} from './vocabulary';

export * from './vocabulary';

/** CAP dateTime: the XSD pattern, an explicit offset and no "Z" (spec §3.3.2), and a real calendar date. */
const CAP_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[-+]\d{2}:\d{2}$/;

export const CapDateTimeSchema = z
  .string()
  .trim()
  .regex(
    CAP_DATE_TIME,
    'must be a date and time with a numeric offset, e.g. 2025-01-08T09:30:00+01:00 ("Z" is not allowed)',
  )
  .refine((value) => !Number.isNaN(Date.parse(value)), 'is not a real date and time');

/** identifier and sender: no spaces, commas or the restricted characters < and & (spec §3.2.1). */
const CapTokenSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .regex(/^[^\s,<&]+$/, 'must not contain spaces, commas, "<" or "&"');

const nonEmptyText = z.string().trim().min(1, 'must not be empty');

export const CapValuePairSchema = z.object({
  valueName: nonEmptyText,
  value: z.string().trim().default(''),
});
export type CapValuePair = z.infer<typeof CapValuePairSchema>;

/** Space-delimited list whose items may be double-quoted when they contain spaces (addresses, incidents). */
export function splitQuotedList(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)]
    .map((match) => (match[1] ?? match[2] ?? '').trim())
    .filter((item) => item.length > 0);
}

export const CapReferenceSchema = z.object({
  sender: z.string(),
  identifier: z.string(),
  sent: z.string(),
});
export type CapReference = z.infer<typeof CapReferenceSchema>;

/** `sender,identifier,sent` triples separated by whitespace (spec §3.2.1 references). */
const ReferencesSchema = z.string().transform((value, context) => {
  const references: CapReference[] = [];
  for (const triple of value.trim().split(/\s+/).filter(Boolean)) {
    const [sender, identifier, sent, ...rest] = triple.split(',');
    if (!sender || !identifier || !sent || rest.length > 0 || !CapDateTimeSchema.safeParse(sent).success) {
      context.addIssue({
        code: 'custom',
        message: `"${triple}" is not a sender,identifier,sent triple with a CAP date and time`,
      });
      continue;
    }
    references.push({ sender, identifier, sent });
  }
  return references;
});

const LATITUDE_LONGITUDE = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/;

export const CapPointSchema = z.object({ latitude: z.number(), longitude: z.number() });
export type CapPoint = z.infer<typeof CapPointSchema>;

function parsePoint(text: string): CapPoint | undefined {
  const match = LATITUDE_LONGITUDE.exec(text);
  if (!match) return undefined;
  const latitude = Number(match[1]);
  const longitude = Number(match[2]);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}

/** At least four "lat,lon" pairs, the first equal to the last (spec §3.2.4 polygon). */
const PolygonSchema = z.string().transform((value, context) => {
  const pairs = value.trim().split(/\s+/).filter(Boolean);
  const points = pairs.map(parsePoint);
  if (points.some((point) => point === undefined)) {
    context.addIssue({ code: 'custom', message: 'every point must be "latitude,longitude" in WGS 84 degrees' });
    return z.NEVER;
  }
  if (pairs.length < 4 || pairs[0] !== pairs[pairs.length - 1]) {
    context.addIssue({ code: 'custom', message: 'a polygon needs at least four points and must end where it starts' });
    return z.NEVER;
  }
  return points as CapPoint[];
});

/** "lat,lon radius" with the radius in kilometres (spec §3.2.4 circle). */
const CircleSchema = z.string().transform((value, context) => {
  const [center, radius, ...rest] = value.trim().split(/\s+/);
  const point = center ? parsePoint(center) : undefined;
  const radiusKm = Number(radius);
  if (!point || radius === undefined || !Number.isFinite(radiusKm) || radiusKm < 0 || rest.length > 0) {
    context.addIssue({ code: 'custom', message: 'a circle is "latitude,longitude radius-in-km"' });
    return z.NEVER;
  }
  return { center: point, radiusKm };
});

const DecimalSchema = z
  .string()
  .trim()
  .regex(/^-?\d+(?:\.\d+)?$/, 'must be a decimal number')
  .transform(Number);

export const CapAreaSchema = z
  .object({
    areaDesc: nonEmptyText,
    polygon: z.array(PolygonSchema).default([]),
    circle: z.array(CircleSchema).default([]),
    geocode: z.array(CapValuePairSchema).default([]),
    /** feet above mean sea level */
    altitude: DecimalSchema.optional(),
    ceiling: DecimalSchema.optional(),
  })
  .refine((area) => area.ceiling === undefined || area.altitude !== undefined, {
    message: 'ceiling needs an altitude',
    path: ['ceiling'],
  });
export type CapArea = z.infer<typeof CapAreaSchema>;

export const CapResourceSchema = z.object({
  resourceDesc: nonEmptyText,
  mimeType: nonEmptyText,
  size: z.string().trim().regex(/^\d+$/, 'must be a whole number of bytes').transform(Number).optional(),
  uri: z.string().trim().optional(),
  derefUri: z.string().optional(),
  digest: z.string().trim().optional(),
});
export type CapResource = z.infer<typeof CapResourceSchema>;

const absoluteUri = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value), 'must be a full absolute URI');

export const CapInfoSchema = z.object({
  language: z.string().trim().min(1).default('en-US'),
  category: z.array(z.enum(CAP_CATEGORIES)).min(1, 'at least one category is required'),
  event: nonEmptyText,
  responseType: z.array(z.enum(CAP_RESPONSE_TYPES)).default([]),
  urgency: z.enum(CAP_URGENCIES),
  severity: z.enum(CAP_SEVERITIES),
  certainty: z.enum(CAP_CERTAINTIES),
  audience: z.string().trim().optional(),
  eventCode: z.array(CapValuePairSchema).default([]),
  effective: CapDateTimeSchema.optional(),
  onset: CapDateTimeSchema.optional(),
  expires: CapDateTimeSchema.optional(),
  senderName: z.string().trim().optional(),
  headline: z.string().trim().optional(),
  description: z.string().trim().optional(),
  instruction: z.string().trim().optional(),
  web: absoluteUri.optional(),
  contact: z.string().trim().optional(),
  parameter: z.array(CapValuePairSchema).default([]),
  resource: z.array(CapResourceSchema).default([]),
  area: z.array(CapAreaSchema).default([]),
});
export type CapInfo = z.infer<typeof CapInfoSchema>;

export const CapAlertSchema = z
  .object({
    identifier: CapTokenSchema,
    sender: CapTokenSchema,
    sent: CapDateTimeSchema,
    status: z.enum(CAP_STATUSES),
    msgType: z.enum(CAP_MSG_TYPES),
    source: z.string().trim().optional(),
    scope: z.enum(CAP_SCOPES),
    restriction: z.string().trim().optional(),
    addresses: z.string().transform(splitQuotedList).optional(),
    code: z.array(z.string().trim()).default([]),
    note: z.string().trim().optional(),
    references: ReferencesSchema.default([]),
    incidents: z.string().transform(splitQuotedList).optional(),
    info: z.array(CapInfoSchema).default([]),
  })
  .superRefine((alert, context) => {
    if (alert.scope === 'Private' && !alert.addresses?.length) {
      context.addIssue({
        code: 'custom',
        message: 'addresses are required when scope is Private',
        path: ['addresses'],
      });
    }
  });
export type CapAlert = z.output<typeof CapAlertSchema>;
/** The plain shape before validation: what the XML reader and the NINA mapper produce. */
export type CapAlertInput = z.input<typeof CapAlertSchema>;

/** Field paths as CAP users read them: `info[0].area[1].areaDesc`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

export interface CapProblem {
  field: string;
  message: string;
}

/** Validate a candidate alert; problems name each field path and, for value sets, what came in and what is allowed. */
export function validateCapAlert(
  candidate: unknown,
): { ok: true; alert: CapAlert } | { ok: false; problems: CapProblem[] } {
  const result = CapAlertSchema.safeParse(candidate, { reportInput: true });
  if (result.success) return { ok: true, alert: result.data };
  return { ok: false, problems: result.error.issues.map(describeIssue) };
}

function describeIssue(issue: z.core.$ZodIssue): CapProblem {
  const field = formatFieldPath(issue.path);
  const element = String(issue.path.findLast((key) => typeof key === 'string') ?? 'alert');
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return { field, message: `required element <${element}> is missing or empty` };
  }
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map(String).join(', ');
    return { field, message: `${JSON.stringify(issue.input)} is not a CAP 1.2 ${element} value (allowed: ${allowed})` };
  }
  return { field, message: issue.message };
}
