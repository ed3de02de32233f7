import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../../shared/model/schemas';
import type { FollowerFigure, FollowerSource } from '../../../shared/followers/store';
import { addDays } from '../../../shared/followers/dates';

export function channel(overrides: Partial<Channel> & Pick<Channel, 'id' | 'platform'>): Channel {
  return {
    org: 'city',
    handle: overrides.id,
    state: 'active',
    account: `account-${overrides.id}`,
    credentialsRef: `local:${overrides.id}`,
    ...overrides,
  };
}

/** The City of Dresden's channels as named in its press release of 2 February 2024. */
export const CITY_CHANNELS: Channel[] = [
  channel({
    id: 'city-facebook',
    platform: 'facebook',
    handle: 'stadt.dresden',
    profileUrl: 'https://www.facebook.com/stadt.dresden',
  }),
  channel({
    id: 'city-instagram',
    platform: 'instagram',
    handle: 'landeshauptstadt_dresden',
    profileUrl: 'https://www.instagram.com/landeshauptstadt_dresden',
  }),
  channel({
    id: 'city-youtube',
    platform: 'youtube',
    handle: '@LHDDresden',
    profileUrl: 'https://www.youtube.com/@LHDDresden',
  }),
  channel({
    id: 'city-linkedin',
    platform: 'linkedin',
    handle: 'landeshauptstadt-dresden',
    profileUrl: 'https://de.linkedin.com/company/landeshauptstadt-dresden',
  }),
];

export function figure(channelId: string, date: string, count: number, source: FollowerSource = 'api'): FollowerFigure {
  return { channelId, date, count, source, collectedAt: `${date}T04:00:00.000Z` };
}

/** Daily figures from `from`, one per count; `null` is a day without a figure. */
export function dailySeries(channelId: string, from: string, counts: readonly (number | null)[]): FollowerFigure[] {
  return counts.flatMap((count, index) => (count === null ? [] : [figure(channelId, addDays(from, index), count)]));
}

/** A document client that records what it is sent and answers from `respond`. */
export function recordingDoc(
  respond: (command: { constructor: { name: string }; input: unknown }) => unknown = () => ({}),
) {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const doc = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      return respond(command);
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, sent };
}
