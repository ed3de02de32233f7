/**
 * CAP alerts in: `POST /alerts` and the NINA feed both end here. A validated alert becomes one
 * message per language the organisation publishes; an Update or Cancel answers the messages of the
 * alert it references; Exercise, Test, System and Draft alerts are recorded as dry runs; live
 * emergency messages wait for a second person unless the organisation's policy says otherwise
 * (the gate in createMessage). The alert's own key makes a repeated delivery answer as the first.
 */
import { gzipSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../model/schemas';
import { requireRole } from '../api/auth';
import { ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import type { CapAlert } from '../cap/schema';
import { capIdempotencyKey, capToMessages, referenceKey, type CapMessageDraft } from '../cap/to-message';
import type { StoredResponse } from '../intake/create-once';
import { createMessage, type CreateMessageDeps } from '../intake/create-message';
import type { CreatedMessage } from '../messages/summaries';
import { abandonIdempotent, beginIdempotent, completeIdempotent, requestHash } from '../messages/idempotency';
import { newMessageId } from '../messages/ids';
import { getMessageWithDeliveries } from '../store/messages';
import { languageOptions, orgAlertPolicy, type Severity } from './policy';
import { getCapReference, messageForLanguage, putCapReference, type CapReferenceItem } from './references';
import { headlineOf } from './thread';

/** A rejected document is kept for audit up to this size (gzipped, base64): DynamoDB items end at 400 KB. */
const MAX_KEPT_DOCUMENT_BYTES = 300 * 1024;

export interface AlertRequestBody {
  body: string | undefined;
  isBase64Encoded: boolean;
  contentType: string | undefined;
}

/** `POST /alerts`: the raw CAP document, as API Gateway (or the local server) hands it over. */
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
    requestHash(alert),
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

async function createAlertMessages(
  principal: Principal,
  alert: CapAlert,
  baseId: string,
  options: PublishAlertOptions,
  deps: CreateMessageDeps,
): Promise<AlertResponse> {
  const policy = orgAlertPolicy(principal.org);
  const answered = await findReferencedAlerts(deps, principal.org, alert);
  const drafts = capToMessages(alert, {
    ...languageOptions(policy),
    ...(answered.oldest ? { originalHeadline: answered.oldest.headline } : {}),
  }).filter((draft) => draft.text.trim().length > 0);
  if (drafts.length === 0)
    throw new ProblemError(422, 'the alert has no text to publish or record', {
      errors: [{ field: 'info', message: 'no headline, description, instruction or note' }],
    });

  const severity: Severity = alert.info[0]?.severity ?? 'Unknown';
  const messages: AlertMessageSummary[] = [];
  for (const [index, draft] of drafts.entries()) {
    const replyTo = answered.newest ? messageForLanguage(answered.newest, draft.language) : undefined;
    const created = await createMessage(
      principal,
      {
        text: withSource(draft, options.source),
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
          ...(draft.publishable ? {} : { dryRunReason: draft.unpublishableReason ?? 'not publishable' }),
          cap: {
            identifier: alert.identifier,
            sender: alert.sender,
            sent: alert.sent,
            status: alert.status,
            msgType: alert.msgType,
            ...(options.source ? { source: options.source } : {}),
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
      ...(draft.publishable ? {} : { dryRun: draft.unpublishableReason }),
    });
  }

  const primary = drafts[0] as CapMessageDraft;
  await putCapReference(deps.store, referenceKey(alert.sender, alert.identifier, alert.sent), {
    org: principal.org,
    messages: Object.fromEntries(messages.map((message) => [message.language, message.id])),
    headline:
      answered.oldest && primary.kind !== 'alert' && alert.info.length === 0
        ? answered.oldest.headline
        : headlineOf(alert.info[0]?.headline ?? primary.text),
    kind: primary.kind,
  });
  return { alert: alertSummary(alert), messages };
}

/** "Quelle: NINA / Stadt Dresden": who issued the warning, when it came from an official feed. */
function withSource(draft: CapMessageDraft, source: string | undefined): string {
  if (!source) return draft.text;
  const label = draft.language.toLowerCase().startsWith('de') ? 'Quelle' : 'Source';
  return `${draft.text}\n\n${label}: ${source} / ${draft.sourceName}`;
}

interface ReferencedAlerts {
  /** the first alert of the thread, whose headline a bare Cancel names */
  oldest?: CapReferenceItem;
  /** the latest known alert of the thread: the answer goes under it */
  newest?: CapReferenceItem;
}

/** An Update or Cancel must name an alert Herold carried; an Alert may name earlier ones (it then threads too). */
async function findReferencedAlerts(deps: CreateMessageDeps, org: string, alert: CapAlert): Promise<ReferencedAlerts> {
  const keys = [...alert.references]
    .sort((a, b) => Date.parse(a.sent) - Date.parse(b.sent))
    .map((reference) => referenceKey(reference.sender, reference.identifier, reference.sent));
  const found = await Promise.all(keys.map((key) => getCapReference(deps.store, org, key)));
  const known = found.filter((item): item is CapReferenceItem => item !== undefined);
  const answers = alert.msgType === 'Update' || alert.msgType === 'Cancel';
  if (answers && known.length === 0) {
    const named = alert.references.map((reference) => `${reference.sender},${reference.identifier},${reference.sent}`);
    throw new ProblemError(
      422,
      named.length
        ? `the ${alert.msgType} refers to an alert Herold does not know: ${named.join(' ')}`
        : `a ${alert.msgType} must name the alert it refers to in <references>`,
      {
        errors: named.length
          ? named.map((reference) => ({ field: 'references', message: `unknown alert ${reference}` }))
          : [{ field: 'references', message: 'required for an Update or Cancel' }],
      },
    );
  }
  return { oldest: known[0], newest: known[known.length - 1] };
}
