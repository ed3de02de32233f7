/**
 * A connection between `POST /channels/{id}/connect` and the platform's redirect to
 * `GET /oauth/callback/{platform}`: bound to the admin who started it, the channel and the platform,
 * single use, and valid for 10 minutes. The item is keyed by the SHA-256 of the `state` (the state
 * itself, a bearer secret while it lives, is never stored), and taking it is one conditional delete:
 * a replayed, forged, foreign-platform or expired state finds nothing to take and changes nothing.
 * DynamoDB's TTL removes attempts nobody finished.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { IdSchema, OrgIdSchema, PlatformIdSchema, type Principal } from '../model/schemas';
import { isConditionFailure, type Store } from '../store/client';
import { keys } from '../store/keys';

export const ATTEMPT_LIFETIME_MS = 10 * 60_000;

const AttemptSchema = z.object({
  org: OrgIdSchema,
  channelId: IdSchema,
  platform: PlatformIdSchema,
  /** who started it */
  sub: z.string(),
  name: z.string().optional(),
  redirectUri: z.string(),
  /** the PKCE verifier, when the authorisation request carried its challenge */
  codeVerifier: z.string().optional(),
  extras: z.record(z.string(), z.string()),
  createdAt: z.iso.datetime(),
  expiresAtMs: z.number(),
});
export type ConnectAttempt = z.infer<typeof AttemptSchema>;

const hashOf = (state: string) => createHash('sha256').update(state).digest('hex');

/** 256 random bits, URL-safe: the `state` (and, for PKCE, the verifier: 43 characters, RFC 7636 §4.1). */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/** The S256 challenge of a PKCE verifier (RFC 7636 §4.2). */
export const codeChallenge = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export async function createAttempt(
  store: Store,
  principal: Principal,
  attempt: Pick<ConnectAttempt, 'channelId' | 'platform' | 'redirectUri' | 'codeVerifier' | 'extras'>,
  now: Date,
): Promise<{ state: string; expiresAt: string }> {
  const state = randomSecret();
  const expiresAtMs = now.getTime() + ATTEMPT_LIFETIME_MS;
  const item: ConnectAttempt = AttemptSchema.parse({
    ...attempt,
    org: principal.org,
    sub: principal.sub,
    ...(principal.name ? { name: principal.name } : {}),
    createdAt: now.toISOString(),
    expiresAtMs,
  });
  await store.doc.send(
    new PutCommand({
      TableName: store.table,
      Item: { ...keys.connectAttempt(hashOf(state)), ...item, expiresAt: Math.ceil(expiresAtMs / 1000) + 3600 },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  return { state, expiresAt: new Date(expiresAtMs).toISOString() };
}

/** Takes the attempt a callback's `state` names, once: undefined when there is none to take. */
export async function takeAttempt(
  store: Store,
  state: string,
  platform: string,
  now: Date,
): Promise<ConnectAttempt | undefined> {
  if (state.length < 16 || state.length > 200) return undefined;
  try {
    const { Attributes } = await store.doc.send(
      new DeleteCommand({
        TableName: store.table,
        Key: keys.connectAttempt(hashOf(state)),
        ConditionExpression: 'attribute_exists(PK) AND platform = :platform AND expiresAtMs > :now',
        ExpressionAttributeValues: { ':platform': platform, ':now': now.getTime() },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ? AttemptSchema.parse(Attributes) : undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
