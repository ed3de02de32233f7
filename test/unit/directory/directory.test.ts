/**
 * The directory's rules without a stack: which channels and messages are public, one message per
 * language, the edge functions' headers, the feed against RFC 4287 (and the checker against
 * feeds that break it), and the QR codes.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '../../../shared/config';
import type { Channel, Message } from '../../../shared/model/schemas';
import { listedChannels, publicMessage, type DirectoryContent } from '../../../shared/directory/content';
import {
  runEdgeFunction,
  VIEWER_REQUEST_SOURCE,
  VIEWER_RESPONSE_SOURCE,
  type EdgeHeaders,
} from '../../../shared/directory/edge';
import { firstLine, messagesFor, renderFeed, renderPage } from '../../../shared/directory/render';
import { qrPng } from '../../../shared/directory/qr';
import { atomEntries, atomProblems } from '../../support/atom';
import { decodeQrPng } from '../../support/qr';

const channel = (id: string, extra: Partial<Channel>): Channel => ({
  id,
  org: 'city',
  platform: 'mastodon',
  handle: `@${id}`,
  state: 'active',
  account: id,
  credentialsRef: `local:${id}`,
  profileUrl: `https://social.example/@${id}`,
  ...extra,
});

const message = (extra: Partial<Message>): Message => ({
  id: 'm1',
  org: 'city',
  kind: 'post',
  priority: 'normal',
  text: 'Hallo',
  media: [],
  createdBy: 'anna',
  createdAt: '2026-01-01T10:00:00.000Z',
  channelIds: ['a'],
  ...extra,
});

describe('what is public', () => {
  it('lists active and frozen channels, never retired, unconnected or address-less ones', () => {
    const listed = listedChannels([
      channel('active', {}),
      channel('frozen', { state: 'frozen' }),
      channel('retired', { state: 'retired' }),
      channel('new', { state: 'frozen', connection: { status: 'not-connected' } }),
      channel('nowhere', { profileUrl: undefined }),
    ]);
    expect(listed.map((entry) => [entry.id, entry.monitored])).toEqual([
      ['active', true],
      ['frozen', false],
    ]);
  });

  it('lists a channel on a platform the deployment does not publish to as not monitored', () => {
    const before = process.env[ENV.queues];
    // a deployment of Threads only (herold:platforms)
    process.env[ENV.queues] = JSON.stringify({ threads: { normal: 'n', urgent: 'u' } });
    try {
      const listed = listedChannels([channel('mastodon', {}), channel('threads', { platform: 'threads' })]);
      expect(listed.map((entry) => [entry.id, entry.monitored])).toEqual([
        ['threads', true],
        ['mastodon', false],
      ]);
    } finally {
      if (before === undefined) delete process.env[ENV.queues];
      else process.env[ENV.queues] = before;
    }
  });

  it('shows only messages that reached a channel, never dry runs, held, scheduled or cancelled ones', () => {
    const at = ['2026-01-01T10:00:05.000Z', '2026-01-01T10:00:01.000Z'];
    expect(publicMessage(message({}), at)).toMatchObject({ publishedAt: at[1], updatedAt: at[0] });
    expect(publicMessage(message({}), [])).toBeUndefined();
    expect(publicMessage(message({ dryRun: 'CAP status Exercise' }), at)).toBeUndefined();
    for (const state of ['SCHEDULED', 'HELD', 'CANCELLED'] as const)
      expect(publicMessage(message({ state }), at), state).toBeUndefined();
    expect(publicMessage(message({ state: 'DISPATCHED' }), at)).toBeDefined();
  });

  it('keeps one message per language of a CAP alert on each page', () => {
    const base = { publishedAt: 'x', updatedAt: 'x', emergency: true, capIdentifier: 'alert-1' };
    const messages = [
      { ...base, id: 'de', text: 'Warnung', language: 'de-DE' },
      { ...base, id: 'en', text: 'Warning', language: 'en' },
      { id: 'plain', text: 'Ohne Sprache', publishedAt: 'x', updatedAt: 'x', emergency: false },
    ];
    expect(messagesFor('de', messages).map((entry) => entry.id)).toEqual(['de', 'plain']);
    expect(messagesFor('en', messages).map((entry) => entry.id)).toEqual(['en', 'plain']);
  });

  it('titles a message by its first line, cut at a word', () => {
    expect(firstLine('Kurz\nRest')).toBe('Kurz');
    const long = firstLine(`${'Wort '.repeat(30)}`);
    expect([...long].length).toBeLessThanOrEqual(81);
    expect(long.endsWith(' …')).toBe(true);
  });
});

describe('the edge functions', () => {
  const respond = (uri: string, frameAncestors?: string) =>
    runEdgeFunction<{ headers: EdgeHeaders }>(VIEWER_RESPONSE_SOURCE, {
      request: { uri, method: 'GET' },
      response: {
        statusCode: 200,
        headers: frameAncestors === undefined ? {} : { 'x-amz-meta-frame-ancestors': { value: frameAncestors } },
      },
    }).headers;

  it('let an embeddable view be framed by the configured sites only, and forbid framing everywhere else', () => {
    const embed = respond('/city/embed.html', 'https://www.dresden.de https://amt.example');
    expect(embed['content-security-policy']?.value).toMatch(
      /frame-ancestors https:\/\/www\.dresden\.de https:\/\/amt\.example$/,
    );
    expect(embed['x-frame-options']).toBeUndefined();
    expect(embed['x-amz-meta-frame-ancestors']).toBeUndefined();
    for (const [uri, allowed] of [
      ['/city/embed.html', ''],
      ['/city/index.html', 'https://www.dresden.de'],
      ['/city/feed.atom', undefined],
    ] as const) {
      const headers = respond(uri, allowed);
      expect(headers['content-security-policy']?.value, uri).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options']?.value, uri).toBe('DENY');
    }
    expect(respond('/city/index.html')['content-security-policy']?.value).toContain("default-src 'none'");
  });

  it('serve a folder’s index and send a bare organisation address to its folder', () => {
    expect(
      runEdgeFunction<{ uri: string }>(VIEWER_REQUEST_SOURCE, { request: { uri: '/city/en/', method: 'GET' } }).uri,
    ).toBe('/city/en/index.html');
    expect(
      runEdgeFunction<{ statusCode: number; headers: EdgeHeaders }>(VIEWER_REQUEST_SOURCE, {
        request: { uri: '/city', method: 'GET' },
      }),
    ).toMatchObject({ statusCode: 301, headers: { location: { value: '/city/' } } });
    expect(
      runEdgeFunction<{ uri: string }>(VIEWER_REQUEST_SOURCE, { request: { uri: '/city/feed.atom', method: 'GET' } })
        .uri,
    ).toBe('/city/feed.atom');
  });
});

const CONTENT: DirectoryContent = {
  org: 'city',
  displayName: 'Stadt & Land <Test>',
  embedOrigins: [],
  channels: [{ id: 'a', platform: 'mastodon', handle: '@a', url: 'https://social.example/@a', monitored: true }],
  messages: [
    {
      id: 'm2',
      text: 'Zweite <Meldung> & mehr\n\nDetails',
      publishedAt: '2026-01-02T10:00:00.000Z',
      updatedAt: '2026-01-02T10:00:03.000Z',
      emergency: true,
    },
    {
      id: 'm1',
      text: 'Erste',
      link: 'https://www.dresden.de/?a=1&b=2',
      publishedAt: '2026-01-01T10:00:00.000Z',
      updatedAt: '2026-01-01T10:00:00.000Z',
      language: 'de-DE',
      emergency: false,
    },
  ],
};

describe('the feed', () => {
  it('is a valid Atom feed, escaped, newest first', () => {
    const xml = renderFeed(CONTENT, 'https://dir.example/city/', 'https://dir.example/city/feed.atom', new Date());
    expect(atomProblems(xml)).toEqual([]);
    expect(atomEntries(xml).map((entry) => [entry.id, entry.title])).toEqual([
      ['https://dir.example/city/#m-m2', 'Zweite <Meldung> & mehr'],
      ['https://dir.example/city/#m-m1', 'Erste'],
    ]);
    expect(xml).toContain('<updated>2026-01-02T10:00:03.000Z</updated>');
    expect(xml).toContain('href="https://www.dresden.de/?a=1&amp;b=2"');
  });

  it('is checked by a checker that does find what breaks RFC 4287', () => {
    const valid = renderFeed(CONTENT, 'https://dir.example/city/', 'https://dir.example/city/feed.atom', new Date());
    const broken = (from: string, to: string) => atomProblems(valid.replace(from, to));
    expect(broken('xmlns="http://www.w3.org/2005/Atom"', 'xmlns="http://example.org/"')).toContain(
      'feed is not in the Atom namespace http://www.w3.org/2005/Atom',
    );
    expect(
      broken('<updated>2026-01-02T10:00:03.000Z</updated>\n<author>', '<updated>2. Januar</updated>\n<author>').join(),
    ).toMatch(/RFC 3339/);
    expect(broken('<id>https://dir.example/city/#m-m1</id>', '<id>https://dir.example/city/#m-m2</id>').join()).toMatch(
      /repeats the id/,
    );
    expect(broken(/<author>.*<\/author>/.exec(valid)![0], '').join()).toMatch(/no author/);
    expect(broken('<title type="text">Erste</title>', '').join()).toMatch(/exactly one atom:title/);
    expect(atomProblems('<feed')).toHaveLength(1);
  });
});

describe('pages', () => {
  it('escape what people wrote and keep links inside an embedded frame out of it', () => {
    const html = renderPage({
      content: CONTENT,
      language: 'de',
      embed: true,
      qr: new Map(),
      root: '../',
      orgFolder: './',
      builtAt: new Date(),
    });
    expect(html).toContain('<h1>Stadt &#38; Land &#60;Test&#62;</h1>');
    expect(html).not.toContain('<Meldung>');
    expect(html).toContain('target="_top"');
    expect(html).not.toMatch(/<script|https?:\/\/(?!social\.example|www\.dresden\.de)/);
  });
});

describe('QR codes', () => {
  it('read back to the exact address, umlauts and all', async () => {
    for (const url of [
      'https://whatsapp.com/channel/0029VaHl1HsDDmFT7ZcdAS0C',
      'https://dresden.social/@stadt_übersicht',
    ])
      expect(decodeQrPng(await qrPng(url))).toBe(url);
  });
});
