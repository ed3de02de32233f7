/**
 * A channel's platform credentials, read once and cached for an hour: from Secrets Manager in AWS
 * (one secret per channel, or the channel's entry in its organisation's secret: ./org-secrets), or
 * from the credentials table (`table:` refs: ./credentials-table), from a local JSON file in the
 * local stack (`local:` refs). Renewals write back to the same place.
 *
 * An hour is safe because a cached copy is dropped whenever it may be out of date: a renewal by
 * this process replaces it with what it stored; a renewal or (re)connection anywhere else is noted
 * on the channel item, which every job reads anyway (`changedAt`); an auth error drops it
 * (forgetCredentials). What it gives up: credentials replaced by hand in Secrets Manager, outside
 * Herold, reach a warm function within the hour rather than within 5 minutes.
 */
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ENV } from '../config';
import type { Channel } from '../model/schemas';
import { CredentialsSchema, type Credentials } from '../platforms/client';
import { defaultStore } from '../store/client';
import { isTableRef } from '../connect/refs';
import { readTableCredentials, writeTableCredentials } from './credentials-table';
import {
  changeOrgSecret,
  dynamoSecretLease,
  entryOf,
  ORG_SECRET_LEASE_MS,
  readOrgSecret,
  secretLocation,
  secretsManagerBackend,
  type OrgEntries,
  type OrgSecretDeps,
} from './org-secrets';

export const CACHE_TTL_MS = 60 * 60_000;
/** A copy read less than this after the channel item says its credentials changed is read again (clocks differ). */
const CLOCK_MARGIN_MS = 60_000;

interface Cached<T> {
  value: T;
  readAt: number;
}
/** by ref (a channel's own secret, a local entry), and by secret id (an organisation's secret) */
const cache = new Map<string, Cached<Credentials>>();
const orgCache = new Map<string, Cached<OrgEntries>>();
let secretsClient: SecretsManagerClient | undefined;

export interface LoadOptions {
  /** when the channel item last noted a change of its credentials (connected, renewed): an older copy is read again */
  changedAt?: string;
  /** a shorter lifetime, for secrets only ever changed by hand (webhook and app secrets) */
  maxAgeMs?: number;
  now?: number;
}

const usable = <T>(cached: Cached<T> | undefined, now: number, options: LoadOptions): cached is Cached<T> =>
  cached !== undefined &&
  now - cached.readAt < Math.min(CACHE_TTL_MS, options.maxAgeMs ?? CACHE_TTL_MS) &&
  (options.changedAt === undefined || Date.parse(options.changedAt) < cached.readAt - CLOCK_MARGIN_MS);

/** When the channel item says its credentials last changed: connected (again) or renewed by Herold. */
export function credentialsChangedAt(channel: Pick<Channel, 'connection' | 'tokenRefreshedAt'>): string | undefined {
  const times = [channel.connection?.connectedAt, channel.tokenRefreshedAt].filter((time) => time !== undefined);
  return times.sort().at(-1);
}

/** A channel's credentials, read again when its channel item says they changed after the cached copy was read. */
export const channelCredentials = (channel: Pick<Channel, 'credentialsRef' | 'connection' | 'tokenRefreshedAt'>) =>
  loadCredentials(channel.credentialsRef, { changedAt: credentialsChangedAt(channel) });

export async function loadCredentials(credentialsRef: string, options: LoadOptions = {}): Promise<Credentials> {
  const now = options.now ?? Date.now();
  if (credentialsRef.startsWith('local:')) return cachedOwn(credentialsRef, now, options, fromLocalFile);
  if (isTableRef(credentialsRef)) return cachedOwn(credentialsRef, now, options, fromTable);
  const location = secretLocation(credentialsRef);
  if (location.entry === undefined) return cachedOwn(credentialsRef, now, options, fromSecretsManager);
  let entries = orgCache.get(location.secretId);
  if (!usable(entries, now, options)) {
    entries = { value: (await readOrgSecret(location.secretId, secretsManagerBackend)) ?? {}, readAt: now };
    orgCache.set(location.secretId, entries);
  }
  const credentials = entryOf(entries.value, location);
  if (!credentials) throw new Error(`no credentials for channel ${location.entry} in ${location.secretId}`);
  return credentials;
}

