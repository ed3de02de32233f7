import { describe, expect, it } from 'vitest';
import { citizenReplies, topLevelOf } from '../../../shared/platforms/clients/reply-tree';
import { isAccessCheckDue, isDue, pollIntervalMinutes } from '../../../shared/replies/cadence';
import { remoteHash, replyIdOf, replyKeyParts } from '../../../shared/replies/ids';
import { isQuestion } from '../../../shared/replies/question';
import { telegramSecretToken, validMetaSignature } from '../../../shared/replies/webhook-secrets';
import { metaSignature } from '../../../local/simulator/replies';

describe('isQuestion', () => {
  it.each([
    'Wann wird die Straße wieder freigegeben?',
    'Ist die Fähre in Johannstadt in Betrieb',
    'Gibt es schon eine Entwarnung',
    'weiß jemand, ob die Schulen morgen offen sind',
    'Und jetzt?!',
    'Wo bekomme ich Sandsäcke 🙏',
    'Is the ferry running',
    'Does anyone know when the bridge opens',
    'Danke. Wie lange noch',
  ])('counts %j as a question', (text) => expect(isQuestion(text)).toBe(true));

  it.each([
    'Danke für die Info!',
    'Wie schön!',
    'Was für ein Einsatz!',
    'Ist ja toll',
    'Ist doch klar.',
    'Mehr unter https://www.dresden.de/hochwasser?x=1',
    '#Hochwasser @feuerwehr_dresden',
    '',
  ])('does not count %j', (text) => expect(isQuestion(text)).toBe(false));
});

describe('poll cadence', () => {
  const minute = 60_000;
  const now = Date.UTC(2026, 4, 2, 12, 0);
  const post = (ageMs: number, emergency = false) => ({ publishedAtMs: now - ageMs, emergency, spread: 3 });

  it('reads every minute in a post’s first hour and an emergency message’s first day, then less often', () => {
    expect(pollIntervalMinutes(post(30 * minute), now, 14)).toBe(1);
    expect(pollIntervalMinutes(post(5 * 60 * minute), now, 14)).toBe(5);
    expect(pollIntervalMinutes(post(5 * 60 * minute, true), now, 14)).toBe(1);
    expect(pollIntervalMinutes(post(2 * 1440 * minute), now, 14)).toBe(15);
    expect(pollIntervalMinutes(post(5 * 1440 * minute), now, 14)).toBe(60);
  });

  it('stops when the retention period ends', () => {
    expect(pollIntervalMinutes(post(14 * 1440 * minute), now, 14)).toBeUndefined();
    expect(isDue(post(14 * 1440 * minute), now, 14)).toBe(false);
    expect(pollIntervalMinutes(post(14 * 1440 * minute), now, 30)).toBe(60);
  });

  it('is due once per interval, in the minute its spread picks', () => {
    const fiveMinutePost = post(5 * 60 * minute);
    const due = Array.from({ length: 10 }, (_, i) => isDue(fiveMinutePost, now + i * minute, 14));
    expect(due.filter(Boolean)).toHaveLength(2);
    expect(isAccessCheckDue(now, 0, false)).toBe(true);
    expect(
      Array.from({ length: 10 }, (_, i) => isAccessCheckDue(now + i * minute, 4, true)).filter(Boolean),
    ).toHaveLength(1);
  });

  it('makes a channel’s posts fall due together, and spreads the channels over the minutes', () => {
    // one post of each interval on one channel (spread 7): 60, 15, 5 and 1 minutes
    const ofChannel = (spread: number) =>
      [5 * 1440, 2 * 1440, 5 * 60, 0].map((ageMinutes) => ({
        publishedAtMs: now - ageMinutes * minute,
        emergency: false,
        spread,
      }));
    const posts = ofChannel(7);
    const hour = Array.from({ length: 60 }, (_, i) => now + i * minute);
    for (const at of hour) {
      const due = posts.map((one) => isDue(one, at, 14));
      // when a post is due, every post of the channel read at least as often is due in that minute too
      for (const [index, isDueNow] of due.entries()) if (isDueNow) expect(due.slice(index)).not.toContain(false);
    }
    const minutesDue = (list: typeof posts) => hour.filter((at) => list.some((one) => isDue(one, at, 14))).length;
    // every minute while a post is in its first hour
    expect(minutesDue(posts)).toBe(60);
    // without it, the channel is read in 12 of the hour's minutes, not in 12 + 4 + 1 separate ones
    expect(minutesDue(posts.slice(0, 3))).toBe(12);
    // channels with other offsets read their hourly posts in other minutes
    const hourlyMinute = (spread: number) => hour.findIndex((at) => isDue(ofChannel(spread)[0]!, at, 14));
    expect(new Set([7, 8, 9, 10].map(hourlyMinute)).size).toBe(4);
  });
});

describe('reply ids', () => {
  const parts = {
    messageId: '01JTESTMESSAGE0000000000000',
    channelId: 'city-facebook',
    hash: remoteHash('city-facebook', '123_456'),
  };

  it('round-trips Herold’s own ids and refuses anything else', () => {
    const id = replyIdOf(parts);
    expect(replyKeyParts(id)).toEqual(parts);
    expect(id).not.toContain('123_456');
    expect(replyKeyParts(`${id}A`)).toBeUndefined();
    expect(replyKeyParts('../../etc/passwd')).toBeUndefined();
    expect(replyKeyParts(Buffer.from('a/b/zz', 'utf8').toString('base64url'))).toBeUndefined();
  });

  it('gives push and poll the same key for one reply, and different channels different keys', () => {
    expect(remoteHash('city-facebook', '123_456')).toBe(remoteHash('city-facebook', '123_456'));
    expect(remoteHash('city-facebook', '123_456')).not.toBe(remoteHash('fire-facebook', '123_456'));
  });
});

describe('reply trees', () => {
  const node = (id: string, parentId: string, own = false) => ({ id, parentId, own });

  it('keeps citizens’ replies, leaves out Herold’s own posts and what hangs under a thread update', () => {
    const nodes = [
      node('a', 'root'),
      node('b', 'a'),
      node('answer', 'a', true),
      node('c', 'answer'),
      node('update', 'root', true),
      node('under-update', 'update'),
    ];
    expect(citizenReplies('root', nodes).map((n) => n.id)).toEqual(['a', 'b', 'c']);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    expect(topLevelOf('root', byId.get('c')!, byId)).toBe('a');
  });

  it('ends on a cycle instead of looping', () => {
    const nodes = [node('x', 'y'), node('y', 'x')];
    expect(citizenReplies('root', nodes).map((n) => n.id)).toEqual(['x', 'y']);
  });
});

describe('webhook secrets', () => {
  const body = Buffer.from('{"object":"page","entry":[]}');

  it('accepts only the HMAC-SHA256 of the raw body with the app secret', () => {
    expect(validMetaSignature(metaSignature(body.toString(), 'secret'), body, 'secret')).toBe(true);
    expect(validMetaSignature(metaSignature(body.toString(), 'other'), body, 'secret')).toBe(false);
    expect(validMetaSignature(metaSignature(`${body.toString()} `, 'secret'), body, 'secret')).toBe(false);
    expect(validMetaSignature(undefined, body, 'secret')).toBe(false);
    expect(validMetaSignature('sha1=abc', body, 'secret')).toBe(false);
  });

  it('derives a Telegram secret token per channel within what setWebhook allows', () => {
    const token = telegramSecretToken('webhook-secret', 'city-telegram');
    expect(token).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(token).not.toBe(telegramSecretToken('webhook-secret', 'fire-telegram'));
  });
});
