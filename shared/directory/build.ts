/**
 * Building an organisation's public directory: read its content, render the pages, the embeddable
 * views, the feed and a QR code per channel, and write them. Bursts are taken together: a request
 * is answered by any build that started after it was made (the organisation's `ORG#<org>`/`DIRECTORY`
 * item keeps when the last build started), so a crisis that publishes to every channel at once
 * builds the directory once or twice.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, type Store } from '../store/client';
import { schedulingKeys } from '../store/keys';
import { loadDirectoryContent, type DirectoryContent } from './content';
import { qrHash, qrPng, qrSvg } from './qr';
import {
  directoryPaths,
  renderFeed,
  renderPage,
  STYLESHEET,
  STYLESHEET_PATH,
  type Language,
  type QrFiles,
} from './render';
import type { DirectoryWriter } from './writers';

/** Pages and feed: seconds at the edge, so a new message is out within seconds and a surge still costs nothing. */
export const PAGE_CACHE = 'public, max-age=10, stale-while-revalidate=30, stale-if-error=86400';
const STYLE_CACHE = 'public, max-age=300';
/** QR codes are named by their content: they never change under their name. */
const QR_CACHE = 'public, max-age=31536000, immutable';

const HTML = 'text/html; charset=utf-8';

export interface BuildResult {
  org: string;
  /** false: a build that started after the request already covered it */
  built: boolean;
  files: string[];
}

async function lastBuildStart(store: Store, org: string): Promise<string | undefined> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.table, Key: schedulingKeys.orgDirectory(org), ConsistentRead: true }),
  );
  return typeof Item?.builtFrom === 'string' ? Item.builtFrom : undefined;
}

async function recordBuildStart(store: Store, org: string, startedAt: string): Promise<void> {
  try {
    await store.doc.send(
      new UpdateCommand({
        TableName: store.table,
        Key: schedulingKeys.orgDirectory(org),
        UpdateExpression: 'SET builtFrom = :startedAt, org = :org',
        ConditionExpression: 'attribute_not_exists(builtFrom) OR builtFrom < :startedAt',
        ExpressionAttributeValues: { ':startedAt': startedAt, ':org': org },
      }),
    );
  } catch (error) {
    // a build that started later finished first: its record stands
    if (!isConditionFailure(error)) throw error;
  }
}

export interface BuildOptions {
  store: Store;
  writer: DirectoryWriter;
  /** the directory's public base URL (for the feed's absolute addresses) */
  baseUrl: string;
  now?: () => Date;
}

/** Builds the directory unless a build that started after `requestedAt` has done it already. */
export async function buildDirectory(org: string, requestedAt: string, options: BuildOptions): Promise<BuildResult> {
  const now = options.now ?? (() => new Date());
  const previous = await lastBuildStart(options.store, org);
  if (previous !== undefined && previous > requestedAt) return { org, built: false, files: [] };
  const startedAt = now();
  const content = await loadDirectoryContent(options.store, org);
  const files = await writeDirectory(content, options.writer, options.baseUrl, startedAt);
  await recordBuildStart(options.store, org, startedAt.toISOString());
  return { org, built: true, files };
}

export async function writeDirectory(
  content: DirectoryContent,
  writer: DirectoryWriter,
  baseUrl: string,
  builtAt: Date,
): Promise<string[]> {
  const paths = directoryPaths(content.org);
  const written: string[] = [];
  const write = async (key: string, body: string | Buffer, file: Parameters<DirectoryWriter['write']>[2]) => {
    await writer.write(key, body, file);
    written.push(key);
  };

  const qr = new Map<string, { svg: string; png: string }>();
  await Promise.all(
    content.channels.map(async (channel) => {
      const hash = qrHash(channel.url);
      const svg = paths.qr(channel, hash, 'svg');
      const png = paths.qr(channel, hash, 'png');
      qr.set(channel.id, { svg, png });
      if (!(await writer.exists(svg)))
        await write(svg, await qrSvg(channel.url), { contentType: 'image/svg+xml', cacheControl: QR_CACHE });
      if (!(await writer.exists(png)))
        await write(png, await qrPng(channel.url), { contentType: 'image/png', cacheControl: QR_CACHE });
    }),
  );
  /** a page's links, relative to where it lives */
  const relative = (pageKey: string) => {
    const depth = pageKey.split('/').length - 1;
    const root = '../'.repeat(depth);
    const orgFolder = depth > 1 ? '../' : './';
    const qrFrom = new Map<string, QrFiles>(
      [...qr].map(([id, files]) => [id, { svg: `${root}${files.svg}`, png: `${root}${files.png}` }]),
    );
    return { root, orgFolder, qr: qrFrom };
  };
  const frameAncestors = content.embedOrigins.join(' ');
  for (const language of ['de', 'en'] as Language[]) {
    for (const embed of [false, true]) {
      const key = embed ? paths.embed(language) : paths.page(language);
      const html = renderPage({ content, language, embed, builtAt, ...relative(key) });
      await write(key, html, {
        contentType: HTML,
        cacheControl: PAGE_CACHE,
        ...(embed ? { frameAncestors } : {}),
      });
    }
  }
  const base = baseUrl.replace(/\/+$/, '');
  await write(paths.feed, renderFeed(content, `${base}/${content.org}/`, `${base}/${paths.feed}`, builtAt), {
    contentType: 'application/atom+xml; charset=utf-8',
    cacheControl: PAGE_CACHE,
  });
  await write(STYLESHEET_PATH, STYLESHEET, { contentType: 'text/css; charset=utf-8', cacheControl: STYLE_CACHE });
  return written;
}
