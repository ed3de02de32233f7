import { describe, expect, it } from 'vitest';
import { PLATFORMS, type PlatformSpec, type TextCounting } from '../../../shared/platforms/registry';
import { measureText, renderForPlatform, type RenderOutcome } from '../../../shared/render';

const LINK = 'https://www.dresden.de/de/rathaus/aktuelles/pressemitteilungen/2026/11/albertbruecke-sperrung.php';

/** a platform with the given counting and a small limit, so a short German sentence has to be shortened */
const specWith = (limit: number, counting: TextCounting = 'code-points'): PlatformSpec => ({
  ...PLATFORMS.mastodon,
  displayName: 'Testnetz',
  text: { limit, counting },
});

const renderedText = (outcome: RenderOutcome): string => {
  if (!outcome.ok) throw new Error(`expected ok, got: ${outcome.reason}`);
  return outcome.text;
};

describe('text that fits', () => {
  it('is returned unchanged, with the link after a blank line', () => {
    const outcome = renderForPlatform(PLATFORMS.bluesky, { text: 'Grüße aus Dresden! ', link: LINK, mediaCount: 0 });
    expect(outcome).toEqual({
      ok: true,
      text: `Grüße aus Dresden!\n\n${LINK}`,
      length: 20 + LINK.length,
      limit: 300,
      shortened: false,
    });
  });

  it('is returned exactly as written when there is no link', () => {
    const text = 'Straße frei.\n\nDie Königsbrücker Straße ist wieder befahrbar. ';
    expect(renderForPlatform(PLATFORMS.threads, { text, mediaCount: 0 })).toMatchObject({
      ok: true,
      text,
      shortened: false,
    });
  });

  it('does not repeat a link the text already carries', () => {
    const text = `Alle Infos: ${LINK}. Bitte weitersagen!`;
    expect(renderedText(renderForPlatform(PLATFORMS.x, { text, link: LINK, mediaCount: 0 }))).toBe(text);
  });

  it('still appends the link when the text only carries a longer URL starting with it', () => {
    const text = `Alle Infos: ${LINK}?teil=2`;
    expect(renderedText(renderForPlatform(PLATFORMS.x, { text, link: LINK, mediaCount: 0 }))).toBe(
      `${text}\n\n${LINK}`,
    );
  });
});

describe('limits from the registry', () => {
  const telegramText = `${'Wasserstand der Elbe steigt weiter. '.repeat(40).trim()}`; // 1,439 UTF-16 units

  it('uses Telegram’s 4,096 for a text message', () => {
    const outcome = renderForPlatform(PLATFORMS.telegram, { text: telegramText, mediaCount: 0 });
    expect(outcome).toMatchObject({ ok: true, text: telegramText, limit: 4096, shortened: false });
  });

  it('uses Telegram’s 1,024 caption limit when the post carries media', () => {
    const outcome = renderForPlatform(PLATFORMS.telegram, { text: telegramText, link: LINK, mediaCount: 2 });
    expect(outcome).toMatchObject({ ok: true, limit: 1024, shortened: true });
    const text = renderedText(outcome);
    expect(text.length).toBeLessThanOrEqual(1024);
    expect(text.endsWith(`steigt weiter. …\n\n${LINK}`)).toBe(true);
  });

  it('ignores the caption limit on platforms without one', () => {
    expect(renderForPlatform(PLATFORMS.threads, { text: 'Foto vom Altmarkt', mediaCount: 3 })).toMatchObject({
      limit: 500,
    });
  });

  it('counts X by weight: a long URL costs 23, so a text over 280 code points fits', () => {
    const longUrl = `https://www.dresden.de/${'stadtratsbeschluss-'.repeat(12)}`;
    const text = `Neuer Beschluss des Stadtrats zur Verkehrswende in der Dresdner Neustadt: ${longUrl}`;
    expect([...text].length).toBeGreaterThan(280);
    expect(renderForPlatform(PLATFORMS.x, { text, mediaCount: 0 })).toMatchObject({
      ok: true,
      text,
      length: text.indexOf(longUrl) + 23,
      shortened: false,
    });
  });

  it('counts Bluesky in graphemes: 300 ZWJ families fit, 301 do not', () => {
    const families = (count: number) => Array.from({ length: count }, () => '👨‍👩‍👧‍👦').join('');
    expect(renderForPlatform(PLATFORMS.bluesky, { text: families(300), mediaCount: 0 })).toMatchObject({
      ok: true,
      length: 300,
    });
    expect(renderForPlatform(PLATFORMS.bluesky, { text: families(301), mediaCount: 0 })).toMatchObject({
      ok: false,
      length: 301,
    });
  });

  it('counts Bluesky’s 300 with skin-toned emoji and flags between German words', () => {
    const text = Array.from({ length: 80 }, (_, i) => (i % 2 ? '👍🏾🇩🇪' : 'Grüße')).join(' ');
    const outcome = renderForPlatform(PLATFORMS.bluesky, { text, mediaCount: 0 });
    const rendered = renderedText(outcome);
    expect(measureText('graphemes', rendered)).toBeLessThanOrEqual(300);
    expect(rendered).toMatch(/ (Grüße|👍🏾🇩🇪) …$/u);
    expect(text.startsWith(rendered.slice(0, -2))).toBe(true);
  });
});

