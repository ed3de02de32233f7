/**
 * Changing an organisation's settings checks the administrator role before anything is read: a
 * refused change sends nothing to DynamoDB. An administrator's change reads the settings as they
 * stand and writes them, with the audit record that carries them as `before`, in one transaction.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { ProblemError } from '../../../shared/api/problem';
import { putOrgSettings } from '../../../shared/directory/settings';
import type { Principal } from '../../../shared/model/schemas';
import { DEFAULT_NETIQUETTE, putReplySettings } from '../../../shared/replies/settings';
import type { Store } from '../../../shared/store/client';

const editor: Principal = { sub: 'anna', org: 'city', roles: ['editor', 'emergency'] };
const admin: Principal = { sub: 'presse', org: 'city', roles: ['editor', 'admin'] };
const replySettings = { retentionDays: 30, netiquette: DEFAULT_NETIQUETTE };

function recordingStore(stored?: Record<string, unknown>) {
  const send = vi.fn(async (command: unknown) => (command instanceof GetCommand ? { Item: stored } : {}));
  return { send, store: { doc: { send }, table: 'herold' } as unknown as Store };
}

describe('changing the organisation’s settings', () => {
  it('refuses a non-administrator with 403 before reading the settings', async () => {
    const { send, store } = recordingStore({ replyRetentionDays: 7, displayName: 'Geheim' });
    const replies = putReplySettings(store, editor, 'city', replySettings);
    await expect(replies).rejects.toBeInstanceOf(ProblemError);
    await expect(replies).rejects.toMatchObject({ status: 403 });
    const directory = putOrgSettings(store, editor, 'city', { displayName: 'Dresden', embedOrigins: [] });
    await expect(directory).rejects.toMatchObject({ status: 403 });
    expect(send).not.toHaveBeenCalled();
  });

  it('reads the settings as they stand for the audit record, then writes both in one transaction', async () => {
    const { send, store } = recordingStore({ replyRetentionDays: 7 });
    await putReplySettings(store, admin, 'city', replySettings, new Date('2026-12-03T12:00:00Z'));
    expect(send.mock.calls.map(([command]) => (command as object).constructor)).toEqual([
      GetCommand,
      TransactWriteCommand,
    ]);
    const [update, audit] = (send.mock.calls[1]![0] as TransactWriteCommand).input.TransactItems!;
    expect(update?.Update?.ExpressionAttributeValues).toMatchObject({ ':a1': 30 });
    expect(audit?.Put?.Item).toMatchObject({
      action: 'organisation.settings',
      target: 'organisation/city/replies',
      before: { retentionDays: 7, netiquette: DEFAULT_NETIQUETTE },
      after: replySettings,
    });
  });
});
