/**
 * One secret per organisation (`herold:secrets: "per-organisation"`): a JSON object of every one of
 * its channels' credentials, keyed by channel id. A channel refers to its entry as
 * `<secret name>#<channel id>` (`#` is in no secret name and no channel id).
 *
 * Changing one entry is a read-modify-write of the whole secret, and Secrets Manager has no
 * compare-and-set on a secret's content: two renewals of two channels of one organisation could each
 * read the secret and the second put would lose the first one's token (for X a spent refresh token:
 * the channel would need a person). So every change runs under the organisation secret's lease, a
 * conditional DynamoDB item, and the lease item remembers the version it wrote last: the next holder
 * reads that exact version (GetSecretValue by VersionId), never a copy an eventually consistent read
 * might still return from before.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CredentialsSchema, type Credentials } from '../platforms/client';
import { isConditionFailure, type Store } from '../store/client';
import { keys } from '../store/keys';

export const OrgEntriesSchema = z.record(z.string(), CredentialsSchema);
export type OrgEntries = z.infer<typeof OrgEntriesSchema>;

/** Where one channel's credentials are: its own secret, or its entry in its organisation's secret. */
export type SecretLocation = { secretId: string; entry?: undefined } | { secretId: string; entry: string };

const ENTRY_SEPARATOR = '#';

export function secretLocation(ref: string): SecretLocation {
  const at = ref.lastIndexOf(ENTRY_SEPARATOR);
  if (at < 0) return { secretId: ref };
  return { secretId: ref.slice(0, at), entry: ref.slice(at + 1) };
}

/** The few Secrets Manager calls an organisation's secret needs. */
export interface SecretBackend {
  /** the value and its version, of `versionId` when given, else the current one; undefined when there is no such secret */
  read(secretId: string, versionId?: string): Promise<{ value: string; versionId: string } | undefined>;
  /** stores a new current version of an existing secret, or creates the secret; returns the new version's id */
  write(secretId: string, value: string, options: { create: boolean; tags?: Record<string, string> }): Promise<string>;
}

let client: SecretsManagerClient | undefined;
const secrets = () => (client ??= new SecretsManagerClient({}));
const errorName = (error: unknown) => (error instanceof Error ? error.name : '');

