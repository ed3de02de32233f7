/**
 * Channel credentials as items of a DynamoDB table of their own (`herold:secrets: "table"`), for
 * deployments where a Secrets Manager read per channel and function instance (5 µUSD) and a secret
 * per channel (0.40 USD a month) cost more than the rest of a message. A channel refers to its item
 * as `table:<platform>/<channel-id>`; the key's platform prefix is what IAM scopes each publisher to
 * (`dynamodb:LeadingKeys`), as the secret names' prefixes are with Secrets Manager.
 *
 * The table is apart from the Herold table so that no function that reads messages or channels,
 * and no export or backup of that table, holds a token. What it gives up against Secrets Manager is
 * in docs/DECISIONS.md.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ENV } from '../config';
import { TABLE_REF_PREFIX } from '../connect/refs';
import { CredentialsSchema, type Credentials } from '../platforms/client';
import { dynamo, isConditionFailure } from '../store/client';

/** the credentials table's partition key attribute */
export const CREDENTIALS_KEY = 'ref';

const StoredSchema = z.object({ credentials: CredentialsSchema });

function credentialsTable(env: NodeJS.ProcessEnv): string {
  const name = env[ENV.credentialsTable];
  if (!name) throw new Error(`${ENV.credentialsTable} is not set, so table: credentials cannot be resolved`);
  return name;
}

const keyOf = (ref: string) => ({ [CREDENTIALS_KEY]: ref.slice(TABLE_REF_PREFIX.length) });

/** A channel's item: its key, the credentials, and when they were stored. */
export const credentialsItem = (ref: string, credentials: Credentials) => ({
  ...keyOf(ref),
  credentials: CredentialsSchema.parse(credentials),
  storedAt: new Date().toISOString(),
});

/** The stored credentials, read strongly consistent (a token just renewed elsewhere is the one to use), or undefined. */
export async function readTableCredentials(
  ref: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Credentials | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: credentialsTable(env), Key: keyOf(ref), ConsistentRead: true }),
  );
  return Item ? StoredSchema.parse(Item).credentials : undefined;
}

/**
 * Stores a channel's credentials. `renewal`: only over credentials still there, so a token renewed
 * while the channel was being retired never brings its removed credentials back.
 */
export async function writeTableCredentials(
  ref: string,
  credentials: Credentials,
  options: { renewal: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: credentialsTable(env),
        Item: credentialsItem(ref, credentials),
        ...(options.renewal
          ? { ConditionExpression: 'attribute_exists(#ref)', ExpressionAttributeNames: { '#ref': CREDENTIALS_KEY } }
          : {}),
      }),
    );
  } catch (error) {
    if (options.renewal && isConditionFailure(error))
      throw new Error(`no credentials for ${ref} any more`, { cause: error });
    throw error;
  }
}

/** Deletes a channel's credentials; nothing stored is fine. Point-in-time recovery keeps 35 days to restore from. */
export async function removeTableCredentials(ref: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: credentialsTable(env), Key: keyOf(ref) }));
}
