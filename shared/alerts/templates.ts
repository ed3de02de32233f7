/**
 * Alert templates per organisation: what fills the alert form for the emergencies that come back
 * ("Bombenfund – Evakuierung", "Unwetter", "Trinkwasser", "Entwarnung"). Each template is an item
 * of its own in the organisation's partition (`ORG#<org>` / `ALERTTEMPLATE#<id>`), so editing one
 * never rewrites the others. Any member lists them; an administrator creates, changes and deletes
 * them, each change audited in the same transaction.
 *
 * A template may be incomplete (a draft the administrator is still writing): the listing names
 * the fields the form still needs (`missing`), and an alert made from it is refused until they are
 * filled. Placeholders in square brackets ("[Ort]") must be replaced before the alert can be sent.
 *
 * The first listing of an organisation that never had templates writes the defaults below, with a
 * marker item, once: templates an administrator deleted stay deleted.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { requireRole } from '../api/auth';
import { parseOrProblem, ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import { CAP_CATEGORIES, CAP_CERTAINTIES, CAP_RESPONSE_TYPES, CAP_SEVERITIES, CAP_URGENCIES } from '../cap/schema';
import { IdSchema, type Principal } from '../model/schemas';
import { isConditionFailure, withoutKeys, type Store } from '../store/client';
import { schedulingKeys } from '../store/keys';
import { organisationAlertPolicy } from '../organisations/organisations';

const PREFIX = 'ALERTTEMPLATE#';
const templateKey = (org: string, id: string) => ({ PK: schedulingKeys.orgPartition(org), SK: `${PREFIX}${id}` });
const seededKey = (org: string) => ({ PK: schedulingKeys.orgPartition(org), SK: 'ALERTTEMPLATES' });

const optionalText = (max: number) => z.string().trim().max(max).optional();

/** A template's texts may be incomplete; the alert form checks what an alert needs. */
export const TemplateTextSchema = z.strictObject({
  event: optionalText(120),
  headline: optionalText(160),
  description: optionalText(4000),
  instruction: optionalText(2000),
  area: optionalText(500),
});

export const AlertTemplateBodySchema = z.strictObject({
  name: z.string().trim().min(1, 'a template needs a name').max(100),
  category: z.array(z.enum(CAP_CATEGORIES)).max(12).default([]),
  severity: z.enum(CAP_SEVERITIES).optional(),
  urgency: z.enum(CAP_URGENCIES).optional(),
  certainty: z.enum(CAP_CERTAINTIES).optional(),
  responseType: z.array(z.enum(CAP_RESPONSE_TYPES)).max(9).default([]),
  web: z.url({ protocol: /^https?$/ }).optional(),
  /** per language tag, as in the alert form */
  texts: z.record(
    z.string().regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'is not a language tag'),
    TemplateTextSchema,
  ),
});
export type AlertTemplateBody = z.output<typeof AlertTemplateBodySchema>;

export const AlertTemplateSchema = AlertTemplateBodySchema.extend({
  id: IdSchema,
  org: z.string(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});
export type AlertTemplate = z.infer<typeof AlertTemplateSchema>;

const primarySubtag = (tag: string) => tag.split(/[-_]/)[0]?.toLowerCase() ?? '';

/** The form fields this template leaves empty that every alert needs (identifier and status are chosen when sending). */
export function missingFields(template: AlertTemplateBody, languages: readonly string[]): string[] {
  const missing: string[] = [];
  if (template.category.length === 0) missing.push('category');
  for (const field of ['severity', 'urgency', 'certainty'] as const) if (!template[field]) missing.push(field);
  const [primary = 'de-DE'] = languages;
  const primaryTag = Object.keys(template.texts).find((tag) => primarySubtag(tag) === primarySubtag(primary));
  if (!primaryTag) missing.push(`texts.${primary}`);
  for (const [tag, text] of Object.entries(template.texts)) {
    if (!text.event) missing.push(`texts.${tag}.event`);
    if (!text.headline) missing.push(`texts.${tag}.headline`);
  }
  return missing;
}

const view = (template: AlertTemplate, languages: readonly string[]) => ({
  ...template,
  missing: missingFields(template, languages),
});

export async function listAlertTemplates(store: Store, principal: Principal, now = new Date()) {
  await seedDefaults(store, principal, now);
  const page = await store.doc.send(
    new QueryCommand({
      TableName: store.table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': schedulingKeys.orgPartition(principal.org), ':prefix': PREFIX },
      ConsistentRead: true,
    }),
  );
  const { languages } = await organisationAlertPolicy(store, principal.org);
  return {
    /** the languages the organisation publishes: the texts an alert form from a template carries */
    languages,
    items: (page.Items ?? [])
      .map((item) => AlertTemplateSchema.parse(withoutKeys(item)))
      .sort((a, b) => a.name.localeCompare(b.name, 'de'))
      .map((template) => view(template, languages)),
  };
}

export async function createAlertTemplate(store: Store, principal: Principal, body: unknown, now = new Date()) {
  requireRole(principal, 'admin', 'creating alert templates');
  const template: AlertTemplate = {
    ...parseOrProblem(AlertTemplateBodySchema, body, 'the template has invalid fields'),
    id: `tpl-${randomBytes(6).toString('hex')}`,
    org: principal.org,
    updatedAt: now.toISOString(),
    updatedBy: principal.sub,
  };
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: store.table,
            Item: { ...templateKey(principal.org, template.id), ...template },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        auditPut(
          store,
          principal,
          { action: 'alert-template.create', target: `alert-template/${template.id}`, after: template },
          now,
        ),
      ],
    }),
  );
  return view(template, (await organisationAlertPolicy(store, principal.org)).languages);
}