export const secretsManagerBackend: SecretBackend = {
  async read(secretId, versionId) {
    try {
      const { SecretString, VersionId } = await secrets().send(
        new GetSecretValueCommand({ SecretId: secretId, ...(versionId ? { VersionId: versionId } : {}) }),
      );
      if (!SecretString || !VersionId) throw new Error(`secret ${secretId} has no string value`);
      return { value: SecretString, versionId: VersionId };
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  },
  async write(secretId, value, { create, tags = {} }) {
    // one token per write: a retried request stores no second version
    const ClientRequestToken = randomUUID();
    if (create) {
      try {
        const { VersionId } = await secrets().send(
          new CreateSecretCommand({
            Name: secretId,
            SecretString: value,
            ClientRequestToken,
            Description: "Herold: an organisation's channel credentials, one entry per channel",
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
        return VersionId ?? ClientRequestToken;
      } catch (error) {
        // created meanwhile outside the lease (a restored secret): store a version like any change
        if (errorName(error) !== 'ResourceExistsException') throw error;
      }
    }
    const { VersionId } = await secrets().send(
      new PutSecretValueCommand({ SecretId: secretId, SecretString: value, ClientRequestToken }),
    );
    return VersionId ?? ClientRequestToken;
  },
};

/** One writer of an organisation's secret at a time, across every function. */
export interface SecretLease {
  /** the lease until `untilMs`, with the version the previous holder wrote (if known); false: someone holds it */
  acquire(secretId: string, holder: string, untilMs: number, now: number): Promise<false | { lastVersion?: string }>;
  /** gives the lease back, noting the version this holder wrote */
  release(secretId: string, holder: string, writtenVersion: string | undefined): Promise<void>;
}

export interface OrgSecretDeps {
  backend: SecretBackend;
  lease: SecretLease;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** how long a lease lasts: a read and a write of the secret */
  leaseMs: number;
  /** how long to wait for another writer before giving up */
  waitMs: number;
  pollMs?: number;
}

/** Read and write with their own timeouts (10 s each at most) fit well inside. */
export const ORG_SECRET_LEASE_MS = 25_000;

/**
 * Changes an organisation's secret under its lease: `change` gets the stored entries (empty when the
 * secret does not exist yet) and returns the new ones. Returns what was stored.
 */
export async function changeOrgSecret(
  secretId: string,
  change: (entries: OrgEntries) => OrgEntries,
  deps: OrgSecretDeps,
  tags?: Record<string, string>,
): Promise<OrgEntries> {
  const holder = randomUUID();
  const deadline = deps.now() + deps.waitMs;
  for (;;) {
    const held = await deps.lease.acquire(secretId, holder, deps.now() + deps.leaseMs, deps.now());
    if (held) {
      let written: string | undefined;
      try {
        const stored = await readHolding(secretId, held.lastVersion, deps.backend);
        const entries = OrgEntriesSchema.parse(change(structuredClone(stored?.entries ?? {})));
        written = await deps.backend.write(secretId, JSON.stringify(entries), { create: !stored, tags });
        return entries;
      } finally {
        await deps.lease.release(secretId, holder, written);
      }
    }
    if (deps.now() >= deadline)
      throw new Error(`the secret ${secretId} is being changed by someone else; try again in a moment`);
    await deps.sleep(deps.pollMs ?? 100);
  }
}

async function readHolding(secretId: string, lastVersion: string | undefined, backend: SecretBackend) {
  // the version the last writer stored, read by its id: never an older copy
  const read =
    (await (lastVersion ? backend.read(secretId, lastVersion) : undefined)) ?? (await backend.read(secretId));
  return read ? { entries: OrgEntriesSchema.parse(JSON.parse(read.value)), versionId: read.versionId } : undefined;
}

/** Reads an organisation's secret as it is now (no lease: a reader never changes it). */
export async function readOrgSecret(secretId: string, backend: SecretBackend): Promise<OrgEntries | undefined> {
  const read = await backend.read(secretId);
  return read ? OrgEntriesSchema.parse(JSON.parse(read.value)) : undefined;
}

/** TTL (`expiresAt`) keeps the lease item, and with it the last written version, for a week at most. */
const KEEP_SECONDS = 7 * 24 * 60 * 60;

/**
 * The lease as a DynamoDB item beside the channels' token renewal leases (`TOKENLEASE#secret:<name>`:
 * no channel id has a colon): taken with a conditional update that only succeeds when nobody holds it
 * or the holder's time is up, and handed back by its holder with the version it wrote.
 */
export function dynamoSecretLease(store: Store): SecretLease {
  const key = (secretId: string) => keys.tokenRefreshLease(`secret:${secretId}`);
  return {
    async acquire(secretId, holder, untilMs, now) {
      try {
        const { Attributes } = await store.doc.send(
          new UpdateCommand({
            TableName: store.table,
            Key: key(secretId),
            UpdateExpression: 'SET holder = :holder, leaseUntil = :until, expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil < :now',
            ExpressionAttributeValues: {
              ':holder': holder,
              ':until': untilMs,
              ':expires': Math.ceil(untilMs / 1000) + KEEP_SECONDS,
              ':now': now,
            },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const lastVersion = Attributes?.writtenVersion;
        return typeof lastVersion === 'string' ? { lastVersion } : {};
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async release(secretId, holder, writtenVersion) {
      try {
        await store.doc.send(
          new UpdateCommand({
            TableName: store.table,
            Key: key(secretId),
            UpdateExpression: writtenVersion
              ? 'SET leaseUntil = :free, writtenVersion = :version'
              : 'SET leaseUntil = :free',
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: {
              ':holder': holder,
              ':free': 0,
              ...(writtenVersion ? { ':version': writtenVersion } : {}),
            },
          }),
        );
      } catch (error) {
        // the lease ran out and someone else holds it now: theirs to give back
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}

/** The credentials of one channel in its organisation's entries. */
export function entryOf(entries: OrgEntries | undefined, location: SecretLocation): Credentials | undefined {
  return location.entry === undefined ? undefined : entries?.[location.entry];
}
