/**
 * Channel credentials as items of the credentials table (`herold:secrets: "table"`): the connect
 * function's store writes, reads and removes them; a publisher's renewal replaces them but never
 * brings back the credentials of a channel retired meanwhile.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { provisionCredentialsTable } from '../../local/provision';
import { ENV } from '../../shared/config';
import { channelCredentialsRef } from '../../shared/connect/refs';
import { secretStoreFor } from '../../shared/connect/secret-store';
import { forgetCredentials, loadCredentials, saveCredentials } from '../../shared/publishing/credentials';
import { localAwsEndpoints, uniqueName } from '../support/local-aws';

const env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  const { dynamoEndpoint } = localAwsEndpoints();
  const table = uniqueName('credentials');
  await provisionCredentialsTable(dynamoEndpoint, table);
  // the functions' DynamoDB client and the table's name come from the environment, as in AWS
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    [ENV.credentialsTable]: table,
  });
  Object.assign(env, process.env);
});

describe('the credentials table', () => {
  it("names a new channel's item after its platform, ahead of the local file", () => {
    const channel = { platform: 'mastodon' as const, id: 'city-mastodon', org: 'city' };
    expect(channelCredentialsRef(channel, { [ENV.secretsLayout]: 'table' })).toBe('table:mastodon/city-mastodon');
    expect(channelCredentialsRef(channel, { [ENV.secretsLayout]: 'table', [ENV.credentialsFile]: '/tmp/c.json' })).toBe(
      'table:mastodon/city-mastodon',
    );
    expect(channelCredentialsRef(channel, {})).toBe('herold/mastodon/city-mastodon');
  });

  it('keeps what connecting wrote, what a renewal replaced, and nothing after retiring', async () => {
    const ref = 'table:x/city-x';
    const store = secretStoreFor(ref, env);
    expect(await store.read(ref)).toBeUndefined();
    await store.write(ref, { accessToken: 'a1', refreshToken: 'r1' });
    expect(await loadCredentials(ref)).toEqual({ accessToken: 'a1', refreshToken: 'r1' });

    await saveCredentials(ref, { accessToken: 'a2', refreshToken: 'r2' });
    expect(await store.read(ref)).toEqual({ accessToken: 'a2', refreshToken: 'r2' });

    // connecting again replaces them and drops this process's cached copy
    await store.write(ref, { accessToken: 'a3', refreshToken: 'r3' });
    expect(await loadCredentials(ref)).toEqual({ accessToken: 'a3', refreshToken: 'r3' });

    await store.remove(ref);
    await expect(loadCredentials(ref)).rejects.toThrow(/no credentials stored for table:x\/city-x/);
    // a renewal that finished after the channel was retired stores nothing
    await expect(saveCredentials(ref, { accessToken: 'a4', refreshToken: 'r4' })).rejects.toThrow(/any more/);
    expect(await store.read(ref)).toBeUndefined();
    // removing what is not there is fine
    await store.remove(ref);
  });

  it('reads each channel from its own item, and again only when the cached copy may be out of date', async () => {
    const store = secretStoreFor('table:bluesky/city-bluesky', env);
    await store.write('table:bluesky/city-bluesky', { identifier: 'city.bsky', password: 'p1' });
    await store.write('table:bluesky/fire-bluesky', { identifier: 'fire.bsky', password: 'p2' });
    const now = Date.now();
    expect((await loadCredentials('table:bluesky/city-bluesky', { now })).identifier).toBe('city.bsky');
    expect((await loadCredentials('table:bluesky/fire-bluesky', { now })).password).toBe('p2');

    // replaced by hand, outside Herold: the cached copy stands for its hour
    await putItem('bluesky/fire-bluesky', { identifier: 'fire.bsky', password: 'by-hand' });
    expect((await loadCredentials('table:bluesky/fire-bluesky', { now: now + 1_000 })).password).toBe('p2');
    // ...unless the channel item says they changed after the copy was read
    const changedAt = new Date(now + 120_000).toISOString();
    expect((await loadCredentials('table:bluesky/fire-bluesky', { now: now + 180_000, changedAt })).password).toBe(
      'by-hand',
    );
    // ...or an auth error dropped it
    await putItem('bluesky/city-bluesky', { identifier: 'city.bsky', password: 'by-hand-too' });
    forgetCredentials('table:bluesky/city-bluesky');
    expect((await loadCredentials('table:bluesky/city-bluesky', { now: now + 1_000 })).password).toBe('by-hand-too');
  });
});

async function putItem(key: string, credentials: Record<string, string>): Promise<void> {
  const doc = localDynamoDocumentClient(localAwsEndpoints().dynamoEndpoint);
  await doc.send(new PutCommand({ TableName: env[ENV.credentialsTable], Item: { ref: key, credentials } }));
  doc.destroy();
}
