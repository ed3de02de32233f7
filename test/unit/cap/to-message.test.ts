import { describe, expect, it } from 'vitest';
import { CAP_SEVERITIES, CAP_URGENCIES } from '../../../shared/cap/schema';
import { capIdempotencyKey, capPriority, capToMessages, referenceKey } from '../../../shared/cap/to-message';
import { capFixture, parsedFixture, parsedXml } from './fixtures';

const EVACUATION = 'dresden-bombenfund-evakuierung.xml';

describe('capPriority', () => {
  const emergencyCases = new Set(['Immediate/Extreme', 'Immediate/Severe', 'Expected/Extreme', 'Expected/Severe']);
  for (const urgency of CAP_URGENCIES) {
    for (const severity of CAP_SEVERITIES) {
      const expected = emergencyCases.has(`${urgency}/${severity}`) ? 'emergency' : 'normal';
      it(`urgency ${urgency}, severity ${severity} → ${expected}`, () => {
        expect(capPriority({ urgency, severity })).toBe(expected);
      });
    }
  }
});

describe('capToMessages: text, link and priority', () => {
  it('joins headline, description and instruction with blank lines and links the web page', () => {
    const [message] = capToMessages(parsedFixture(EVACUATION));
    expect(message?.text.split('\n\n')).toEqual([
      'Bombenfund an der Carolabrücke: Evakuierung',
      expect.stringMatching(/^Bei den Abrissarbeiten an der Carolabrücke wurde eine Fliegerbombe/),
      expect.stringMatching(/^Verlassen Sie den Sperrkreis bis 12:00 Uhr\./),
    ]);
    expect(message).toMatchObject({
      language: 'de-DE',
      link: 'https://www.dresden.de/bombenfund',
      priority: 'emergency',
      kind: 'alert',
      publishable: true,
      referencesKeys: [],
      capIdentifier: 'DE-SN-DD-FW-20250108-001',
      sourceName: 'Landeshauptstadt Dresden, Brand- und Katastrophenschutzamt',
    });
    expect(message?.unpublishableReason).toBeUndefined();
  });

  it('drops the indentation of wrapped XML text but keeps its line breaks', () => {
    const xml = capFixture(EVACUATION).replace(
      /<description>[^<]*<\/description>/,
      '<description>Erste Zeile\n        zweite Zeile</description>',
    );
    expect(capToMessages(parsedXml(xml))[0]?.text).toContain('Erste Zeile\nzweite Zeile');
  });

  it('leaves out a web address that is not http(s) and falls back to the sender for the source', () => {
    const xml = capFixture(EVACUATION)
      .replace('<web>https://www.dresden.de/bombenfund</web>', '<web>ftp://files.dresden.de/bombe.txt</web>')
      .replace('<senderName>Landeshauptstadt Dresden, Brand- und Katastrophenschutzamt</senderName>', '');
    const [message] = capToMessages(parsedXml(xml));
    expect(message?.link).toBeUndefined();
    expect(message?.sourceName).toBe('leitstelle@feuerwehr.dresden.de');
  });

  it('gives the minor earthquake update normal priority', () => {
    expect(capToMessages(parsedFixture('oasis-a3-earthquake-update.xml'))[0]?.priority).toBe('normal');
  });
});

