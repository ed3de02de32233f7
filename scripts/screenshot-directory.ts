/**
 * Renders the City of Dresden's public channel directory in Chromium and saves
 * docs/screenshots/channel-directory.png: the channels of the 2024 press release (X frozen, "not
 * monitored"), an emergency running, and the latest messages. The files are built by the same code
 * as the directory function and served with the same edge headers as in AWS.
 * Usage: npx tsx scripts/screenshot-directory.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveDirectoryFile } from '../local/directory';
import { writeDirectory } from '../shared/directory/build';
import type { DirectoryContent } from '../shared/directory/content';
import { folderWriter } from '../shared/directory/writers';
import { launchChromium } from '../test/support/chromium';

const channel = (
  id: string,
  platform: DirectoryContent['channels'][number]['platform'],
  handle: string,
  url: string,
  monitored = true,
) => ({
  id,
  platform,
  handle,
  url,
  monitored,
});

export const SCREENSHOT_CONTENT: DirectoryContent = {
  org: 'city',
  displayName: 'Landeshauptstadt Dresden',
  embedOrigins: ['https://www.dresden.de'],
  channels: [
    channel(
      'city-whatsapp',
      'whatsapp',
      'Landeshauptstadt Dresden',
      'https://whatsapp.com/channel/0029VaHl1HsDDmFT7ZcdAS0C',
    ),
    channel(
      'city-threads',
      'threads',
      '@landeshauptstadt_dresden',
      'https://www.threads.net/@landeshauptstadt_dresden',
    ),
    channel(
      'city-instagram',
      'instagram',
      '@landeshauptstadt_dresden',
      'https://www.instagram.com/landeshauptstadt_dresden',
    ),
    channel('city-facebook', 'facebook', 'stadt.dresden', 'https://www.facebook.com/stadt.dresden'),
    channel('city-mastodon', 'mastodon', '@dresden@dresden.social', 'https://dresden.social/@dresden'),
    channel('city-x', 'x', '@dresden_stadt', 'https://x.com/dresden_stadt', false),
  ],
  emergency: {
    id: '01JEMERGENCY0000000000000',
    text: 'Bombenfund in der Neustadt: Evakuierung bis 18 Uhr\n\nBitte verlassen Sie das Gebiet zwischen Albertplatz und Bischofsweg. Notunterkunft: Turnhalle der 56. Oberschule.',
    link: 'https://www.dresden.de/',
    publishedAt: '2024-02-02T13:05:00.000Z',
    updatedAt: '2024-02-02T13:05:09.000Z',
    emergency: true,
  },
  messages: [
    {
      id: '01JEMERGENCY0000000000000',
      text: 'Bombenfund in der Neustadt: Evakuierung bis 18 Uhr\n\nBitte verlassen Sie das Gebiet zwischen Albertplatz und Bischofsweg. Notunterkunft: Turnhalle der 56. Oberschule.',
      link: 'https://www.dresden.de/',
      publishedAt: '2024-02-02T13:05:00.000Z',
      updatedAt: '2024-02-02T13:05:09.000Z',
      emergency: true,
    },
    {
      id: '01JNEWCHANNELS00000000000',
      text: 'Neue Kanäle: Die Stadtverwaltung ist jetzt auf Threads und WhatsApp.',
      link: 'https://www.dresden.de/',
      publishedAt: '2024-02-02T09:00:00.000Z',
      updatedAt: '2024-02-02T09:00:04.000Z',
      emergency: false,
    },
  ],
};

async function main() {
  const folder = await mkdtemp(path.join(tmpdir(), 'herold-directory-shot-'));
  const server = createServer((request, response) => {
    void serveDirectoryFile(folder, request.method ?? 'GET', request.url ?? '/').then((answer) =>
      response.writeHead(answer.status, answer.headers).end(answer.body),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium({ viewport: { width: 1100, height: 1000 } });
  try {
    await writeDirectory(SCREENSHOT_CONTENT, folderWriter(folder), base, new Date('2024-02-02T13:06:00Z'));
    const page = await browser.context.newPage();
    await page.goto(`${base}/city/`);
    const file = path.join('docs', 'screenshots', 'channel-directory.png');
    await page.screenshot({ path: file, fullPage: true });
    console.log(`saved ${file}`);
  } finally {
    await browser.close();
    server.close();
    await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