export async function updateAlertTemplate(
  store: Store,
  principal: Principal,
  rawId: string | undefined,
  body: unknown,
  now = new Date(),
) {
  requireRole(principal, 'admin', 'changing alert templates');
  const id = parseOrProblem(IdSchema, rawId, 'the template id is not valid');
  const before = await getTemplate(store, principal.org, id);
  const template: AlertTemplate = {
    ...parseOrProblem(AlertTemplateBodySchema, body, 'the template has invalid fields'),
    id,
    org: principal.org,
    updatedAt: now.toISOString(),
    updatedBy: principal.sub,
  };
  await writeChange(store, [
    {
      Put: {
        TableName: store.table,
        Item: { ...templateKey(principal.org, id), ...template },
        ConditionExpression: 'updatedAt = :seen',
        ExpressionAttributeValues: { ':seen': before.updatedAt },
      },
    },
    auditPut(
      store,
      principal,
      { action: 'alert-template.update', target: `alert-template/${id}`, before, after: template },
      now,
    ),
  ]);
  return view(template, (await organisationAlertPolicy(store, principal.org)).languages);
}

export async function deleteAlertTemplate(
  store: Store,
  principal: Principal,
  rawId: string | undefined,
  now = new Date(),
) {
  requireRole(principal, 'admin', 'deleting alert templates');
  const id = parseOrProblem(IdSchema, rawId, 'the template id is not valid');
  const before = await getTemplate(store, principal.org, id);
  await writeChange(store, [
    {
      Delete: {
        TableName: store.table,
        Key: templateKey(principal.org, id),
        ConditionExpression: 'updatedAt = :seen',
        ExpressionAttributeValues: { ':seen': before.updatedAt },
      },
    },
    auditPut(store, principal, { action: 'alert-template.delete', target: `alert-template/${id}`, before }, now),
  ]);
  return { id, deleted: true };
}

async function getTemplate(store: Store, org: string, id: string): Promise<AlertTemplate> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: templateKey(org, id), ConsistentRead: true }),
  );
  if (!Item) throw new ProblemError(404, `alert template "${id}" not found`);
  return AlertTemplateSchema.parse(withoutKeys(Item));
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

async function writeChange(store: Store, items: TransactItems): Promise<void> {
  try {
    await store.doc.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (isConditionFailure(error))
      throw new ProblemError(409, 'the template was changed or deleted meanwhile; read it again');
    throw error;
  }
}

