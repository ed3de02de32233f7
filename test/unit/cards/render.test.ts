/**
 * The alert card renderer: each platform's size and format, text that fits (long German
 * compounds, three languages, emoji), ÜBUNG on an exercise, refusals instead of wrong cards, and a
 * golden image per default template (UPDATE_GOLDEN=1 rewrites them; review the diff before committing).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES } from '../../../shared/alerts/templates';
import { CARD_ASSETS_ENV } from '../../../shared/cards/config';
import { CardError, renderCard, type CardInput } from '../../../shared/cards/render';
import type { CardContent } from '../../../shared/cards/rule';
import { PLATFORMS, type CardSpec } from '../../../shared/platforms/registry';

const INSTAGRAM = PLATFORMS.instagram.card as CardSpec;
const PINTEREST = PLATFORMS.pinterest.card as CardSpec;
const ISSUED = new Date('2025-01-08T08:30:00Z');
const GOLDEN_DIR = new URL('../../golden/cards/', import.meta.url);

const input = (content: Partial<CardContent>, spec: CardSpec = INSTAGRAM): CardInput => ({
  content: { language: 'de-DE', label: 'Warnung', headline: 'Bombenfund an der Carolabrücke', ...content },
  organisation: 'Feuerwehr Dresden',
  issuedAt: ISSUED,
  link: 'https://www.dresden.de/bombenfund',
  spec,
});

async function pixels(bytes: Buffer) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The share of a row that is the exercise strip's yellow (#ffd600). */
function yellowShare(image: { data: Buffer; width: number }, y: number): number {
  let yellow = 0;
  for (let x = 0; x < image.width; x += 1) {
    const at = (y * image.width + x) * 3;
    const [red, green, blue] = [image.data[at]!, image.data[at + 1]!, image.data[at + 2]!];
    if (red > 240 && green > 200 && green < 225 && blue < 30) yellow += 1;
  }
  return yellow / image.width;
}

/** Rows whose right margin (outside the text column) is not plain white: text that ran over its box. */
async function overflowRows(bytes: Buffer, spec: CardSpec, from: number, to: number): Promise<number[]> {
  const { data, width } = await pixels(bytes);
  const pad = Math.round((64 * spec.width) / 1080);
  const rows: number[] = [];
  for (let y = Math.round(spec.height * from); y < Math.round(spec.height * to); y += 1) {
    for (let x = width - pad + 6; x < width; x += 1) {
      const at = (y * width + x) * 3;
      if (data[at]! < 235 || data[at + 1]! < 235 || data[at + 2]! < 235) {
        rows.push(y);
        break;
      }
    }
  }
  return rows;
}

describe('card size and format per platform', () => {
  it('Instagram: a JPEG of 1080 × 1350 (4:5, within 4:5 to 1.91:1, width 320–1440), under 8 MB', async () => {
    const card = await renderCard(input({ instruction: 'Verlassen Sie den Sperrkreis.' }));
    const metadata = await sharp(card.bytes).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 1080, height: 1350 });
    expect(card.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(card.bytes.length).toBeLessThan(PLATFORMS.instagram.media.maxImageBytes);
    const ratio = 1080 / 1350;
    expect(ratio).toBeGreaterThanOrEqual(0.8);
    expect(ratio).toBeLessThanOrEqual(1.91);
    expect(card.mime).toBe('image/jpeg');
  });

  it('Pinterest: a PNG of 1000 × 1500 (2:3), under 20 MB', async () => {
    const card = await renderCard(input({ instruction: 'Verlassen Sie den Sperrkreis.' }, PINTEREST));
    expect(await sharp(card.bytes).metadata()).toMatchObject({ format: 'png', width: 1000, height: 1500 });
    expect(card.bytes.length).toBeLessThan(PLATFORMS.pinterest.media.maxImageBytes);
  });

  it('every platform whose posts need an image has a card in its format, except YouTube (videos only)', () => {
    for (const spec of Object.values(PLATFORMS)) {
      if (spec.media.required === 'none') expect(spec.card, spec.id).toBeUndefined();
      else if (spec.media.required === 'video') expect(spec.card, spec.id).toBeUndefined();
      else expect(spec.media.imageMimes, spec.id).toContain(spec.card?.mime);
    }
  });
});

