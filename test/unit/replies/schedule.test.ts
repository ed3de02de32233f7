/**
 * The collect-replies schedule reads its organisations' reply settings and watched posts side by side,
 * never more than ORG_READ_CONCURRENCY organisations at a time.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect, it } from 'vitest';
import { ORG_READ_CONCURRENCY, plannedReplyJobs } from '../../../shared/replies/schedule';
import type { Store } from '../../../shared/store/client';

it('reads the organisations side by side, at most ORG_READ_CONCURRENCY at a time', async () => {
  let reading = 0;
  let most = 0;
  const settingsRead: string[] = [];
  const send = async (command: unknown) => {
    // every Query (channels, watched posts) finds nothing; the settings reads take a while
    if (!(command instanceof GetCommand)) return { Items: [] };
    settingsRead.push(String(command.input.Key?.PK));
    reading += 1;
    most = Math.max(most, reading);
    await new Promise((resolve) => setTimeout(resolve, 5));
    reading -= 1;
    return {};
  };
  const orgs = Array.from({ length: 40 }, (_, index) => `org-${index}`);
  const store = { doc: { send }, table: 'herold' } as unknown as Store;

  expect(await plannedReplyJobs({ store, orgs, nowMs: Date.now() })).toEqual([]);
  expect(settingsRead).toHaveLength(40);
  expect(ORG_READ_CONCURRENCY).toBeGreaterThan(1);
  expect(most).toBe(ORG_READ_CONCURRENCY);
});
