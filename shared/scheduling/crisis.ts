/**
 * The crisis hold. An organisation is in crisis from the publication of an emergency message until
 * the all-clear that replies to it (or to any message of its thread), or until an admin ends it;
 * an admin can also switch the hold on by hand. While it is on, routine messages of the
 * organisation (and of organisations that follow its hold, see settings.ts) wait in HELD.
 *
 * One item per organisation (`ORG#<org>`/`HOLD`): `manual` for the switch, `emergencyIds` (a string
 * set, so starting and ending are single atomic ADD/DELETE updates) for the running emergencies,
 * each named by the first message of its thread.
 */
import { auditPut } from '../audit/audit';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { requireRole } from '../api/auth';
import { parseOrProblem, ProblemError } from '../api/problem';
import { OrgIdSchema, type Message, type Principal } from '../model/schemas';
import { logger } from '../observability/powertools';
import type { Store } from '../store/client';
import { schedulingKeys } from '../store/keys';
import { getMessage } from '../store/messages';
import { getOrgSchedulingSettings } from './settings';

const HoldItemSchema = z.object({
  manual: z.object({ reason: z.string().optional(), by: z.string(), since: z.iso.datetime() }).optional(),
  emergencyIds: z.preprocess((value) => (value instanceof Set ? [...value] : (value ?? [])), z.array(z.string())),
});

export type OrgHold = z.infer<typeof HoldItemSchema> & { org: string };

export const holdIsOn = (hold: OrgHold): boolean => hold.manual !== undefined || hold.emergencyIds.length > 0;

export function holdReason(hold: OrgHold): string {
  if (hold.manual)
    return `crisis hold of ${hold.org} switched on by ${hold.manual.by}${hold.manual.reason ? `: ${hold.manual.reason}` : ''}`;
  return `emergency of ${hold.org} in progress (message ${hold.emergencyIds.join(', ')})`;
}

export async function readHold(store: Store, org: string): Promise<OrgHold> {
  // Strongly consistent: a routine post right after an emergency must see the emergency's hold.
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: schedulingKeys.orgHold(org), ConsistentRead: true }),
  );
  return { org, ...HoldItemSchema.parse(Item ?? {}) };
}

/**
 * Routine messages are the ones a hold keeps back: normal priority posts, updates and answers to
 * citizens under routine posts, never an official (CAP) warning.
 */
export const isRoutine = (message: Pick<Message, 'priority' | 'kind' | 'cap'>): boolean =>
  message.priority === 'normal' &&
  (message.kind === 'post' || message.kind === 'update' || message.kind === 'answer') &&
  message.cap === undefined;

export interface HoldDecision {
  held: boolean;
  reason?: string;
}

/** The organisation's own hold and the holds of the organisations it follows. */
async function holdsOf(store: Store, org: string): Promise<{ own: OrgHold; followed: OrgHold[] }> {
  const [own, settings] = await Promise.all([readHold(store, org), getOrgSchedulingSettings(store, org)]);
  return { own, followed: await Promise.all(settings.holdsWith.map((other) => readHold(store, other))) };
}

/** Whether routine messages of `org` are held now: by its own hold or by one it follows. */
export async function holdFor(store: Store, org: string): Promise<HoldDecision> {
  const { own, followed } = await holdsOf(store, org);
  const active = [own, ...followed].find(holdIsOn);
  return active ? { held: true, reason: holdReason(active) } : { held: false };
}

/** The first message of the thread a message belongs to (a crisis is named by it). */
async function threadRoot(store: Store, messageId: string): Promise<string> {
  let current = messageId;
  const seen = new Set<string>();
  while (!seen.has(current) && seen.size < 32) {
    seen.add(current);
    const message = await getMessage(store, current);
    if (!message?.replyTo) return current;
    current = message.replyTo;
  }
  return current;
}

/**
 * After a message went out: an emergency starts (or continues) the crisis of its thread, an
 * all-clear ends it. Never throws: the message has been published, and a failed bookkeeping write
 * must not turn that into an error for the sender.
 */
