/**
 * Where connected credentials are written: one secret per channel in AWS Secrets Manager, named
 * `herold/<platform>/<channel-id>` (the layout the publishers read, each platform's function its own
 * prefix), or the channel's entry in its organisation's secret (`herold/orgs/<org>#<channel-id>`,
 * changed under the secret's lease: shared/publishing/org-secrets), or an item of the credentials
 * table (`table:<platform>/<channel-id>`: shared/publishing/credentials-table), or an entry
 * `local:<channel-id>` in the local stack's credentials file. Only the connect
 * function writes here; the publishers and the token health check read through
 * shared/publishing/credentials.ts.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ENV } from '../config';
import { CredentialsSchema, type Credentials } from '../platforms/client';
import { forgetCredentials, orgSecretDeps } from '../publishing/credentials';
import { readTableCredentials, removeTableCredentials, writeTableCredentials } from '../publishing/credentials-table';
import { isTableRef } from './refs';
import {
  changeOrgSecret,
  entryOf,
  readOrgSecret,
  secretLocation,
  secretsManagerBackend,
} from '../publishing/org-secrets';

const LocalFileSchema = z.record(z.string(), CredentialsSchema);

/** Days Secrets Manager keeps a deleted secret, within which it can be restored (7 to 30). */
export const RECOVERY_WINDOW_DAYS = 30;

export interface SecretStore {
  /** the stored credentials, or undefined when there are none */
  read(ref: string): Promise<Credentials | undefined>;
  /** creates the secret, or stores a new version of it */
  write(ref: string, credentials: Credentials, tags?: Record<string, string>): Promise<void>;
  /** deletes the secret (Secrets Manager: with its recovery window); nothing stored is fine */
  remove(ref: string): Promise<void>;
}

let client: SecretsManagerClient | undefined;
const secrets = () => (client ??= new SecretsManagerClient({}));

const errorName = (error: unknown) => (error instanceof Error ? error.name : '');

export const secretsManagerStore: SecretStore = {
  async read(ref) {
    const location = secretLocation(ref);
    if (location.entry !== undefined)
      return entryOf(await readOrgSecret(location.secretId, secretsManagerBackend), location);
    try {
      const { SecretString } = await secrets().send(new GetSecretValueCommand({ SecretId: ref }));
      return SecretString ? CredentialsSchema.parse(JSON.parse(SecretString)) : undefined;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  },
  async write(ref, credentials, tags = {}) {
    const location = secretLocation(ref);
    if (location.entry !== undefined) {
      const valid = CredentialsSchema.parse(credentials);
      const { entry } = location;
      // the organisation's secret carries only the organisation's tag: its channels come and go
      const orgTags: Record<string, string> = tags['herold:org'] ? { 'herold:org': tags['herold:org'] } : {};
      await changeOrgSecret(location.secretId, (entries) => ({ ...entries, [entry]: valid }), orgSecretDeps(), orgTags);
      forgetCredentials(ref);
      return;
    }
    const SecretString = JSON.stringify(CredentialsSchema.parse(credentials));
    try {
      await secrets().send(
        new CreateSecretCommand({
          Name: ref,
          SecretString,
          Description: 'Herold channel credentials, written by the connect function',
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceExistsException') throw error;
      await secrets().send(new PutSecretValueCommand({ SecretId: ref, SecretString }));
    }
  },
  async remove(ref) {
    const location = secretLocation(ref);
    if (location.entry !== undefined) {
      const { entry } = location;
      const stored = await readOrgSecret(location.secretId, secretsManagerBackend);
      if (!stored?.[entry]) return;
      // the organisation's other channels keep their entries; an empty secret stays for the next channel
      await changeOrgSecret(
        location.secretId,
        (entries) => Object.fromEntries(Object.entries(entries).filter(([channelId]) => channelId !== entry)),
        orgSecretDeps(),
      );
      forgetCredentials(ref);
      return;
    }
    try {
      await secrets().send(new DeleteSecretCommand({ SecretId: ref, RecoveryWindowInDays: RECOVERY_WINDOW_DAYS }));
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
  },
};

/** The local stack's credentials file (HEROLD_CREDENTIALS_FILE), the same one the publishers read. */
export function localFileStore(file: string): SecretStore {
  const load = async () => LocalFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const save = async (all: z.infer<typeof LocalFileSchema>) => {
    // a reader never sees a half-written file
    const partial = `${file}.${process.pid}.${Date.now()}.partial`;
    await writeFile(partial, `${JSON.stringify(all, null, 2)}\n`);
    await rename(partial, file);
  };
  return {
    async read(ref) {
      return (await load())[ref];
    },
    async write(ref, credentials) {
      const all = await load();
      all[ref] = CredentialsSchema.parse(credentials);
      await save(all);
    },
    async remove(ref) {
      const all = await load();
      if (!(ref in all)) return;
      delete all[ref];
      await save(all);
    },
  };
}

/** The credentials table (`table:` refs); tags are Secrets Manager's, the table's items have none. */
export function credentialsTableStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  return {
    read: (ref) => readTableCredentials(ref, env),
    async write(ref, credentials) {
      await writeTableCredentials(ref, credentials, { renewal: false }, env);
      forgetCredentials(ref);
    },
    async remove(ref) {
      await removeTableCredentials(ref, env);
      forgetCredentials(ref);
    },
  };
}

/** The store a reference lives in: `local:` refs in the local file, `table:` refs in the credentials table, all others in Secrets Manager. */
export function secretStoreFor(ref: string, env: NodeJS.ProcessEnv = process.env): SecretStore {
  if (isTableRef(ref)) return credentialsTableStore(env);
  if (!ref.startsWith('local:')) return secretsManagerStore;
  const file = env[ENV.credentialsFile];
  if (!file) throw new Error(`${ENV.credentialsFile} is not set, so ${ref} cannot be resolved`);
  return localFileStore(file);
}