describe('capToMessages: kinds and references', () => {
  it('makes an Update an update that refers to the earlier alert', () => {
    const evacuation = parsedFixture(EVACUATION);
    const [update] = capToMessages(parsedFixture('dresden-bombenfund-update.xml'));
    expect(update?.kind).toBe('update');
    expect(update?.referencesKeys).toEqual([referenceKey(evacuation.sender, evacuation.identifier, evacuation.sent)]);
    expect(update?.text.startsWith('Bombenfund an der Carolabrücke: Sperrkreis erweitert')).toBe(true);
  });

  it('makes a Cancel an all-clear referring to every earlier alert, oldest first', () => {
    const [allClear] = capToMessages(parsedFixture('dresden-bombenfund-entwarnung.xml'));
    expect(allClear).toMatchObject({ kind: 'all-clear', priority: 'normal', publishable: true });
    expect(allClear?.referencesKeys).toEqual([
      'leitstelle@feuerwehr.dresden.de,DE-SN-DD-FW-20250108-001,2025-01-08T08:30:00.000Z',
      'leitstelle@feuerwehr.dresden.de,DE-SN-DD-FW-20250108-002,2025-01-08T10:15:00.000Z',
    ]);
    expect(allClear?.text).toContain('Die Warnung ist aufgehoben.');
  });

  it('makes an Update with responseType AllClear an all-clear', () => {
    const xml = capFixture('dresden-bombenfund-update.xml').replace(
      '<responseType>Evacuate</responseType>',
      '<responseType>AllClear</responseType>',
    );
    expect(capToMessages(parsedXml(xml))[0]?.kind).toBe('all-clear');
  });

  it('gives the earthquake update the key of the first report', () => {
    const [update] = capToMessages(parsedFixture('oasis-a3-earthquake-update.xml'));
    expect(update?.referencesKeys).toEqual([
      referenceKey('trinet@caltech.edu', 'TRI13970876.1', '2003-06-11T20:30:00-07:00'),
    ]);
  });
});

describe('capToMessages: a bare Cancel without info', () => {
  const bareCancel = () => parsedFixture('dresden-bare-cancel.xml');

  it('writes the German all-clear naming the original by its headline', () => {
    const [message] = capToMessages(bareCancel(), { originalHeadline: 'Bombenfund an der Carolabrücke: Evakuierung' });
    expect(message).toMatchObject({
      language: 'de-DE',
      kind: 'all-clear',
      priority: 'normal',
      publishable: true,
      text: 'Dies ist die Entwarnung zur Warnung "Bombenfund an der Carolabrücke: Evakuierung" vom 08.01.2025 09:30 Uhr. Die Warnung ist aufgehoben.',
      sourceName: 'leitstelle@feuerwehr.dresden.de',
    });
  });

  it('names the original by its identifier when the caller has no headline', () => {
    expect(capToMessages(bareCancel())[0]?.text).toBe(
      'Dies ist die Entwarnung zur Warnung "DE-SN-DD-FW-20250108-001" vom 08.01.2025 09:30 Uhr. Die Warnung ist aufgehoben.',
    );
  });

  it('adds the English all-clear when the organisation publishes English too', () => {
    const messages = capToMessages(bareCancel(), { secondLanguage: 'en', originalHeadline: 'Bomb found' });
    expect(messages.map((message) => message.language)).toEqual(['de-DE', 'en']);
    expect(messages[1]?.text).toBe(
      'This is the all-clear for the warning "Bomb found" of 08/01/2025 09:30. The warning has been lifted.',
    );
  });

  it('does not publish an Alert without info, for it has no text', () => {
    const xml = capFixture('dresden-bare-cancel.xml').replace('<msgType>Cancel</msgType>', '<msgType>Alert</msgType>');
    const [message] = capToMessages(parsedXml(xml));
    expect(message?.publishable).toBe(false);
    expect(message?.unpublishableReason).toContain('no info block');
  });
});

describe('capToMessages: language choice', () => {
  it('takes the German info first and adds English only when asked', () => {
    const alert = parsedFixture(EVACUATION);
    expect(capToMessages(alert).map((message) => message.language)).toEqual(['de-DE']);
    const both = capToMessages(alert, { secondLanguage: 'en' });
    expect(both.map((message) => message.language)).toEqual(['de-DE', 'en-US']);
    expect(both[1]?.text.startsWith('WWII bomb found at Carola Bridge: evacuation')).toBe(true);
    expect(both[1]?.sourceName).toBe('City of Dresden, Fire and Civil Protection Department');
  });

  it('finds German info blocks tagged DE or de-AT as well', () => {
    const xml = capFixture(EVACUATION).replace('<language>de-DE</language>', '<language>DE</language>');
    expect(capToMessages(parsedXml(xml))[0]?.language).toBe('DE');
  });

  it('takes the German info even when it comes second in the document', () => {
    const xml = capFixture(EVACUATION)
      .replace('<language>de-DE</language>', '<language>en-GB</language>')
      .replace('<language>en-US</language>', '<language>de-DE</language>');
    expect(capToMessages(parsedXml(xml))[0]?.text.startsWith('WWII bomb')).toBe(true);
  });

  it('falls back to the first info when there is no German one, without a duplicate English draft', () => {
    const messages = capToMessages(parsedFixture('oasis-a4-amber-alert-multilingual.xml'), { secondLanguage: 'en' });
    expect(messages.map((message) => message.language)).toEqual(['en-US']);
    expect(messages[0]?.priority).toBe('emergency');
  });

  it('honours another preferred language', () => {
    const [message] = capToMessages(parsedFixture('oasis-a4-amber-alert-multilingual.xml'), {
      preferredLanguage: 'es-US',
    });
    expect(message?.text.startsWith('Alerta Amber en el condado de Los Ángeles')).toBe(true);
  });
});

