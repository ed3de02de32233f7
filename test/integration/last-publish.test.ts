/** How a channel's last publish went: its own item beside the channel, shown by the channel reads. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { noteLastPublish } from '../../shared/channels/last-publish';
import { channelForPrincipal, listChannelsForPrincipal } from '../../shared/channels/read';
import type { Principal } from '../../shared/model/schemas';
import { putChannel } from '../../shared/store/channels';
import type { Store } from '../../shared/store/client';
import { keys } from '../../shared/store/keys';
import { isolatedTable } from '../support/local-aws';

let store: Store;
const editor: Principal = { sub: 'anna', org: 'city', roles: ['editor'] };
const stranger: Principal = { sub: 'bert', org: 'elsewhere', roles: ['editor'] };

beforeAll(async () => {
  const { dynamoEndpoint, tableName } = await isolatedTable('last-publish');
  store = { doc: localDynamoDocumentClient(dynamoEndpoint), table: tableName };
  for (const platform of ['threads', 'mastodon'] as const)
    await putChannel(store, {
      id: `city-${platform}`,
      org: 'city',
      platform,
      handle: `@${platform}`,
      state: 'active',
      account: '1',
      credentialsRef: 'local:x',
    });
});

const channelItem = async (channelId: string) =>
  (await store.doc.send(new GetCommand({ TableName: store.table, Key: keys.channel(channelId) }))).Item;

describe("a channel's last publish", () => {
  it('is shown by the list and the single read, and leaves the channel item (and its index entry) untouched', async () => {
    const before = await channelItem('city-threads');
    await noteLastPublish(
      store,
      { org: 'city', channelId: 'city-threads', messageId: 'M1', state: 'PUBLISHED' },
      new Date('2026-12-03T10:00:00.000Z'),
    );
    expect(await channelItem('city-threads')).toEqual(before);

    const listed = await listChannelsForPrincipal(store, editor);
    expect(listed.find((channel) => channel.id === 'city-threads')?.lastPublish).toEqual({
      at: '2026-12-03T10:00:00.000Z',
      messageId: 'M1',
      state: 'PUBLISHED',
    });
    // a channel that never published says nothing about it
    expect(listed.find((channel) => channel.id === 'city-mastodon')).not.toHaveProperty('lastPublish');
    expect((await channelForPrincipal(store, editor, 'city-threads')).lastPublish?.messageId).toBe('M1');
  });

  it('is never replaced by an older settlement', async () => {
    await noteLastPublish(
      store,
      { org: 'city', channelId: 'city-mastodon', messageId: 'M3', state: 'FAILED', detail: 'auth' },
      new Date('2026-12-03T12:00:00.000Z'),
    );
    await noteLastPublish(
      store,
      { org: 'city', channelId: 'city-mastodon', messageId: 'M2', state: 'PUBLISHED' },
      new Date('2026-12-03T11:00:00.000Z'),
    );
    expect((await channelForPrincipal(store, editor, 'city-mastodon')).lastPublish).toEqual({
      at: '2026-12-03T12:00:00.000Z',
      messageId: 'M3',
      state: 'FAILED',
      detail: 'auth',
    });
  });

  it('is not shown to another organisation, which learns only that there is no such channel', async () => {
    await expect(channelForPrincipal(store, stranger, 'city-threads')).rejects.toMatchObject({ status: 404 });
  });
});
