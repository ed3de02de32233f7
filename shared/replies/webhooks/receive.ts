/**
 * The webhook routes' work, for functions/webhooks/handler.ts: the body's size first (over the
 * limit: 400, nothing read), then the signature over the raw bytes (missing or wrong: 401, nothing
 * parsed or stored), then the body's shape (not JSON, or not the platform's documented shape: 400,
 * nothing stored), then the events. Meta's subscription check (GET) answers the challenge only to
 * the configured verify token.
 */
import * as z from 'zod';
import { ProblemError } from '../../api/problem';
import { IdSchema } from '../../model/schemas';
import type { Store } from '../../store/client';
import { applyPushedEvents, type PushOutcome } from '../push';
import {
  loadWebhookSecrets,
  metaAppSecret,
  sameSecret,
  telegramSecretToken,
  validMetaSignature,
  type WebhookSecrets,
} from '../webhook-secrets';
import type { PushedEvent } from './events';
import { graphWebhookEvents, threadsWebhookEvents } from './meta';
import { telegramWebhookEvents } from './telegram';

/** The largest webhook body Herold reads: Meta batches at most a thousand changes, Telegram sends one update. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

export type MetaWebhook = 'meta' | 'threads';

export interface WebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | undefined>;
}

export interface WebhookDeps {
  store: Store;
  now?: () => Date;
  secrets?: () => Promise<WebhookSecrets>;
  appSecret?: (webhook: MetaWebhook) => Promise<string>;
}

/** Meta's subscription check: `hub.mode=subscribe`, the verify token, and the challenge to echo. */
export async function verifySubscription(
  query: Record<string, string | undefined>,
  deps: Pick<WebhookDeps, 'secrets'>,
): Promise<string> {
  const challenge = query['hub.challenge'];
  if (query['hub.mode'] !== 'subscribe' || !challenge || !query['hub.verify_token'])
    throw new ProblemError(400, 'expected hub.mode=subscribe, hub.verify_token and hub.challenge');
  const { metaVerifyToken } = await (deps.secrets ?? loadWebhookSecrets)();
  if (!sameSecret(query['hub.verify_token'], metaVerifyToken))
    throw new ProblemError(403, 'the verify token does not match');
  return challenge;
}

function checkSize(request: WebhookRequest) {
  if (request.rawBody.byteLength === 0) throw new ProblemError(400, 'the body is empty');
  if (request.rawBody.byteLength > MAX_WEBHOOK_BYTES)
    throw new ProblemError(400, `the body is larger than ${MAX_WEBHOOK_BYTES / 1024} KB`);
}

function events(parse: () => PushedEvent[]): PushedEvent[] {
  try {
    return parse();
  } catch (error) {
    if (error instanceof z.ZodError)
      throw new ProblemError(
        400,
        `the body is not the platform's webhook payload (${error.issues[0]?.path.join('.') || 'body'})`,
      );
    throw error;
  }
}

function json(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new ProblemError(400, 'the body is not valid JSON');
  }
}

/** A signed Meta webhook: Page feed and Instagram comments (`meta`, the Facebook app) or Threads replies (`threads`). */
export async function receiveMetaWebhook(
  webhook: MetaWebhook,
  request: WebhookRequest,
  deps: WebhookDeps,
): Promise<PushOutcome> {
  checkSize(request);
  const signature = request.headers['x-hub-signature-256'];
  if (!signature) throw new ProblemError(401, 'X-Hub-Signature-256 is missing');
  const secret = await (deps.appSecret ?? ((which) => metaAppSecret(which === 'threads' ? 'threads' : 'facebook')))(
    webhook,
  );
  if (!validMetaSignature(signature, request.rawBody, secret))
    throw new ProblemError(401, 'the signature does not match the body');
  const body = json(request.rawBody);
  const parsed = events(() => (webhook === 'threads' ? threadsWebhookEvents(body) : graphWebhookEvents(body)));
  return applyPushedEvents(deps.store, parsed, (deps.now ?? (() => new Date()))());
}

/** A Telegram update for one channel's bot, with the secret token Herold gave that bot's webhook. */
export async function receiveTelegramWebhook(
  channelId: string | undefined,
  request: WebhookRequest,
  deps: WebhookDeps,
): Promise<PushOutcome> {
  checkSize(request);
  const token = request.headers['x-telegram-bot-api-secret-token'];
  if (!token) throw new ProblemError(401, 'X-Telegram-Bot-Api-Secret-Token is missing');
  const channel = IdSchema.safeParse(channelId);
  const { telegramSecret } = await (deps.secrets ?? loadWebhookSecrets)();
  // an unknown channel answers like a wrong token: the address alone reveals nothing
  if (!channel.success || !sameSecret(token, telegramSecretToken(telegramSecret, channel.data)))
    throw new ProblemError(401, 'the secret token does not match');
  const body = json(request.rawBody);
  const parsed = events(() => telegramWebhookEvents(channel.data, body));
  return applyPushedEvents(deps.store, parsed, (deps.now ?? (() => new Date()))());
}
