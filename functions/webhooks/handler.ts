/**
 * The platforms' webhooks, public routes that trust nothing but a valid signature: Meta's Page feed
 * and Instagram comments (`/webhooks/meta`), Threads replies (`/webhooks/threads`), each with its
 * subscription check (GET), and each Telegram channel's bot (`/webhooks/telegram/{channel}`).
 * The raw body is checked before it is parsed; nothing a citizen wrote is logged.
 */
import { createApiHandler, json, type ApiEvent, type PublicRouteHandler } from '../../shared/api/http';
import { logger } from '../../shared/observability/powertools';
import type { RouteKeyOf } from '../../shared/api/routes';
import {
  receiveMetaWebhook,
  receiveTelegramWebhook,
  verifySubscription,
  type MetaWebhook,
  type WebhookRequest,
} from '../../shared/replies/webhooks/receive';
import { defaultStore } from '../../shared/store/client';

const rawRequest = (event: ApiEvent): WebhookRequest => ({
  rawBody: event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0),
  headers: Object.fromEntries(Object.entries(event.headers).map(([name, value]) => [name.toLowerCase(), value])),
});

const challenge: PublicRouteHandler = async ({ query }) => ({
  statusCode: 200,
  headers: { 'content-type': 'text/plain' },
  body: await verifySubscription(query, {}),
});

const meta =
  (webhook: MetaWebhook): PublicRouteHandler =>
  async ({ event }) => {
    const outcome = await receiveMetaWebhook(webhook, rawRequest(event), { store: defaultStore() });
    logger.info('webhook received', { webhook, ...outcome });
    return json(200, { received: true });
  };

const routes: Record<RouteKeyOf<'webhooks'>, PublicRouteHandler> = {
  'GET /webhooks/meta': challenge,
  'POST /webhooks/meta': meta('meta'),
  'GET /webhooks/threads': challenge,
  'POST /webhooks/threads': meta('threads'),
  'POST /webhooks/telegram/{channel}': async ({ event, params }) => {
    const outcome = await receiveTelegramWebhook(params.channel, rawRequest(event), { store: defaultStore() });
    logger.info('webhook received', { webhook: 'telegram', ...outcome });
    return json(200, { received: true });
  },
};

export const handler = createApiHandler({}, routes);