async function cachedOwn(
  ref: string,
  now: number,
  options: LoadOptions,
  read: (ref: string) => Promise<Credentials>,
): Promise<Credentials> {
  const cached = cache.get(ref);
  if (usable(cached, now, options)) return cached.value;
  const credentials = await read(ref);
  cache.set(ref, { value: credentials, readAt: now });
  return credentials;
}

/** After an auth error the stored credentials may have been renewed: read them fresh next time. */
export function forgetCredentials(credentialsRef: string): void {
  cache.delete(credentialsRef);
  const location = secretLocation(credentialsRef);
  if (location.entry !== undefined) orgCache.delete(location.secretId);
}

/** Store renewed credentials (a new version of the secret, or the local file) and keep them as the cached copy. */
export async function saveCredentials(credentialsRef: string, credentials: Credentials): Promise<void> {
  const valid = CredentialsSchema.parse(credentials);
  const now = Date.now();
  if (credentialsRef.startsWith('local:')) await toLocalFile(credentialsRef, valid);
  else if (isTableRef(credentialsRef)) await writeTableCredentials(credentialsRef, valid, { renewal: true });
  else {
    const location = secretLocation(credentialsRef);
    if (location.entry !== undefined) {
      const channelId = location.entry;
      const stored = await changeOrgSecret(
        location.secretId,
        (entries) => {
          // a renewal never brings back an entry that was removed meanwhile (the channel was retired)
          if (!entries[channelId]) throw new Error(`no credentials for channel ${channelId} in ${location.secretId}`);
          return { ...entries, [channelId]: valid };
        },
        orgSecretDeps(),
      );
      orgCache.set(location.secretId, { value: stored, readAt: now });
      return;
    }
    await toSecretsManager(credentialsRef, valid);
  }
  cache.set(credentialsRef, { value: valid, readAt: now });
}

/** How this process changes an organisation's secret: under its lease in the table. */
export function orgSecretDeps(): OrgSecretDeps {
  return {
    backend: secretsManagerBackend,
    lease: dynamoSecretLease(defaultStore()),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    leaseMs: ORG_SECRET_LEASE_MS,
    waitMs: 2 * ORG_SECRET_LEASE_MS,
  };
}

async function fromTable(ref: string): Promise<Credentials> {
  const credentials = await readTableCredentials(ref);
  if (!credentials) throw new Error(`no credentials stored for ${ref}`);
  return credentials;
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

/**
 * The local file as last parsed, until it changes (a write replaces it: another inode). A state's
 * 5,500 channels are one file: parsing and validating all of it for every job's one entry cost more
 * than the job itself, where AWS reads one small secret.
 */
let localParsed: { file: string; version: string; entries: Record<string, unknown> } | undefined;

async function localEntries(file: string): Promise<Record<string, unknown>> {
  const { ino, mtimeNs, size } = await stat(file, { bigint: true });
  const version = `${ino}:${mtimeNs}:${size}`;
  if (localParsed?.file === file && localParsed.version === version) return localParsed.entries;
  const entries = z.record(z.string(), z.unknown()).parse(JSON.parse(await readFile(file, 'utf8')));
  localParsed = { file, version, entries };
  return entries;
}

async function fromLocalFile(ref: string): Promise<Credentials> {
  const entry = (await localEntries(localFile(ref)))[ref];
  if (!entry) throw new Error(`no local credentials for ${ref}`);
  return CredentialsSchema.parse(entry);
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
  const all = { ...(await localEntries(file)) };
  if (!all[ref]) throw new Error(`no local credentials for ${ref}`);
  all[ref] = credentials;
  // a reader never sees a half-written file
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(all, null, 2)}\n`);
  await rename(partial, file);
}