/** The defaults, written once per organisation: the marker makes a second seed (or a race of two) a no-op. */
async function seedDefaults(store: Store, principal: Principal, now: Date): Promise<void> {
  const { Item } = await store.doc.send(new GetCommand({ TableName: store.table, Key: seededKey(principal.org) }));
  if (Item) return;
  const templates: AlertTemplate[] = DEFAULT_TEMPLATES.map(({ id, ...body }) => ({
    ...AlertTemplateBodySchema.parse(body),
    id,
    org: principal.org,
    updatedAt: now.toISOString(),
    updatedBy: 'herold',
  }));
  try {
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: store.table,
              Item: { ...seededKey(principal.org), seededAt: now.toISOString() },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...templates.map((template) => ({
            Put: { TableName: store.table, Item: { ...templateKey(principal.org, template.id), ...template } },
          })),
          auditPut(
            store,
            { org: principal.org, sub: 'herold' },
            {
              action: 'alert-template.seed',
              target: 'alert-template',
              after: { ids: templates.map((template) => template.id) },
            },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * The defaults every organisation starts with, in German and English. The words in square brackets
 * are placeholders: an alert is refused until each is replaced with the real place, time or street.
 */
export const DEFAULT_TEMPLATES: (z.input<typeof AlertTemplateBodySchema> & { id: string })[] = [
  {
    id: 'bombenfund-evakuierung',
    name: 'Bombenfund – Evakuierung',
    category: ['Safety'],
    severity: 'Extreme',
    urgency: 'Immediate',
    certainty: 'Observed',
    responseType: ['Evacuate'],
    texts: {
      'de-DE': {
        event: 'Kampfmittelfund',
        headline: 'Bombenfund [Ort]: Evakuierung',
        description:
          'Bei Bauarbeiten wurde eine Weltkriegsbombe gefunden. Der Kampfmittelbeseitigungsdienst bereitet die Entschärfung vor. Um den Fundort wird ein Sperrkreis von [Radius] Metern eingerichtet.',
        instruction:
          'Verlassen Sie den Sperrkreis bis [Uhrzeit] Uhr. Folgen Sie den Anweisungen der Einsatzkräfte. Eine Notunterkunft ist in [Notunterkunft] eingerichtet.',
        area: 'Sperrkreis [Radius] m um [Ort]',
      },
      en: {
        event: 'Unexploded ordnance',
        headline: 'Bomb found [Ort]: evacuation',
        description:
          'A World War II bomb was found during construction work. The bomb disposal service is preparing to defuse it. A cordon of [Radius] metres is being set up around the site.',
        instruction:
          'Leave the cordon by [Uhrzeit]. Follow the instructions of the emergency services. An emergency shelter is open at [Notunterkunft].',
        area: 'Cordon of [Radius] m around [Ort]',
      },
    },
  },
  {
    id: 'unwetter',
    name: 'Unwetter',
    category: ['Met'],
    severity: 'Severe',
    urgency: 'Expected',
    certainty: 'Likely',
    responseType: ['Prepare'],
    texts: {
      'de-DE': {
        event: 'Unwetter',
        headline: 'Unwetterwarnung: [Art des Unwetters] ab [Uhrzeit] Uhr',
        description:
          'Für Dresden werden ab [Uhrzeit] Uhr [Art des Unwetters] erwartet. Es besteht Gefahr durch umstürzende Bäume, herabfallende Gegenstände und überflutete Straßen.',
        instruction:
          'Bleiben Sie in Gebäuden und meiden Sie Parks und Wälder. Sichern Sie lose Gegenstände. Fahren Sie nicht durch überflutete Straßen.',
        area: 'Stadtgebiet Dresden',
      },
      en: {
        event: 'Severe weather',
        headline: 'Severe weather warning: [Art des Unwetters] from [Uhrzeit]',
        description:
          '[Art des Unwetters] is expected in Dresden from [Uhrzeit]. Falling trees, flying objects and flooded roads are a danger.',
        instruction:
          'Stay indoors and keep away from parks and woods. Secure loose objects. Do not drive through flooded roads.',
        area: 'City of Dresden',
      },
    },
  },
  {
    id: 'trinkwasser',
    name: 'Trinkwasser',
    category: ['Health'],
    severity: 'Severe',
    urgency: 'Immediate',
    certainty: 'Observed',
    responseType: ['Avoid'],
    texts: {
      'de-DE': {
        event: 'Trinkwasserverunreinigung',
        headline: 'Trinkwasser in [Stadtteil] abkochen',
        description:
          'Im Trinkwasser in [Stadtteil] wurden Keime nachgewiesen. Die Ursache wird gesucht; das Netz wird gespült.',
        instruction:
          'Kochen Sie Leitungswasser vor dem Trinken, Zähneputzen und Zubereiten von Speisen sprudelnd auf und lassen Sie es abkühlen. Die Ausgabe von Trinkwasser erfolgt an [Ausgabestelle].',
        area: '[Stadtteil]',
      },
      en: {
        event: 'Drinking water contamination',
        headline: 'Boil tap water in [Stadtteil]',
        description:
          'Bacteria were found in the drinking water in [Stadtteil]. The cause is being traced; the pipes are being flushed.',
        instruction:
          'Bring tap water to a rolling boil and let it cool before drinking it, brushing your teeth or preparing food. Drinking water is handed out at [Ausgabestelle].',
        area: '[Stadtteil]',
      },
    },
  },
  {
    id: 'entwarnung',
    name: 'Entwarnung',
    category: ['Safety'],
    severity: 'Minor',
    urgency: 'Past',
    certainty: 'Observed',
    responseType: ['AllClear'],
    texts: {
      'de-DE': {
        event: 'Entwarnung',
        headline: 'Entwarnung: [Ereignis]',
        description: 'Die Gefahr ist vorüber. Die Warnung vor [Ereignis] ist aufgehoben.',
        instruction:
          'Sie können Ihre gewohnten Tätigkeiten wieder aufnehmen. Folgen Sie weiter den Hinweisen der Behörden.',
      },
      en: {
        event: 'All clear',
        headline: 'All clear: [Ereignis]',
        description: 'The danger is over. The warning about [Ereignis] has been lifted.',
        instruction: 'You can resume your usual activities. Keep following the instructions of the authorities.',
      },
    },
  },
];
