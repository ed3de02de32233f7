/**
 * What the webhooks trust: Meta's signatures are HMAC-SHA256 with the app's secret (the Facebook
 * app's for Page feed and Instagram comments, the Threads app's for Threads replies, the same
 * secrets the connect function signs in with); Meta's subscription is confirmed with a verify
 * token; Telegram sends every update with the secret token Herold gave the bot's webhook, one per
 * channel, derived from one Telegram webhook secret. The verify token and the Telegram secret are
 * one secret in Secrets Manager (`HEROLD_WEBHOOK_SECRET`, default `herold-webhooks`; locally
 * `local:webhooks` in the credentials file).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Channel } from '../model/schemas';
import type { PlatformId } from '../platforms/registry';
import { loadCredentials } from '../publishing/credentials';
import { appSecretName } from '../connect/flow';

export const WEBHOOK_ENV = {
  /** the secret with `metaVerifyToken` and `telegramSecret` */
  secret: 'HEROLD_WEBHOOK_SECRET',
  /** the API's public base URL, where Telegram sends updates (`<url>/webhooks/telegram/<channel>`) */
  publicApiUrl: 'HEROLD_PUBLIC_API_URL',
} as const;

/** These secrets are changed by hand in Secrets Manager, where no channel item tells a warm function: 5 minutes. */
const HAND_SET_MAX_AGE_MS = 5 * 60_000;

export interface WebhookSecrets {
  metaVerifyToken: string;
  telegramSecret: string;
}

export async function loadWebhookSecrets(env: NodeJS.ProcessEnv = process.env): Promise<WebhookSecrets> {
  const stored = await loadCredentials(env[WEBHOOK_ENV.secret] ?? 'herold-webhooks', { maxAgeMs: HAND_SET_MAX_AGE_MS });
  if (!stored.metaVerifyToken || !stored.telegramSecret)
    throw new Error('the webhook secret needs metaVerifyToken and telegramSecret');
  return { metaVerifyToken: stored.metaVerifyToken, telegramSecret: stored.telegramSecret };
}

/** The secret a Meta app signs its webhooks with: the app secret (`clientSecret` of herold-apps/<platform>). */
export async function metaAppSecret(platform: PlatformId, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const stored = await loadCredentials(appSecretName(platform, env), { maxAgeMs: HAND_SET_MAX_AGE_MS });
  if (!stored.clientSecret) throw new Error(`the ${platform} app secret has no clientSecret`);
  return stored.clientSecret;
}

/** The secret token of one channel's Telegram webhook (1–256 of A–Z a–z 0–9 _ -, as setWebhook allows). */
export const telegramSecretToken = (telegramSecret: string, channelId: string): string =>
  createHmac('sha256', telegramSecret).update(`telegram-webhook:${channelId}`).digest('base64url');

/** Where a Telegram channel's bot sends its updates, with the token it sends along; undefined without a public URL. */
export async function telegramWebhook(
  channel: Pick<Channel, 'id'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; secretToken: string } | undefined> {
  const base = env[WEBHOOK_ENV.publicApiUrl]?.replace(/\/+$/, '');
  if (!base) return undefined;
  const { telegramSecret } = await loadWebhookSecrets(env);
  return {
    url: `${base}/webhooks/telegram/${encodeURIComponent(channel.id)}`,
    secretToken: telegramSecretToken(telegramSecret, channel.id),
  };
}

/** Constant-time comparison of two strings (different lengths differ). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether `X-Hub-Signature-256` (`sha256=<hex>`) is the HMAC-SHA256 of the raw body with the app secret. */
export function validMetaSignature(header: string | undefined, rawBody: Buffer, appSecret: string): boolean {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest('hex');
  return sameSecret(given.toLowerCase(), expected);
}
