/**
 * CAP alerts in: `POST /alerts` (CAP XML, or the alert form as JSON) and the NINA feed all end
 * here. A validated alert becomes one message per language the organisation publishes; an Update
 * or Cancel answers the messages of the alert it references. An Update whose original Herold never
 * carried is still news: it is published as an alert of its own, marked as an update. A Cancel of
 * an alert Herold never carried is acknowledged and recorded, and nothing is posted. Exercise,
 * Test, System and Draft alerts are recorded as dry runs; live emergency messages wait for a
 * second person unless the organisation's policy says otherwise (the gate in createMessage). The
 * alert's own key makes a repeated delivery answer as the first.
 */
import { gzipSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../model/schemas';
import { requireRole } from '../api/auth';
import { parseOrProblem, ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import { validateCapAlert, type CapAlert } from '../cap/schema';
import { capIdempotencyKey, capToMessages, referenceKey, type CapMessageDraft } from '../cap/to-message';
import type { StoredResponse } from '../intake/create-once';
import { createMessage, type CreateMessageDeps } from '../intake/create-message';
import type { CreatedMessage } from '../messages/summaries';
import { abandonIdempotent, beginIdempotent, completeIdempotent, requestHash } from '../messages/idempotency';
import { newMessageId } from '../messages/ids';
import { getMessageWithDeliveries } from '../store/messages';
import { previewMessage } from '../messages/preview';
import { AlertFormSchema, capToFormFields, formProblems, formToCapInput } from './form';
import { languageOptions, needsSecondPerson, orgSender, type OrgAlertPolicy, type Severity } from './policy';
import { organisationAlertPolicy } from '../organisations/organisations';
import { getCapReference, messageForLanguage, putCapReference, type CapReferenceItem } from './references';
import { headlineOf } from './thread';
import { noteAllClearOfVanished } from './vanished';

/** A rejected document is kept for audit up to this size (gzipped, base64): DynamoDB items end at 400 KB. */
const MAX_KEPT_DOCUMENT_BYTES = 300 * 1024;

export interface AlertRequestBody {
  body: string | undefined;
  isBase64Encoded: boolean;
  contentType: string | undefined;
}

/** The largest alert form taken, as for every JSON body of the API. */
const MAX_FORM_BYTES = 256 * 1024;

const isJson = (contentType: string | undefined) =>
  /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType ?? '');

/** `POST /alerts`: the alert form as JSON, or a CAP document; `dryRun` previews a form and writes nothing. */
export async function receiveAlert(
  principal: Principal,
  request: AlertRequestBody,
  deps: CreateMessageDeps,
  options: { dryRun?: boolean } = {},
): Promise<StoredResponse> {
  if (isJson(request.contentType)) return receiveAlertForm(principal, request, deps, options);
  if (options.dryRun)
    throw new ProblemError(415, 'a preview (dryRun=true) takes the alert form as JSON, not a CAP document');
  return receiveCapAlert(principal, request, deps);
}

/**
 * The alert form: validated as a form (field paths as the form names them), then turned into the
 * same CAP alert an XML document becomes and published by the same code.
 */
export async function receiveAlertForm(
  principal: Principal,
  request: AlertRequestBody,
  deps: CreateMessageDeps,
  options: { dryRun?: boolean } = {},
): Promise<StoredResponse> {
  requireRole(principal, 'emergency', 'sending alerts');
  const raw =
    request.body === undefined
      ? ''
      : request.isBase64Encoded
        ? Buffer.from(request.body, 'base64').toString('utf8')
        : request.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_FORM_BYTES)
    throw new ProblemError(413, `the alert form is larger than ${MAX_FORM_BYTES / 1024} KB`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    throw new ProblemError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
  const form = parseOrProblem(AlertFormSchema, body, 'the alert form has invalid fields');
  const policy = await organisationAlertPolicy(deps.store, principal.org);
  const problems = formProblems(form, policy);
  if (problems.length) throw new ProblemError(422, 'the alert form cannot be sent as it is', { errors: problems });
  const now = (deps.now ?? (() => new Date()))();
  const validated = validateCapAlert(
    formToCapInput(form, {
      ...orgSender(principal.org, policy),
      sent: now,
      primaryLanguage: policy.languages[0] ?? 'de-DE',
    }),
  );
  if (!validated.ok)
    throw new ProblemError(422, 'the alert form is not a valid CAP alert', { errors: validated.problems });
  if (options.dryRun)
    return {
      statusCode: 200,
      body: JSON.stringify(await previewAlert(principal, validated.alert, deps)),
      replayed: false,
    };
  // The form, not the alert, is what makes a resend the same request: the alert's `sent` is the time of each request.
  return publishAlert(
    principal,
    validated.alert,
    { idempotencyKey: capIdempotencyKey(validated.alert), requestBody: form },
    deps,
  );
}

/** What the alert would become, per language and channel, without writing anything. */
async function previewAlert(principal: Principal, alert: CapAlert, deps: CreateMessageDeps) {
  const policy = await organisationAlertPolicy(deps.store, principal.org);
  const answered = await findReferencedAlerts(deps, principal.org, alert);
  const drafts = alertDrafts(alert, policy, answered);
  const severity: Severity = alert.info[0]?.severity ?? 'Unknown';
  return {
    alert: alertSummary(alert),
    messages: await Promise.all(
      drafts.map(async ({ draft, text, replyTo, dryRunReason }) => ({
        language: draft.language,
        kind: draft.kind,
        priority: draft.priority,
        text,
        ...(replyTo ? { replyTo } : {}),
        ...(dryRunReason ? { dryRun: dryRunReason } : {}),
        /** it will wait for a second person (the same rule as when it is sent): what the confirmation says */
        approvalRequired: draft.priority === 'emergency' && !dryRunReason && needsSecondPerson(policy, severity),
        ...(await previewMessage(
          principal,
          { text, link: draft.link, media: [], priority: draft.priority, ...(replyTo ? { replyTo } : {}) },
          deps,
          {
            alert: {
              kind: draft.kind,
              language: draft.language,
              cap: {
                ...alertSummary(alert),
                ...(draft.headline ? { headline: draft.headline } : {}),
                ...(draft.instruction ? { instruction: draft.instruction } : {}),
              },
            },
            ...(dryRunReason ? { dryRunReason } : {}),
          },
        )),
      })),
    ),
  };
}

/** `POST /alerts` with a CAP document, as API Gateway (or the local server) hands it over. */
export async function receiveCapAlert(
  principal: Principal,
  request: AlertRequestBody,
  deps: CreateMessageDeps,
): Promise<StoredResponse> {
  requireRole(principal, 'emergency', 'sending CAP alerts');
  const xml =
    request.body === undefined
      ? ''
      : request.isBase64Encoded
        ? Buffer.from(request.body, 'base64').toString('utf8')
        : request.body;
  // The XML parser and the CAP schemas load with the first CAP document, not with the API's cold start.
  const { parseCapAlert } = await import('../cap/parse');
  const parsed = parseCapAlert(xml, { contentType: request.contentType ?? '' });
  if (!parsed.ok) {
    if (parsed.wellFormed) await keepRejectedDocument(deps, principal, xml, parsed.problems, parsed.status);
    const [first] = parsed.problems;
    const detail =
      parsed.problems.length === 1 && first
        ? `${first.field}: ${first.message}`
        : `the CAP alert has ${parsed.problems.length} problems`;
    throw new ProblemError(parsed.status, detail, { errors: parsed.problems });
  }
  return publishAlert(principal, parsed.alert, { idempotencyKey: capIdempotencyKey(parsed.alert) }, deps);
}

/** The document that was refused, gzipped into the audit trail: what came in is always on record. */
async function keepRejectedDocument(
  deps: CreateMessageDeps,
  principal: Principal,
  xml: string,
  problems: unknown,
  status: number,
): Promise<void> {
  const gzipped = gzipSync(Buffer.from(xml, 'utf8')).toString('base64');
  const document =
    gzipped.length <= MAX_KEPT_DOCUMENT_BYTES
      ? { encoding: 'gzip+base64', data: gzipped }
      : { omitted: `gzipped document is ${gzipped.length} bytes` };
  const now = (deps.now ?? (() => new Date()))();
  const { Put } = auditPut(
    deps.store,
    principal,
    {
      action: 'alert.reject',
      target: 'alert',
      after: { status, problems, bytes: Buffer.byteLength(xml, 'utf8'), document },
    },
    now,
  );
  await deps.store.doc.send(new PutCommand(Put));
}

export interface PublishAlertOptions {
  /** what makes a repeat the same request: the CAP identifier, or a NINA warning version */
  idempotencyKey: string;
  /** what a repeat must equal to be the same request (default: the alert) */
  requestBody?: unknown;
  /** named in each post, e.g. "NINA" for the official feed */
  source?: string;
}

export interface AlertMessageSummary extends CreatedMessage {
  language: string;
  kind: CapMessageDraft['kind'];
  priority: CapMessageDraft['priority'];
  replyTo?: string;
  dryRun?: string;
}

export interface AlertResponse {
  alert: Pick<CapAlert, 'identifier' | 'sender' | 'sent' | 'status' | 'msgType'>;
  messages: AlertMessageSummary[];
  /** a Cancel of alerts Herold never carried: recorded, nothing published */
  acknowledged?: string;
}

export async function publishAlert(
  principal: Principal,
  alert: CapAlert,
  options: PublishAlertOptions,
  deps: CreateMessageDeps,
): Promise<StoredResponse> {
  const start = await beginIdempotent(
    deps.store,
    principal.org,
    options.idempotencyKey,
    requestHash(options.requestBody ?? alert),
    newMessageId(),
  );
  if (start.kind === 'replay') return { statusCode: start.statusCode, body: start.body, replayed: true };
  if (start.kind === 'resume' && (await getMessageWithDeliveries(deps.store, start.messageId))) {
    // The earlier request wrote its messages and died before answering: point at them; the reconciler queues what is left.
    const body = JSON.stringify({ alert: alertSummary(alert), messages: [], resumed: start.messageId });
    await completeIdempotent(deps.store, principal.org, options.idempotencyKey, { statusCode: 202, body });
    return { statusCode: 202, body, replayed: true };
  }
  let response: AlertResponse;
  try {
    response = await createAlertMessages(principal, alert, start.messageId, options, deps);
  } catch (error) {
    if (error instanceof ProblemError) await abandonIdempotent(deps.store, principal.org, options.idempotencyKey);
    throw error;
  }
  const body = JSON.stringify(response);
  await completeIdempotent(deps.store, principal.org, options.idempotencyKey, { statusCode: 202, body });
  return { statusCode: 202, body, replayed: false };
}

const alertSummary = (alert: CapAlert): AlertResponse['alert'] => ({
  identifier: alert.identifier,
  sender: alert.sender,
  sent: alert.sent,
  status: alert.status,
  msgType: alert.msgType,
});

interface AlertDraft {
  draft: CapMessageDraft;
  /** the text as posted: source line, and "Aktualisierung" for an update whose original Herold never saw */
  text: string;
  replyTo?: string;
  dryRunReason?: string;
}

/**
 * Each language's message, decided: the text as it will be posted, the message it answers, and why
 * it is never published (a dry run, or a Cancel of an alert Herold never carried).
 */
function alertDrafts(
  alert: CapAlert,
  policy: OrgAlertPolicy,
  answered: ReferencedAlerts,
  source?: string,
): AlertDraft[] {
  const drafts = capToMessages(alert, {
    ...languageOptions(policy),
    ...(answered.oldest ? { originalHeadline: answered.oldest.headline } : {}),
  }).filter((draft) => draft.text.trim().length > 0);
  if (drafts.length === 0)
    throw new ProblemError(422, 'the alert has no text to publish or record', {
      errors: [{ field: 'info', message: 'no headline, description, instruction or note' }],
    });
  const unknownOriginal = answers(alert) && !answered.newest;
  const named = alert.references.map((reference) => `${reference.sender},${reference.identifier},${reference.sent}`);
  return drafts.map((draft) => {
    const replyTo = answered.newest ? messageForLanguage(answered.newest, draft.language) : undefined;
    const marked =
      unknownOriginal && draft.kind === 'update' ? `${updateLabel(draft.language)}: ${draft.text}` : draft.text;
    const dryRunReason = !draft.publishable
      ? (draft.unpublishableReason ?? 'not publishable')
      : unknownOriginal && alert.msgType === 'Cancel'
        ? `a Cancel of ${named.length ? named.join(' ') : 'an alert it does not name'}, which Herold never carried: acknowledged and recorded, nothing published`
        : undefined;
    return {
      draft,
      text: withSource(draft, source, marked),
      ...(replyTo ? { replyTo } : {}),
      ...(dryRunReason ? { dryRunReason } : {}),
    };
  });
}

const updateLabel = (language: string) => (language.toLowerCase().startsWith('de') ? 'Aktualisierung' : 'Update');
const answers = (alert: Pick<CapAlert, 'msgType'>) => alert.msgType === 'Update' || alert.msgType === 'Cancel';

async function createAlertMessages(
  principal: Principal,
  alert: CapAlert,
  baseId: string,
  options: PublishAlertOptions,
  deps: CreateMessageDeps,
): Promise<AlertResponse> {
  const policy = await organisationAlertPolicy(deps.store, principal.org);
  const answered = await findReferencedAlerts(deps, principal.org, alert);
  const drafts = alertDrafts(alert, policy, answered, options.source);

  const severity: Severity = alert.info[0]?.severity ?? 'Unknown';
  const messages: AlertMessageSummary[] = [];
  for (const [index, { draft, text, replyTo, dryRunReason }] of drafts.entries()) {
    const created = await createMessage(
      principal,
      {
        text,
        link: draft.link,
        media: [],
        priority: draft.priority,
        ...(replyTo ? { replyTo } : {}),
      },
      { ...deps, messageId: index === 0 ? baseId : `${baseId}-${draft.language.replace(/[^A-Za-z0-9]/g, '')}` },
      {
        kind: draft.kind,
        alert: {
          severity,
          language: draft.language,
          ...(dryRunReason ? { dryRunReason } : {}),
          cap: {
            identifier: alert.identifier,
            sender: alert.sender,
            sent: alert.sent,
            status: alert.status,
            msgType: alert.msgType,
            ...(options.source ? { source: options.source } : {}),
            ...(draft.headline ? { headline: draft.headline } : {}),
            ...(draft.instruction ? { instruction: draft.instruction } : {}),
            ...(answers(alert) && !answered.newest ? { originalUnknown: true } : {}),
          },
        },
      },
    );
    messages.push({
      ...created,
      language: draft.language,
      kind: draft.kind,
      priority: draft.priority,
      ...(replyTo ? { replyTo } : {}),
      ...(dryRunReason ? { dryRun: dryRunReason } : {}),
    });
  }

  const primary = drafts[0]!.draft;
  const ownKey = referenceKey(alert.sender, alert.identifier, alert.sent);
  const referenceKeys = alert.references.map((reference) =>
    referenceKey(reference.sender, reference.identifier, reference.sent),
  );
  await putCapReference(deps.store, ownKey, {
    org: principal.org,
    messages: Object.fromEntries(messages.map((message) => [message.language, message.id])),
    headline:
      answered.oldest && primary.kind !== 'alert' && alert.info.length === 0
        ? answered.oldest.headline
        : headlineOf(alert.info[0]?.headline ?? primary.text),
    kind: primary.kind,
    reference: { sender: alert.sender, identifier: alert.identifier, sent: alert.sent },
    references: referenceKeys,
    status: alert.status,
    ...(alert.info.length ? { form: capToFormFields(alert) } : {}),
  });
  // An all-clear written for a warning that vanished from the feed closes it in the list.
  if (primary.kind === 'all-clear' && messages[0])
    await noteAllClearOfVanished(deps.store, principal.org, referenceKeys, messages[0].id);
  const acknowledged =
    answers(alert) && alert.msgType === 'Cancel' && !answered.newest ? drafts[0]?.dryRunReason : undefined;
  return { alert: alertSummary(alert), messages, ...(acknowledged ? { acknowledged } : {}) };
}

/** "Quelle: NINA / Stadt Dresden": who issued the warning, when it came from an official feed. */
function withSource(draft: CapMessageDraft, source: string | undefined, text = draft.text): string {
  if (!source) return text;
  const label = draft.language.toLowerCase().startsWith('de') ? 'Quelle' : 'Source';
  return `${text}\n\n${label}: ${source} / ${draft.sourceName}`;
}

interface ReferencedAlerts {
  /** the first alert of the thread, whose headline a bare Cancel names */
  oldest?: CapReferenceItem;
  /** the latest known alert of the thread: the answer goes under it */
  newest?: CapReferenceItem;
}

/**
 * The alerts of the thread an Update or Cancel answers, as far as Herold knows them. None known is
 * not an error: the caller publishes the Update on its own and acknowledges the Cancel.
 */
async function findReferencedAlerts(deps: CreateMessageDeps, org: string, alert: CapAlert): Promise<ReferencedAlerts> {
  const keys = [...alert.references]
    .sort((a, b) => Date.parse(a.sent) - Date.parse(b.sent))
    .map((reference) => referenceKey(reference.sender, reference.identifier, reference.sent));
  const found = await Promise.all(keys.map((key) => getCapReference(deps.store, org, key)));
  const known = found.filter((item): item is CapReferenceItem => item !== undefined);
  return { oldest: known[0], newest: known[known.length - 1] };
}
