import { describe, expect, it } from 'vitest';
import { MAX_CAP_DOCUMENT_BYTES, isCapContentType, parseCapAlert } from '../../../shared/cap/parse';
import { capFixture, parsedFixture, parsedXml } from './fixtures';

function failure(xml: string, options?: Parameters<typeof parseCapAlert>[1]) {
  const result = parseCapAlert(xml, options);
  if (result.ok) expect.fail('expected the document to be refused');
  return result;
}

const DRESDEN_ALERT = 'dresden-bombenfund-evakuierung.xml';

describe('parseCapAlert: the OASIS CAP 1.2 appendix examples', () => {
  it('reads the Homeland Security Advisory alert with its parameter, resource and area', () => {
    const alert = parsedFixture('oasis-a1-homeland-security-advisory.xml');
    expect(alert).toMatchObject({
      identifier: '43b080713727',
      sender: 'hsas@dhs.gov',
      sent: '2003-04-02T14:39:01-05:00',
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
    });
    const [info] = alert.info;
    expect(info).toMatchObject({
      language: 'en-US',
      category: ['Security'],
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Likely',
      headline: 'Homeland Security Sets Code ORANGE',
      web: 'http://www.dhs.gov/dhspublic/display?theme=29',
      parameter: [{ valueName: 'HSAS', value: 'ORANGE' }],
      resource: [
        {
          resourceDesc: 'Image file (GIF)',
          mimeType: 'image/gif',
          uri: 'http://www.dhs.gov/dhspublic/getAdvisoryImage',
        },
      ],
      area: [{ areaDesc: 'U.S. nationwide and interests worldwide', polygon: [], circle: [], geocode: [] }],
    });
    expect(info?.instruction?.startsWith('A High Condition')).toBe(true);
  });

  it('reads the thunderstorm warning polygon as points and every geocode', () => {
    const area = parsedFixture('oasis-a2-severe-thunderstorm-warning.xml').info[0]?.area[0];
    expect(area?.polygon[0]).toHaveLength(5);
    expect(area?.polygon[0]?.[1]).toEqual({ latitude: 38.34, longitude: -119.95 });
    expect(area?.geocode.map((code) => code.value)).toEqual(['006109', '006009', '006003']);
  });

  it('reads the earthquake update references as sender, identifier, sent and its circle', () => {
    const alert = parsedFixture('oasis-a3-earthquake-update.xml');
    expect(alert.msgType).toBe('Update');
    expect(alert.references).toEqual([
      { sender: 'trinet@caltech.edu', identifier: 'TRI13970876.1', sent: '2003-06-11T20:30:00-07:00' },
    ]);
    expect(alert.info[0]?.area[0]?.circle).toEqual([
      { center: { latitude: 32.9525, longitude: -115.5527 }, radiusKm: 0 },
    ]);
    expect(alert.info[0]?.parameter).toHaveLength(5);
  });

  it('reads both languages of the multilingual AMBER alert', () => {
    const alert = parsedFixture('oasis-a4-amber-alert-multilingual.xml');
    expect(alert.source).toBe('SW');
    expect(alert.info.map((info) => info.language)).toEqual(['en-US', 'es-US']);
    expect(alert.info[1]?.event).toBe('Abducción de Niño');
  });
});

describe('parseCapAlert: real-world shapes', () => {
  it('accepts an alert signed with ds:Signature and ignores the signature', () => {
    const alert = parsedFixture('signed-alert-ds-signature.xml');
    expect(alert.identifier).toBe('DE-SN-DD-FW-20250108-101');
    expect(alert.info).toHaveLength(1);
  });

  it('accepts a compact, signed Cancel with empty elements like real feeds send', () => {
    const alert = parsedFixture('ipaws-style-cancel-signed.xml');
    expect(alert.msgType).toBe('Cancel');
    expect(alert.references[0]?.identifier).toBe('6a90b38a3fedd9125cff7287');
    expect(alert.info[0]?.area[0]?.polygon).toEqual([]);
    expect(alert.info[0]?.parameter.find((parameter) => parameter.valueName === 'WMOHEADER')?.value).toBe('');
  });

  it('accepts a bare Cancel without info', () => {
    const alert = parsedFixture('dresden-bare-cancel.xml');
    expect(alert).toMatchObject({ msgType: 'Cancel', info: [] });
    expect(alert.references).toHaveLength(1);
  });

  it('reads two references, incidents and the German info of the Dresden alerts', () => {
    const allClear = parsedFixture('dresden-bombenfund-entwarnung.xml');
    expect(allClear.references.map((reference) => reference.identifier)).toEqual([
      'DE-SN-DD-FW-20250108-001',
      'DE-SN-DD-FW-20250108-002',
    ]);
    expect(allClear.incidents).toEqual(['DD-KMF-2025-001']);
    expect(allClear.info[0]?.responseType).toEqual(['AllClear']);
    expect(parsedFixture(DRESDEN_ALERT).info[0]?.headline).toBe('Bombenfund an der Carolabrücke: Evakuierung');
  });

  it('resolves a CAP namespace bound to a prefix', () => {
    const prefixed = capFixture('dresden-bare-cancel.xml')
      .replace(
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
        '<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">',
      )
      .replace('</alert>', '</cap:alert>')
      .replace(/<(\/?)(identifier|sender|sent|status|msgType|scope|references)>/g, '<$1cap:$2>');
    expect(parsedXml(prefixed).identifier).toBe('DE-SN-DD-FW-20250108-004');
  });

  it('decodes predefined entities and character references, and keeps CDATA as written', () => {
    const xml = capFixture(DRESDEN_ALERT)
      .replace(
        '<headline>Bombenfund an der Carolabrücke: Evakuierung</headline>',
        '<headline>Bombe &amp; Sperrung &#8211; Carolabr&#xFC;cke</headline>',
      )
      .replace(
        /<description>[^<]*<\/description>/,
        '<description><![CDATA[Fundort <Carolabrücke> &amp; Umgebung]]></description>',
      );
    const info = parsedXml(xml).info[0];
    expect(info?.headline).toBe('Bombe & Sperrung – Carolabrücke');
    expect(info?.description).toBe('Fundort <Carolabrücke> &amp; Umgebung');
  });

  it('defaults the info language to en-US', () => {
    expect(parsedFixture('oasis-a1-homeland-security-advisory.xml').info[0]?.language).toBe('en-US');
  });
});