describe('shortening', () => {
  it('cuts at a sentence when that keeps at least half of the room', () => {
    const text = 'Die Albertbrücke ist ab Montag gesperrt. Umleitungen sind ausgeschildert und gut zu erkennen.';
    expect(renderedText(renderForPlatform(specWith(60), { text, mediaCount: 0 }))).toBe(
      'Die Albertbrücke ist ab Montag gesperrt. …',
    );
  });

  it('cuts at a word when the last whole sentence would keep less than half of the room', () => {
    const text = 'Achtung! Die Albertbrücke ist ab Montag für den gesamten Verkehr gesperrt.';
    expect(renderedText(renderForPlatform(specWith(50), { text, mediaCount: 0 }))).toBe(
      'Achtung! Die Albertbrücke ist ab Montag für den …',
    );
  });

  it('takes abbreviations and dates for what they are, not for sentence ends', () => {
    const text =
      'Gesperrt ist u. a. die Carolabrücke bis zum 25. November wegen Bauarbeiten am Gleisbett der Straßenbahn.';
    const expected = 'Gesperrt ist u. a. die Carolabrücke bis zum 25. November wegen Bauarbeiten …';
    expect(renderedText(renderForPlatform(specWith(expected.length), { text, mediaCount: 0 }))).toBe(expected);
  });

  it('treats a line break as the end of a sentence (a headline)', () => {
    const text = 'Hochwasserwarnung für Dresden\nDer Pegel der Elbe steigt bis Sonntag auf über sechs Meter an.';
    expect(renderedText(renderForPlatform(specWith(50), { text, mediaCount: 0 }))).toBe(
      'Hochwasserwarnung für Dresden …',
    );
  });

  it('keeps the link whole after the shortened text', () => {
    const text =
      'Wegen eines Großbrandes in der Friedrichstadt bittet die Feuerwehr, Fenster und Türen geschlossen zu halten.';
    const spec = specWith(140);
    const rendered = renderedText(renderForPlatform(spec, { text, link: LINK, mediaCount: 0 }));
    expect(rendered).toBe(`Wegen eines Großbrandes in der …\n\n${LINK}`);
    expect(measureText('code-points', rendered)).toBeLessThanOrEqual(140);
  });

  it('keeps a link that stands early in the text instead of appending it again', () => {
    const text = `Infos: ${LINK} – die Feuerwehr bittet, Fenster und Türen geschlossen zu halten.`;
    const expected = `Infos: ${LINK} – die Feuerwehr bittet, …`;
    expect(renderedText(renderForPlatform(specWith(expected.length + 1), { text, link: LINK, mediaCount: 0 }))).toBe(
      expected,
    );
  });

  it('never cuts inside a hashtag', () => {
    const text = 'Großeinsatz in der Johannstadt #Feuerwehr #Hochwasserschutz';
    expect(renderedText(renderForPlatform(specWith(50), { text, mediaCount: 0 }))).toBe(
      'Großeinsatz in der Johannstadt #Feuerwehr …',
    );
  });

  it('never cuts inside a mention, Mastodon’s user@instance form included', () => {
    const text = 'Danke an alle Helfer, besonders @feuerwehr@dresden.social für den Einsatz';
    expect(renderedText(renderForPlatform(specWith(45), { text, mediaCount: 0 }))).toBe(
      'Danke an alle Helfer, besonders …',
    );
  });

  it('never cuts inside a URL in the text', () => {
    const text = `Die Karte der Sperrungen: ${LINK} wird täglich aktualisiert.`;
    expect(renderedText(renderForPlatform(specWith(60), { text, mediaCount: 0 }))).toBe('Die Karte der Sperrungen: …');
  });

  it('never cuts inside an emoji sequence, nor at a no-break space', () => {
    const text = 'Stau 👨‍👩‍👧‍👦👍🏽🇩🇪 auf\u00a0der A4 zwischen 10\u00a0km Dresden-Nord und Wilder Mann';
    const rendered = renderedText(renderForPlatform(specWith(40), { text, mediaCount: 0 }));
    expect(rendered).toBe('Stau 👨‍👩‍👧‍👦👍🏽🇩🇪 auf\u00a0der A4 zwischen …');
  });

  it('does not cut at a blank that belongs to the grapheme before it (after a prepended mark)', () => {
    // U+0600 (Arabic number sign) is a prepended mark: it and the blank after it form one grapheme
    const text = 'Pegel \u0600 Elbe steigt weiter';
    expect(renderedText(renderForPlatform(specWith(12), { text, mediaCount: 0 }))).toBe('Pegel …');
  });

  it('shortens on X by weighted length, with the link costing 23', () => {
    const text = `${'Bitte meiden Sie den Bereich um den Neumarkt weiträumig. '.repeat(8).trim()}`;
    const outcome = renderForPlatform(PLATFORMS.x, { text, link: LINK, mediaCount: 0 });
    const rendered = renderedText(outcome);
    expect(outcome).toMatchObject({ ok: true, shortened: true, limit: 280 });
    expect(measureText('x-weighted', rendered)).toBeLessThanOrEqual(280);
    expect(rendered.endsWith(`weiträumig. …\n\n${LINK}`)).toBe(true);
    // 23 for the link, 2 for the blank line and 2 for " …": the rest holds 253 weighted characters of text
    expect(measureText('x-weighted', rendered)).toBeGreaterThan(280 - 60);
  });
});

