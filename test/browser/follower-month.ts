/**
 * A month of daily follower figures before today for the browser tests' stack, so the follower
 * page's chart has lines to draw rather than one dot per channel: the stack itself has counted only
 * today. Each channel's history runs up to today's counted figure at a steady daily gain of its own.
 */
import { localDynamoDocumentClient } from '../../local/aws';
import type { LocalStack } from '../../local/start';
import { addDays } from '../../shared/followers/dates';
import { batchWriteFollowerCounts, latestFollowerFigure, type FollowerWrite } from '../../shared/followers/store';
import { PLATFORMS } from '../../shared/platforms/registry';

const DAYS = 30;

export async function seedFollowerMonth(stack: LocalStack, timeoutMs = 30_000): Promise<void> {
  const doc = localDynamoDocumentClient(stack.dynamoEndpoint);
  try {
    const counted = stack.channels.filter(
      (channel) => channel.state !== 'retired' && PLATFORMS[channel.platform].followers === 'api',
    );
    const deadline = Date.now() + timeoutMs;
    const writes: FollowerWrite[] = [];
    for (const [index, channel] of counted.entries()) {
      // the stack's first collection runs as it starts: wait for this channel's figure
      let today = await latestFollowerFigure(doc, stack.tableName, channel.id);
      while (!today && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        today = await latestFollowerFigure(doc, stack.tableName, channel.id);
      }
      if (!today) throw new Error(`no follower figure for ${channel.id} after ${timeoutMs} ms`);
      const dailyGain = 5 + ((index * 37) % 60);
      for (let daysBefore = 1; daysBefore <= DAYS; daysBefore += 1) {
        const date = addDays(today.date, -daysBefore);
        writes.push({
          channel,
          date,
          count: Math.max(0, today.count - dailyGain * daysBefore),
          source: 'api',
          collectedAt: `${date}T04:30:00.000Z`,
        });
      }
    }
    await batchWriteFollowerCounts(doc, stack.tableName, writes);
  } finally {
    doc.destroy();
  }
}