describe('text that fits', () => {
  const cases: [string, Partial<CardContent>][] = [
    [
      'a long German compound',
      {
        headline:
          'Grundstücksverkehrsgenehmigungszuständigkeitsübertragungsverordnung: Straßenbahnhaltestellen gesperrt',
        instruction:
          'Donaudampfschifffahrtsgesellschaftskapitän bittet: Rheinuferpromenadenbesucher verlassen sofort das Gelände.',
      },
    ],
    [
      'three languages',
      {
        headline: 'Hochwasser an der Elbe · Flood on the Elbe · Повінь на Ельбі',
        instruction:
          'Meiden Sie das Ufer. Stay away from the riverbank. Тримайтеся подалі від берега. Folgen Sie den Anweisungen der Einsatzkräfte.',
      },
    ],
    [
      'emoji',
      {
        headline: '🚨 Großbrand in Süd: Rauchwolke über Ölhafen 🔥',
        instruction: '⚠️ Fenster und Türen schließen! 🏠👩‍🚒🇩🇪',
      },
    ],
  ];
  for (const [name, content] of cases) {
    for (const spec of [INSTAGRAM, PINTEREST]) {
      it(`${name} on the ${spec.width}×${spec.height} card: nothing runs into the margin`, async () => {
        const card = await renderCard(input(content, spec));
        // between the coloured header and the footer rule, the right margin stays white
        expect(await overflowRows(card.bytes, spec, 0.2, 0.88)).toEqual([]);
      });
    }
  }

  it('refuses a headline that cannot fit even at the smallest size, instead of cutting it', async () => {
    const endless = Array.from({ length: 120 }, (_, index) => `Wort${index}`).join(' ');
    await expect(renderCard(input({ headline: endless }))).rejects.toThrow(CardError);
    await expect(renderCard(input({ headline: endless }))).rejects.toThrow(/does not fit/);
  });

  it('refuses a character no shipped font has, naming it, instead of drawing an empty box', async () => {
    await expect(renderCard(input({ headline: 'Warnung: आग' }))).rejects.toThrow(/no glyph for "आ" \(U\+0906\)/);
  });
});

describe('exercises', () => {
  it('carry ÜBUNG: a yellow strip across the top and the bottom of the card', async () => {
    const card = await renderCard(
      input({ marker: 'ÜBUNG', instruction: 'Nichts tun.' }, { ...INSTAGRAM, mime: 'image/png' }),
    );
    const exercise = await pixels(card.bytes);
    // the strip's words take part of its rows: most of a row is the strip's yellow
    expect(yellowShare(exercise, 5)).toBeGreaterThan(0.95);
    expect(yellowShare(exercise, exercise.height - 5)).toBeGreaterThan(0.95);
    const plain = await pixels(
      (await renderCard(input({ instruction: 'Nichts tun.' }, { ...INSTAGRAM, mime: 'image/png' }))).bytes,
    );
    expect(yellowShare(plain, 5)).toBe(0);
  });
});

describe('refusals', () => {
  afterEach(() => {
    delete process.env[CARD_ASSETS_ENV];
  });

  it('fails with the reason when a font is missing', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'herold-no-fonts-'));
    try {
      process.env[CARD_ASSETS_ENV] = empty;
      await expect(renderCard(input({}))).rejects.toThrow(/font missing: inter-latin-400-normal\.woff/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('golden images of the default templates', () => {
  const sample = (text: string | undefined) =>
    text
      ?.replace('[Ort]', 'Carolabrücke')
      .replace('[Radius]', '1.000')
      .replace('[Uhrzeit]', '14:00')
      .replace('[Notunterkunft]', 'Messe Dresden')
      .replace('[Art des Unwetters]', 'Orkanböen')
      .replace('[Stadtteil]', 'Pieschen')
      .replace('[Ausgabestelle]', 'Rathaus Pieschen')
      .replace('[Ereignis]', 'Bombenfund');

  for (const template of DEFAULT_TEMPLATES) {
    it(`${template.name} matches its golden image within a small tolerance`, async () => {
      const german = template.texts['de-DE'] ?? {};
      const label = template.responseType?.includes('AllClear') ? 'Entwarnung' : 'Warnung';
      const card = await renderCard(
        input(
          {
            label,
            headline: sample(german.headline) ?? '',
            ...(german.instruction ? { instruction: sample(german.instruction) } : {}),
          },
          { ...INSTAGRAM, mime: 'image/png' },
        ),
      );
      const actual = await pixels(card.bytes);
      const file = new URL(`${template.id}.png`, GOLDEN_DIR);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(file, card.bytes);
        if (process.env.UPDATE_GOLDEN !== '1')
          expect.fail(`wrote the missing golden ${file.pathname}: review and commit it`);
      }
      const golden = await pixels(await sharp(file.pathname).png().toBuffer());
      expect([golden.width, golden.height]).toEqual([actual.width, actual.height]);
      const rgba = (image: typeof actual) =>
        sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
          .ensureAlpha()
          .raw()
          .toBuffer();
      const differing = pixelmatch(await rgba(golden), await rgba(actual), undefined, actual.width, actual.height, {
        threshold: 0.1,
      });
      // an absolute budget: removing the two dots of one umlaut changes a few hundred pixels
      expect(differing).toBeLessThanOrEqual(100);
    });
  }
});