describe('refusals', () => {
  it('never shortens an override and names platform, limit and length', () => {
    const override = 'Ein eigener Text für Bluesky, '.repeat(11);
    const outcome = renderForPlatform(PLATFORMS.bluesky, { text: 'kurz', override, mediaCount: 0 });
    expect(outcome).toMatchObject({ ok: false, length: 330, limit: 300 });
    if (outcome.ok) return;
    expect(outcome.reason).toContain('Bluesky');
    expect(outcome.reason).toContain('300');
    expect(outcome.reason).toContain('330');
  });

  it('lets an override that fits win over the message text, link appended', () => {
    const outcome = renderForPlatform(PLATFORMS.x, {
      text: 'Langer Text '.repeat(40),
      override: 'Kurz für X.',
      link: LINK,
      mediaCount: 0,
    });
    expect(outcome).toEqual({
      ok: true,
      text: `Kurz für X.\n\n${LINK}`,
      length: 11 + 2 + 23,
      limit: 280,
      shortened: false,
    });
  });

  it('refuses an override that fits alone but not with the link', () => {
    const override = 'x'.repeat(270);
    expect(renderForPlatform(PLATFORMS.x, { text: 'kurz', override, link: LINK, mediaCount: 0 })).toMatchObject({
      ok: false,
      length: 270 + 2 + 23,
    });
  });

  it('refuses when the link alone is longer than the limit', () => {
    const outcome = renderForPlatform(specWith(60), {
      text: 'Sperrung der Albertbrücke ab Montag',
      link: LINK,
      mediaCount: 0,
    });
    expect(outcome).toMatchObject({ ok: false, limit: 60 });
    if (!outcome.ok) expect(outcome.reason).toContain('link');
  });

  it('refuses a single URL longer than the limit when there is no link to fall back on', () => {
    expect(renderForPlatform(specWith(60), { text: LINK, mediaCount: 0 })).toMatchObject({
      ok: false,
      length: LINK.length,
    });
  });

  it('refuses when not even one word fits before the link', () => {
    const text = 'Donaudampfschifffahrtsgesellschaftskapitänsmütze und weitere Wörter';
    expect(renderForPlatform(specWith(LINK.length + 10), { text, link: LINK, mediaCount: 0 })).toMatchObject({
      ok: false,
    });
  });
});
