/**
 * The replies inbox against a running local stack: the stack itself with an editor's token, the API as
 * that editor, the simulator's control routes (citizens' replies, deletion, posts), the collect-replies
 * schedule run on demand, the stored reply items themselves, and the audit log.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { localDynamoDocumentClient } from '../../local/aws';
import { signToken } from '../../local/dev-key';
import type { LocalStack } from '../../local/start';
import { startIsolatedStack } from './isolated-stack';

/**
 * A local stack of the test file's own (table and queues named after `label`) whose collect-replies
 * schedule runs only when the test runs it, and a token of the press office, editor and administrator.
 */
export async function startRepliesStack(label: string): Promise<{ stack: LocalStack; editor: string }> {
  const stack = await startIsolatedStack(label, { directoryPort: 0, collectRepliesIntervalMs: 3_600_000 });
  const editor = await signToken({ sub: 'presse', org: 'city', roles: ['editor', 'admin'], name: 'Pressestelle' });
  return { stack, editor };
}

export interface ReplyView {
  id: string;
  platform: string;
  messageId: string;
  text: string;
  author: { handle?: string; name?: string };
  question: boolean;
  hidden: boolean;
  canHide: boolean;
  nested: boolean;
  pending?: unknown;
  answer?: { messageId: string };
  expiresAt: string;
}

export interface SimPostView {
  platform: string;
  id: string;
  text: string;
  replyTo?: string;
}

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

async function request(url: string, method: string, body?: unknown, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Read until `done` holds or the time is up; the last value either way (the caller's expect says why). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

export function repliesHarness(stack: () => LocalStack, editor: () => string) {
  const api = (method: string, path: string, body?: unknown, token = editor()) =>
    request(`${stack().apiUrl}${path}`, method, body, token);
  const sim = (method: string, path: string, body?: unknown) => request(`${stack().simulatorUrl}${path}`, method, body);

  const harness = {
    api,
    sim,
    /** the collect-replies schedule, once */
    async collect() {
      const response = await fetch(`${stack().apiUrl}/_local/schedules/collect-replies/run`, { method: 'POST' });
      expect(response.status).toBeLessThan(300);
    },
    async replies(query = ''): Promise<ReplyView[]> {
      const { status, json } = await api('GET', `/replies?limit=200${query}`);
      expect(status).toBe(200);
      return json.items as ReplyView[];
    },
    /** citizens' replies at the simulator (POST /_sim/replies) */
    async addReplies(body: Record<string, unknown>) {
      const { status, json } = await sim('POST', '/_sim/replies', body);
      expect(status, JSON.stringify(json)).toBe(201);
      return json.replies as { id: string; webhookStatus?: number }[];
    },
    async deleteAtPlatform(platform: string, remoteId: string) {
      return (await sim('DELETE', `/_sim/replies/${platform}/${encodeURIComponent(remoteId)}`)).status;
    },
    async simPosts(platform: string): Promise<SimPostView[]> {
      return (await sim('GET', `/_sim/posts?platform=${platform}`)).json as unknown as SimPostView[];
    },
    /** publish a message through Herold and wait until it is out on every channel; its id and each post's remote id */
    async publishEverywhere(
      body: Record<string, unknown>,
      timeoutMs = 30_000,
    ): Promise<{ messageId: string; remoteIds: Record<string, string> }> {
      const created = await api('POST', '/messages', body);
      expect(created.status, JSON.stringify(created.json)).toBe(202);
      const messageId = String(created.json.id);
      const deliveries = await until(
        async () =>
          (await api('GET', `/messages/${messageId}`)).json.deliveries as {
            platform: string;
            state: string;
            remoteId?: string;
          }[],
        (list) => list.length > 0 && list.every((delivery) => delivery.state === 'PUBLISHED'),
        timeoutMs,
      );
      expect(deliveries.length).toBeGreaterThan(0);
      for (const delivery of deliveries) expect(delivery.state).toBe('PUBLISHED');
      return {
        messageId,
        remoteIds: Object.fromEntries(deliveries.map((delivery) => [delivery.platform, String(delivery.remoteId)])),
      };
    },
    /** publish a message on one channel through Herold; its id and the post's remote id */
    async publish(body: Record<string, unknown>): Promise<{ messageId: string; remoteId: string }> {
      const { messageId, remoteIds } = await harness.publishEverywhere(body, 60_000);
      return { messageId, remoteId: Object.values(remoteIds)[0]! };
    },
    /** the state of a channel's inbox as the workspace lists it */
    async inboxOf(channelId: string) {
      const { json } = await api('GET', '/replies?limit=1');
      return (
        json.channels as {
          id: string;
          inbox?: { status: string; reason?: string; until?: number; discussionGroup?: string };
        }[]
      ).find((channel) => channel.id === channelId)?.inbox;
    },
    /** the reply items of a message as DynamoDB keeps them */
    async storedItems(messageId: string) {
      const doc = localDynamoDocumentClient(stack().dynamoEndpoint);
      const items = await doc.send(
        new QueryCommand({
          TableName: stack().tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': `REPLIES#${messageId}` },
        }),
      );
      return items.Items ?? [];
    },
    /** today's audit records about one reply */
    async auditOf(replyId: string) {
      const today = new Date().toISOString().slice(0, 10);
      const audit = await api('GET', `/audit?from=${today}&to=${today}`);
      return (
        audit.json.items as { action: string; target: string; actor: string; after?: { reason?: string } }[]
      ).filter((entry) => entry.target === `reply/${replyId}`);
    },
    /** hide or show a reply through Herold and wait until the platform has done it */
    async moderate(reply: ReplyView, action: 'hide' | 'unhide', messageId: string) {
      const answer = await api(
        'POST',
        `/replies/${reply.id}/${action}`,
        action === 'hide' ? { reason: 'insult', note: 'Beleidigung' } : {},
      );
      expect(answer.status, JSON.stringify(answer.json)).toBe(202);
      return until(
        async () => (await harness.replies(`&message=${messageId}`)).find((item) => item.id === reply.id)!,
        (item) => item?.hidden === (action === 'hide') && !item.pending,
      );
    },
    /** answer a reply through Herold and wait until the answer is published */
    async answer(reply: ReplyView, text: string) {
      const answered = await api('POST', `/replies/${reply.id}/answer`, { text });
      expect(answered.status, JSON.stringify(answered.json)).toBe(202);
      const answerId = String((answered.json.message as { id: string }).id);
      const [delivery] = await until(
        async () => (await api('GET', `/messages/${answerId}`)).json.deliveries as { state: string }[],
        (list) => list[0]?.state === 'PUBLISHED',
      );
      expect(delivery?.state).toBe('PUBLISHED');
    },
  };
  return harness;
}

/**
 * Every stored reply carries a TTL: the retention period (14 days by default) after the post was
 * published, less at most `slackSeconds` for the time since then.
 */
export function expectRetentionTtl(items: Record<string, unknown>[], retentionDays = 14, slackSeconds = 600) {
  const seconds = retentionDays * 86_400;
  for (const item of items) {
    expect(typeof item.expiresAt).toBe('number');
    const left = (item.expiresAt as number) - Date.now() / 1000;
    expect(left).toBeGreaterThan(seconds - slackSeconds);
    expect(left).toBeLessThanOrEqual(seconds);
  }
}