export async function noteCrisis(store: Store, message: Message, now: Date): Promise<void> {
  // an answer under an emergency message travels on the urgent lane but starts no crisis
  const starts =
    message.priority === 'emergency' &&
    message.kind !== 'all-clear' &&
    message.kind !== 'cancel' &&
    message.kind !== 'answer';
  const ends = message.kind === 'all-clear' && message.replyTo !== undefined;
  if (!starts && !ends) return;
  try {
    const root = await threadRoot(store, message.replyTo ?? message.id);
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: schedulingKeys.orgHold(message.org),
        UpdateExpression: `SET #org = :org, #updatedAt = :now ${starts ? 'ADD' : 'DELETE'} #emergencyIds :ids`,
        ExpressionAttributeNames: { '#org': 'org', '#updatedAt': 'updatedAt', '#emergencyIds': 'emergencyIds' },
        ExpressionAttributeValues: { ':org': message.org, ':now': now.toISOString(), ':ids': new Set([root]) },
      }),
    );
    logger.info(starts ? 'crisis hold: emergency in progress' : 'crisis hold: all-clear', {
      org: message.org,
      messageId: message.id,
      crisis: root,
    });
  } catch (error) {
    logger.error('crisis hold could not be recorded', {
      org: message.org,
      messageId: message.id,
      error: error as Error,
    });
  }
}

export const HoldRequestSchema = z.strictObject({
  active: z.boolean(),
  reason: z.string().trim().min(1).max(500).optional(),
});

/** `PUT /organisations/{org}/hold`: an admin of the organisation switches its hold on, or ends it (and any running crisis). */
export async function setOrgHold(
  store: Store,
  principal: Principal,
  rawOrg: string | undefined,
  body: unknown,
  now = new Date(),
) {
  const org = parseOrProblem(OrgIdSchema, rawOrg, 'the organisation id is not valid');
  requireRole(principal, 'admin', 'switching the crisis hold');
  if (org !== principal.org)
    throw new ProblemError(403, 'an administrator can only switch the hold of their own organisation');
  const request = parseOrProblem(HoldRequestSchema, body);
  const before = await readHold(store, org);
  await store.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: store.table,
            Key: schedulingKeys.orgHold(org),
            UpdateExpression: request.active
              ? 'SET #org = :org, #updatedAt = :now, #manual = :manual'
              : 'SET #org = :org, #updatedAt = :now REMOVE #manual, #emergencyIds',
            ExpressionAttributeNames: request.active
              ? { '#org': 'org', '#updatedAt': 'updatedAt', '#manual': 'manual' }
              : { '#org': 'org', '#updatedAt': 'updatedAt', '#manual': 'manual', '#emergencyIds': 'emergencyIds' },
            ExpressionAttributeValues: {
              ':org': org,
              ':now': now.toISOString(),
              ...(request.active
                ? {
                    ':manual': {
                      by: principal.sub,
                      since: now.toISOString(),
                      ...(request.reason ? { reason: request.reason } : {}),
                    },
                  }
                : {}),
            },
          },
        },
        auditPut(
          store,
          principal,
          {
            action: 'organisation.hold',
            target: `organisation/${org}`,
            before: { held: holdIsOn(before) },
            after: { held: request.active, reason: request.reason },
          },
          now,
        ),
      ],
    }),
  );
  logger.info(request.active ? 'crisis hold switched on' : 'crisis hold ended', { org, by: principal.sub });
  return holdView(store, org);
}

export async function holdView(store: Store, org: string) {
  const { own, followed } = await holdsOf(store, org);
  return {
    org,
    active: holdIsOn(own),
    ...(own.manual ? { manual: own.manual } : {}),
    emergencies: own.emergencyIds,
    ...(holdIsOn(own) ? { reason: holdReason(own) } : {}),
    followed: followed.map((hold) => ({
      org: hold.org,
      active: holdIsOn(hold),
      ...(holdIsOn(hold) ? { reason: holdReason(hold) } : {}),
    })),
  };
}
