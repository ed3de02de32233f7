/**
 * A channel's platform credentials, read once per cold start and cached for a while: from Secrets
 * Manager in AWS (one secret per channel), from a local JSON file in the local stack (`local:` refs).
 * The token health check writes refreshed credentials back to the same place.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ENV } from '../config';
import type { Credentials } from '../platforms/client';

const CredentialsSchema = z.record(z.string(), z.string());
const CACHE_TTL_MS = 5 * 60_000;

const cache = new Map<string, { credentials: Credentials; until: number }>();
let secretsClient: SecretsManagerClient | undefined;

export async function loadCredentials(credentialsRef: string, now = Date.now()): Promise<Credentials> {
  const cached = cache.get(credentialsRef);
  if (cached && cached.until > now) return cached.credentials;
  const credentials = credentialsRef.startsWith('local:')
    ? await fromLocalFile(credentialsRef)
    : await fromSecretsManager(credentialsRef);
  cache.set(credentialsRef, { credentials, until: now + CACHE_TTL_MS });
  return credentials;
}

/** After an auth error the stored credentials may have been renewed: read them fresh next time. */
export const forgetCredentials = (credentialsRef: string) => cache.delete(credentialsRef);

/** Store renewed credentials (a new version of the secret, or the local file) and drop the cached copy. */
export async function saveCredentials(credentialsRef: string, credentials: Credentials): Promise<void> {
  const valid = CredentialsSchema.parse(credentials);
  if (credentialsRef.startsWith('local:')) await toLocalFile(credentialsRef, valid);
  else await toSecretsManager(credentialsRef, valid);
  cache.delete(credentialsRef);
}

async function fromSecretsManager(secretId: string): Promise<Credentials> {
  secretsClient ??= new SecretsManagerClient({});
  const { SecretString } = await secretsClient.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`secret ${secretId} has no string value`);
  return CredentialsSchema.parse(JSON.parse(SecretString));
}

async function toSecretsManager(secretId: string, credentials: Credentials): Promise<void> {
  secretsClient ??= new SecretsManagerClient({});
  await secretsClient.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(credentials) }),
  );
}

function localFile(ref: string): string {
  const file = process.env[ENV.credentialsFile];
  if (!file) throw new Error(`${ENV.credentialsFile} is not set, so ${ref} cannot be resolved`);
  return file;
}

const readLocalFile = async (file: string) =>
  z.record(z.string(), CredentialsSchema).parse(JSON.parse(await readFile(file, 'utf8')));

async function fromLocalFile(ref: string): Promise<Credentials> {
  const all = await readLocalFile(localFile(ref));
  const credentials = all[ref];
  if (!credentials) throw new Error(`no local credentials for ${ref}`);
  return credentials;
}

/** The local file's writes, one after another: each reads, changes and replaces the whole file. */
let localWrites: Promise<void> = Promise.resolve();

function toLocalFile(ref: string, credentials: Credentials): Promise<void> {
  const write = localWrites.then(() => replaceInLocalFile(ref, credentials));
  localWrites = write.catch(() => undefined);
  return write;
}

async function replaceInLocalFile(ref: string, credentials: Credentials): Promise<void> {
  const file = localFile(ref);
  const all = await readLocalFile(file);
  if (!all[ref]) throw new Error(`no local credentials for ${ref}`);
  all[ref] = credentials;
  // a reader never sees a half-written file
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(all, null, 2)}\n`);
  await rename(partial, file);
}
