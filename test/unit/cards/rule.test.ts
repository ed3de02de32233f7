import { describe, expect, it } from 'vitest';
import { cardAltText, cardContent, cardFor } from '../../../shared/cards/rule';
import { PLATFORMS } from '../../../shared/platforms/registry';

describe('the card rule', () => {
  const emergency = { priority: 'emergency' as const, media: [] };
  const routine = { priority: 'normal' as const, media: [] };

  it('gives image-only platforms a card for emergencies, official alerts and routine text that asks for one', () => {
    expect(cardFor(PLATFORMS.instagram, emergency)).toBe(PLATFORMS.instagram.card);
    expect(cardFor(PLATFORMS.pinterest, { ...routine, cap: { status: 'Actual' } })).toBe(PLATFORMS.pinterest.card);
    expect(cardFor(PLATFORMS.instagram, { ...routine, card: true })).toBe(PLATFORMS.instagram.card);
  });

  it('leaves routine text, messages with their own media, text platforms and YouTube alone', () => {
    expect(cardFor(PLATFORMS.instagram, routine)).toBeUndefined();
    expect(cardFor(PLATFORMS.instagram, { ...emergency, media: [{}] })).toBeUndefined();
    expect(cardFor(PLATFORMS.mastodon, emergency)).toBeUndefined();
    expect(cardFor(PLATFORMS.youtube, emergency)).toBeUndefined();
  });
});

describe('what a card shows', () => {
  it('takes headline and instruction from the CAP alert, and marks an exercise', () => {
    const content = cardContent({
      text: '+++ ÜBUNG +++ Bombenfund\n\nBeschreibung\n\nGebiet verlassen.',
      kind: 'alert',
      priority: 'emergency',
      language: 'de-DE',
      cap: {
        identifier: 'X',
        sender: 's',
        sent: '2025-01-08T09:30:00+01:00',
        status: 'Exercise',
        msgType: 'Alert',
        headline: 'Bombenfund',
        instruction: 'Gebiet verlassen.',
      },
    });
    expect(content).toEqual({
      language: 'de-DE',
      headline: 'Bombenfund',
      instruction: 'Gebiet verlassen.',
      marker: 'ÜBUNG',
      label: 'Warnung',
    });
  });

  it('takes the first line and the last paragraph of an API message, labelled by its kind and language', () => {
    expect(
      cardContent({ text: 'Hochwasser\n\nPegel steigt.\n\nUfer meiden.', kind: 'update', priority: 'emergency' }),
    ).toEqual({
      language: 'de-DE',
      headline: 'Hochwasser',
      instruction: 'Ufer meiden.',
      label: 'Aktualisierung',
    });
    expect(cardContent({ text: 'Library closed', kind: 'post', priority: 'normal', language: 'en' }).label).toBe(
      'Notice',
    );
  });
});

describe('the alt text', () => {
  it('is the headline and the instruction, so a screen reader loses nothing', () => {
    expect(
      cardAltText(
        { language: 'de-DE', label: 'Warnung', headline: 'Bombenfund', instruction: 'Gebiet verlassen.' },
        PLATFORMS.instagram,
      ),
    ).toBe('Warnung: Bombenfund Gebiet verlassen.');
  });

  it('is shortened by the renderer’s rules to the platform’s limit, never refused', () => {
    const instruction = Array.from({ length: 120 }, (_, index) => `Satz ${index} mit Anweisungen.`).join(' ');
    const alt = cardAltText(
      { language: 'de-DE', label: 'Warnung', headline: 'Bombenfund', instruction },
      PLATFORMS.pinterest,
    );
    expect([...alt].length).toBeLessThanOrEqual(PLATFORMS.pinterest.media.maxAltText);
    expect(alt).toMatch(/^Warnung: Bombenfund Satz 0 /);
    expect(alt.endsWith(' …')).toBe(true);
    const oneWord = cardAltText(
      { language: 'de-DE', label: 'Warnung', headline: 'x'.repeat(2000) },
      PLATFORMS.pinterest,
    );
    expect([...oneWord].length).toBeLessThanOrEqual(500);
  });
});