describe('capToMessages: what never reaches a public channel', () => {
  for (const status of ['Exercise', 'Test', 'System', 'Draft'] as const) {
    it(`status ${status} is rendered but not publishable, with the reason`, () => {
      const xml = capFixture(EVACUATION).replace('<status>Actual</status>', `<status>${status}</status>`);
      const messages = capToMessages(parsedXml(xml), { secondLanguage: 'en' });
      expect(messages).toHaveLength(2);
      for (const message of messages) {
        expect(message.publishable).toBe(false);
        expect(message.unpublishableReason).toContain(`CAP status ${status}`);
        expect(message.text.length).toBeGreaterThan(0);
      }
    });
  }

  for (const msgType of ['Ack', 'Error'] as const) {
    it(`msgType ${msgType} is not publishable`, () => {
      const xml = capFixture(EVACUATION).replace('<msgType>Alert</msgType>', `<msgType>${msgType}</msgType>`);
      const [message] = capToMessages(parsedXml(xml));
      expect(message?.publishable).toBe(false);
      expect(message?.unpublishableReason).toContain(`CAP msgType ${msgType}`);
    });
  }

  it('a Restricted alert is not publishable', () => {
    const xml = capFixture(EVACUATION).replace(
      '<scope>Public</scope>',
      '<scope>Restricted</scope><restriction>Einsatzkräfte</restriction>',
    );
    expect(capToMessages(parsedXml(xml))[0]?.unpublishableReason).toContain('CAP scope Restricted');
  });

  it('a test bare Cancel is not publishable either', () => {
    const xml = capFixture('dresden-bare-cancel.xml').replace('<status>Actual</status>', '<status>Test</status>');
    expect(capToMessages(parsedXml(xml))[0]).toMatchObject({ kind: 'all-clear', publishable: false });
  });
});

describe('referenceKey and capIdempotencyKey', () => {
  it('finds the same alert whatever offset spelling its sent time uses', () => {
    expect(referenceKey('a@b', 'X1', '2025-01-08T08:30:00+00:00')).toBe(
      referenceKey('a@b', 'X1', '2025-01-08T09:30:00+01:00'),
    );
    expect(referenceKey('a@b', 'X1', '2025-01-08T08:30:00-00:00')).toBe('a@b,X1,2025-01-08T08:30:00.000Z');
  });

  it('tells different alerts apart', () => {
    const keys = new Set([
      referenceKey('a@b', 'X1', '2025-01-08T08:30:00+00:00'),
      referenceKey('a@b', 'X2', '2025-01-08T08:30:00+00:00'),
      referenceKey('c@d', 'X1', '2025-01-08T08:30:00+00:00'),
      referenceKey('a@b', 'X1', '2025-01-08T08:31:00+00:00'),
    ]);
    expect(keys.size).toBe(4);
  });

  it('makes the idempotency key from sender and identifier only', () => {
    const alert = parsedFixture(EVACUATION);
    expect(capIdempotencyKey(alert)).toBe('cap:leitstelle@feuerwehr.dresden.de,DE-SN-DD-FW-20250108-001');
    const resent = parsedXml(
      capFixture(EVACUATION).replace(
        '<sent>2025-01-08T09:30:00+01:00</sent>',
        '<sent>2025-01-08T09:31:00+01:00</sent>',
      ),
    );
    expect(capIdempotencyKey(resent)).toBe(capIdempotencyKey(alert));
  });
});
