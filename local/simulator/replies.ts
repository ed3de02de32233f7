/**
 * Citizens' replies in the simulator. A test (or a person trying the local stack) adds them with
 * `POST /_sim/replies` `{ platform, postId, parentId?, text, handle?, name?, count?, webhook? }`:
 * each platform module stores them where its own API lists them (Mastodon's statuses, Facebook's
 * comments …), with the platform's paging and hiding. With `webhook: "<url>"` the simulator also
 * pushes each new reply there as the platform would, signed with the platform app's secret (the
 * one in the local credentials file); Telegram pushes each to the bot's own webhook (setWebhook)
 * without being asked. Each pushed reply's answer names the webhook's status and body.
 * `DELETE /_sim/replies/<platform>/<id>` deletes one as its author would (no webhook: most
 * platforms report no deletion by someone else).
 */
import { createHmac } from 'node:crypto';
import type { PlatformId } from '../../shared/platforms/registry';
import type { SimPlatform, SimRequest, SimResponse, SimState, SimWebhook } from './types';

/** The simulated platform apps' secrets, as in local/seed/credentials.json (`local:app-<platform>`). */
export const SIM_APP_SECRETS: Partial<Record<PlatformId, string>> = {
  facebook: 'sim-facebook-app-secret',
  instagram: 'sim-facebook-app-secret',
  threads: 'sim-threads-app-secret',
};

export const metaSignature = (rawBody: string, appSecret: string) =>
  `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

export async function push(url: string, webhook: SimWebhook): Promise<number> {
  const raw = JSON.stringify(webhook.body);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(webhook.appSecret ? { 'x-hub-signature-256': metaSignature(raw, webhook.appSecret) } : {}),
      ...webhook.headers,
    },
    body: raw,
  });
  await response.arrayBuffer();
  return response.status;
}

export async function controlReplies(
  request: SimRequest,
  state: SimState,
  modules: ReadonlyMap<string, SimPlatform>,
): Promise<SimResponse | undefined> {
  if (request.method === 'POST' && request.path === '/_sim/replies') {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const module = modules.get(String(body.platform));
    if (!module?.replies) return { status: 400, body: { error: `no replies on platform ${String(body.platform)}` } };
    const postId = text(body.postId);
    const replyText = text(body.text);
    if (!postId || replyText === undefined) return { status: 400, body: { error: 'postId and text are required' } };
    const count = Math.min(1000, Math.max(1, Number(body.count ?? 1) || 1));
    const created: { id: string; webhookStatus?: number }[] = [];
    for (let index = 0; index < count; index += 1) {
      const added = module.replies.add(
        {
          postId,
          ...(text(body.parentId) ? { parentId: text(body.parentId) } : {}),
          text: count > 1 ? `${replyText} ${index + 1}` : replyText,
          ...(text(body.handle) ? { handle: text(body.handle) } : {}),
          ...(text(body.name) ? { name: text(body.name) } : {}),
        },
        state,
      );
      if (!added) return { status: 404, body: { error: `no post or reply ${postId} on ${module.id}` } };
      const webhookUrl = text(body.webhook) ?? added.webhook?.url;
      created.push({
        id: added.id,
        ...(webhookUrl && added.webhook
          ? { webhookStatus: await push(webhookUrl, added.webhook), webhookBody: added.webhook.body }
          : {}),
      });
    }
    return { status: 201, body: { replies: created } };
  }
  const match = /^\/_sim\/replies\/([a-z]+)\/([^/]+)$/.exec(request.path);
  if (request.method === 'DELETE' && match) {
    const module = modules.get(match[1]!);
    if (!module?.replies) return { status: 400, body: { error: `no replies on platform ${match[1]}` } };
    return module.replies.remove(decodeURIComponent(match[2]!), state)
      ? { status: 204 }
      : { status: 404, body: { error: 'no such reply' } };
  }
  return undefined;
}
