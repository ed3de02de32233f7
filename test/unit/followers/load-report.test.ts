import { describe, expect, it } from 'vitest';
import { followerReportResponse, loadFollowerReport } from '../../../shared/followers/load-report';
import type { FollowerReport } from '../../../shared/followers/report';
import { channel, recordingDoc } from './fixtures';

const channels = [
  channel({ id: 'city-x', platform: 'x', state: 'frozen' }),
  channel({ id: 'city-pinterest', platform: 'pinterest', state: 'retired' }),
  channel({ id: 'city-telegram', platform: 'telegram', state: 'retired' }),
];
const figures: Record<string, Record<string, unknown>[]> = {
  'CHANNEL#city-x': [{ SK: 'FOLLOWERS#2024-01-01', count: 10, source: 'api', collectedAt: '2024-01-01T04:00:00.000Z' }],
  'CHANNEL#city-telegram': [
    { SK: 'FOLLOWERS#2024-01-01', count: 5, source: 'api', collectedAt: '2024-01-01T04:00:00.000Z' },
  ],
};

const tableDoc = () =>
  recordingDoc((command) => {
    const input = command.input as { IndexName?: string; ExpressionAttributeValues: Record<string, string> };
    if (input.IndexName === 'GSI1')
      return {
        Items: channels.map((entry) => ({
          PK: `CHANNEL#${entry.id}`,
          SK: 'CHANNEL',
          GSI1PK: 'ORGCHANNELS#city',
          ...entry,
        })),
      };
    return { Items: figures[input.ExpressionAttributeValues[':pk']!] ?? [] };
  });

describe('loadFollowerReport', () => {
  it('reports frozen channels, and retired ones only for the time they were measured', async () => {
    const { doc, sent } = tableDoc();
    const report = await loadFollowerReport(doc, 't', { org: 'city', from: '2024-01-01', to: '2024-01-31' });
    expect(report.channels.map((entry) => entry.channelId)).toEqual(['city-x', 'city-telegram']);
    expect(sent.every((command) => command.name === 'QueryCommand')).toBe(true);
  });
});

describe('followerReportResponse', () => {
  it('answers a bad query with 400 and the field list, reading nothing', async () => {
    const { doc, sent } = tableDoc();
    const response = await followerReportResponse({
      doc,
      table: 't',
      params: { org: 'city', from: '2024-01-31', to: '2024-01-01' },
      accept: 'application/json',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toEqual({
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      detail: 'from: must not be after to',
      errors: [{ field: 'from', message: 'must not be after to' }],
    });
    expect(sent).toEqual([]);
  });

  it('uses format= from the query, and the .html route can force HTML', async () => {
    const { doc } = tableDoc();
    const params = { org: 'city', from: '2024-01-01', to: '2024-01-31', format: 'md' };
    expect(
      (await followerReportResponse({ doc, table: 't', params, accept: 'application/json' })).headers['content-type'],
    ).toBe('text/markdown; charset=utf-8');
    expect(
      (
        await followerReportResponse({
          doc,
          table: 't',
          params: { ...params, format: undefined },
          accept: 'application/json',
          format: 'html',
        })
      ).body,
    ).toMatch(/^<!doctype html>/);
    const json = await followerReportResponse({
      doc,
      table: 't',
      params: { ...params, format: undefined },
      accept: undefined,
    });
    expect((JSON.parse(json.body) as FollowerReport).org).toBe('city');
  });
});