describe('parseCapAlert: refused documents', () => {
  it('refuses a DTD with an external entity with 400 and never resolves it', () => {
    const result = failure(capFixture('bad-doctype-external-entity.xml'));
    expect(result).toMatchObject({ status: 400, wellFormed: false });
    expect(result.problems[0]?.message).toBe('DTDs and entities are not accepted');
    expect(JSON.stringify(result)).not.toContain('root:');
  });

  it('refuses the billion laughs document quickly with 400', () => {
    const started = performance.now();
    const result = failure(capFixture('bad-billion-laughs.xml'));
    expect(result.status).toBe(400);
    expect(result.problems[0]?.message).toBe('DTDs and entities are not accepted');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses an entity declaration even without a DOCTYPE line', () => {
    expect(failure('<!ENTITY x "y"><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>').status).toBe(400);
  });

  it('refuses an undeclared entity reference as not well-formed', () => {
    const xml = capFixture(DRESDEN_ALERT).replace('<headline>Bombenfund', '<headline>&xxe; Bombenfund');
    const result = failure(xml);
    expect(result.status).toBe(400);
    expect(result.problems[0]?.message).toContain('&xxe;');
  });

  it('refuses documents over 512 KB with 413', () => {
    const padding = 'Sperrkreis. '.repeat(Math.ceil((600 * 1024) / 12));
    const xml = capFixture(DRESDEN_ALERT).replace('<description>', `<description>${padding}`);
    expect(Buffer.byteLength(xml)).toBeGreaterThan(MAX_CAP_DOCUMENT_BYTES);
    expect(failure(xml)).toMatchObject({ status: 413, wellFormed: false });
  });

  it('counts the size in UTF-8 bytes, not characters', () => {
    const xml = capFixture(DRESDEN_ALERT);
    const umlauts = 'ü'.repeat(MAX_CAP_DOCUMENT_BYTES / 2);
    expect(failure(xml.replace('<description>', `<description>${umlauts}`)).status).toBe(413);
  });

  it('refuses text that is not XML with 400', () => {
    expect(failure(capFixture('bad-not-xml.txt'))).toMatchObject({ status: 400, wellFormed: false });
    expect(failure('').status).toBe(400);
  });

  it('refuses absurd nesting and undeclared namespace prefixes with 400', () => {
    const deep = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${'<note>'.repeat(5000)}${'</note>'.repeat(5000)}</alert>`;
    expect(failure(deep).problems[0]?.message).toContain('Maximum nested tags exceeded');
    const undeclared = '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><cap:identifier>1</cap:identifier></alert>';
    expect(failure(undeclared)).toMatchObject({
      status: 400,
      problems: [{ message: expect.stringContaining('"cap"') }],
    });
  });

  it('refuses XML that is not well-formed with 400 and says where', () => {
    const result = failure(capFixture('bad-not-well-formed.xml'));
    expect(result.status).toBe(400);
    expect(result.problems[0]?.message).toMatch(/line \d+/);
  });

  it('refuses CAP 1.1 with 422 naming the namespace', () => {
    const result = failure(capFixture('bad-cap11-namespace.xml'));
    expect(result).toMatchObject({ status: 422, wellFormed: true });
    expect(result.problems[0]).toEqual({
      field: 'alert',
      message: expect.stringContaining('urn:oasis:names:tc:emergency:cap:1.1 is CAP 1.1'),
    });
  });

  it('refuses unknown namespaces and a missing namespace with 422', () => {
    const unknown = failure(
      capFixture(DRESDEN_ALERT).replace('urn:oasis:names:tc:emergency:cap:1.2', 'urn:example:alerts'),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.problems[0]?.message).toContain('urn:example:alerts');
    const none = failure(capFixture(DRESDEN_ALERT).replace(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', ''));
    expect(none.problems[0]?.message).toContain('has no namespace');
  });

  it('refuses a root element other than alert with 422', () => {
    const result = failure('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>');
    expect(result).toMatchObject({
      status: 422,
      problems: [{ field: 'alert', message: expect.stringContaining('<feed>') }],
    });
  });

  it('names a missing identifier', () => {
    const result = failure(capFixture('bad-missing-identifier.xml'));
    expect(result).toMatchObject({ status: 422, wellFormed: true });
    expect(result.problems).toEqual([
      { field: 'identifier', message: 'required element <identifier> is missing or empty' },
    ]);
  });

  it('names an invalid severity with its path, the value and the allowed values', () => {
    const result = failure(capFixture('bad-invalid-severity.xml'));
    expect(result.problems).toEqual([
      { field: 'info[0].severity', message: expect.stringContaining('"Catastrophic"') },
    ]);
    expect(result.problems[0]?.message).toContain('Extreme, Severe, Moderate, Minor, Unknown');
  });

  it('reports every problem at once, each with its field path', () => {
    const xml = capFixture(DRESDEN_ALERT)
      .replace('<status>Actual</status>', '<status>Live</status>')
      .replace('<msgType>Alert</msgType>', '<msgType>Warning</msgType>')
      .replace('<scope>Public</scope>', '<scope>Everyone</scope>')
      .replace('<sent>2025-01-08T09:30:00+01:00</sent>', '<sent>2025-01-08T08:30:00Z</sent>')
      .replace(
        '<urgency>Immediate</urgency>\n    <severity>Severe</severity>\n    <certainty>Observed</certainty>\n    <effective>',
        '<urgency>Now</urgency>\n    <severity>Severe</severity>\n    <certainty>Sure</certainty>\n    <effective>',
      )
      .replace(
        '<category>Safety</category>\n    <event>Unexploded ordnance</event>',
        '<category>Bomb</category>\n    <event>Unexploded ordnance</event>',
      )
      .replace('<areaDesc>Exclusion zone 500 m around the Carola Bridge, Dresden</areaDesc>', '')
      .replace(
        '<responseType>Evacuate</responseType>\n    <urgency>Now',
        '<responseType>Run</responseType>\n    <urgency>Now',
      );
    const fields = failure(xml).problems.map((problem) => problem.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'status',
        'msgType',
        'scope',
        'sent',
        'info[0].urgency',
        'info[0].certainty',
        'info[0].responseType[0]',
        'info[1].category[0]',
        'info[1].area[0].areaDesc',
      ]),
    );
  });

  it('names required info elements that are missing', () => {
    const xml = capFixture(DRESDEN_ALERT).replace(
      '<category>Safety</category>\n    <event>Kampfmittelfund</event>',
      '',
    );
    const problems = failure(xml).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'info[0].category', message: 'required element <category> is missing or empty' },
        { field: 'info[0].event', message: 'required element <event> is missing or empty' },
      ]),
    );
  });

  it('refuses references that are not sender,identifier,sent triples', () => {
    const xml = capFixture('dresden-bare-cancel.xml').replace(
      /<references>[^<]*<\/references>/,
      '<references>leitstelle@feuerwehr.dresden.de,DE-SN-DD-FW-20250108-001</references>',
    );
    expect(failure(xml).problems[0]?.field).toBe('references');
  });

  it('refuses unknown CAP elements and repeated single elements', () => {
    const xml = capFixture('dresden-bare-cancel.xml').replace(
      '<scope>Public</scope>',
      '<scope>Public</scope><scope>Public</scope><priority>high</priority>',
    );
    expect(failure(xml).problems.map((problem) => problem.field)).toEqual(['scope', 'priority']);
  });

  it('refuses a polygon that is not closed and a Private alert without addresses', () => {
    const polygon = capFixture('oasis-a2-severe-thunderstorm-warning.xml').replace(
      '38.62,-119.89 38.47,-120.14</polygon>',
      '38.62,-119.89</polygon>',
    );
    expect(failure(polygon).problems[0]?.field).toBe('info[0].area[0].polygon[0]');
    const privateAlert = capFixture('dresden-bare-cancel.xml').replace(
      '<scope>Public</scope>',
      '<scope>Private</scope>',
    );
    expect(failure(privateAlert).problems[0]?.field).toBe('addresses');
  });

  it('refuses a media type that is not XML with 415 when the caller passes one', () => {
    expect(failure(capFixture(DRESDEN_ALERT), { contentType: 'application/json' })).toMatchObject({
      status: 415,
      wellFormed: false,
    });
    expect(parseCapAlert(capFixture(DRESDEN_ALERT), { contentType: 'application/cap+xml; charset=utf-8' }).ok).toBe(
      true,
    );
    expect(isCapContentType('text/xml')).toBe(true);
    expect(isCapContentType('text/plain')).toBe(false);
  });
});
