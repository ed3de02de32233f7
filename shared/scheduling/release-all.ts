/**
 * `POST /organisations/{org}/held-messages/release`: after a crisis, a person releases every
 * message the hold kept back with one request instead of one per message. Each message moves
 * exactly as a single release does (HELD → DISPATCHED, its audit record `message.release` in the
 * same transaction, marked as part of a release of all), so a message that changed meanwhile (it
 * was cancelled, or released by someone else) is reported and left alone, never sent twice.
 */
import { requireRole } from '../api/auth';
import { parseOrProblem, ProblemError } from '../api/problem';
import { auditPut } from '../audit/audit';
import { OrgIdSchema, type Principal } from '../model/schemas';
import { logger } from '../observability/powertools';
import { getMessageWithDeliveries } from '../store/messages';
import type { ChangeDeps } from './change';
import { sendOut } from './dispatch';
import { listWaitingMessages } from './store';

export interface ReleaseAllResult {
  org: string;
  /** ids of the messages queued now */
  released: string[];
  /** messages that changed meanwhile, with what they are now */
  skipped: { id: string; reason: string }[];
}

export async function releaseAllHeld(
  deps: ChangeDeps,
  principal: Principal,
  rawOrg: string | undefined,
): Promise<ReleaseAllResult> {
  const org = parseOrProblem(OrgIdSchema, rawOrg, 'the organisation id is not valid');
  requireRole(principal, 'editor', 'releasing held messages');
  if (org !== principal.org) throw new ProblemError(403, 'held messages can only be released in your own organisation');
  const now = (deps.now ?? (() => new Date()))();
  const result: ReleaseAllResult = { org, released: [], skipped: [] };
  let cursor: string | undefined;
  do {
    const page = await listWaitingMessages(deps.store, org, 'HELD', { limit: 50, cursor });
    for (const listed of page.messages) {
      const found = await getMessageWithDeliveries(deps.store, listed.id);
      if (!found || found.message.state !== 'HELD') {
        result.skipped.push({ id: listed.id, reason: `is ${found?.message.state ?? 'gone'}` });
        continue;
      }
      if (found.message.priority === 'emergency' && !principal.roles.includes('emergency')) {
        result.skipped.push({ id: listed.id, reason: 'an emergency message: releasing it needs the "emergency" role' });
        continue;
      }
      const audit = auditPut(
        deps.store,
        principal,
        {
          action: 'message.release',
          target: `message/${listed.id}`,
          before: { state: 'HELD' },
          after: { state: 'DISPATCHED', releasedWithAll: true },
        },
        now,
      );
      const outcome = await sendOut(deps, found, now, audit);
      if (outcome.outcome === 'ignored') result.skipped.push({ id: listed.id, reason: outcome.reason });
      else result.released.push(listed.id);
    }
    cursor = page.next;
  } while (cursor);
  logger.info('held messages released', { org, by: principal.sub, released: result.released.length });
  return result;
}
