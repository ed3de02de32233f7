/**
 * The local development signing key: an ES256 key pair generated once into .herold/dev-key.json
 * (gitignored). `npm run token` signs with it and the local HTTP server verifies with it, as API
 * Gateway's JWT authorizer verifies tokens of the real identity provider in AWS.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, link, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { z } from 'zod';
import { PrincipalSchema, type Principal } from '../shared/model/schemas';

export const LOCAL_ISSUER = 'herold-local';
export const LOCAL_AUDIENCE = 'herold';
const ALG = 'ES256';
export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;

/** HEROLD_DEV_KEY_FILE overrides the location, e.g. for tests that want a throwaway key. */
export const devKeyPath = (): string =>
  process.env.HEROLD_DEV_KEY_FILE ??
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.herold', 'dev-key.json');

const JwkSchema = z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() });
const KeyFileSchema = z.object({
  kid: z.string(),
  privateJwk: JwkSchema.extend({ d: z.string() }),
  publicJwk: JwkSchema,
  createdAt: z.string(),
});

interface DevKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const loaded = new Map<string, Promise<DevKey>>();

export function devKey(file = devKeyPath()): Promise<DevKey> {
  let key = loaded.get(file);
  if (!key) {
    key = loadOrCreate(file);
    loaded.set(file, key);
    key.catch(() => loaded.delete(file));
  }
  return key;
}

async function loadOrCreate(file: string): Promise<DevKey> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    raw = await create(file);
  }
  const stored = KeyFileSchema.parse(JSON.parse(raw));
  return {
    kid: stored.kid,
    privateKey: (await importJWK(stored.privateJwk as JWK, ALG)) as CryptoKey,
    publicKey: (await importJWK(stored.publicJwk as JWK, ALG)) as CryptoKey,
  };
}

/** Written to a temporary file and linked into place, so two processes starting at once agree on one key. */
async function create(file: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const raw = JSON.stringify(
    {
      kid: await calculateJwkThumbprint(publicJwk),
      privateJwk: await exportJWK(privateKey),
      publicJwk,
      createdAt: new Date().toISOString(),
    },
    null,
    2,
  );
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, raw, { mode: 0o600 });
  try {
    await link(temporary, file);
    return raw;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFile(file, 'utf8');
  } finally {
    await unlink(temporary);
  }
}

export interface TokenRequest extends Principal {
  ttlSeconds?: number;
}

export async function signToken(request: TokenRequest): Promise<string> {
  const { sub, org, roles, name } = PrincipalSchema.parse(request);
  const ttlSeconds = request.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new Error(`ttlSeconds must be a positive whole number, got ${ttlSeconds}`);
  const key = await devKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org, roles, ...(name ? { name } : {}) })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** Verifies signature, algorithm, issuer, audience and expiry; throws a jose error otherwise. */
export async function verifyToken(token: string): Promise<JWTPayload> {
  const key = await devKey();
  const { payload } = await jwtVerify(token, key.publicKey, {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    algorithms: [ALG],
    requiredClaims: ['sub', 'exp'],
  });
  return payload;
}
