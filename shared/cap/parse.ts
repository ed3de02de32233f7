/**
 * CAP 1.2 XML in, a validated CapAlert out, or the reasons it was refused.
 *
 * Safety first: the document's size is checked before anything else, any DTD or entity
 * declaration is refused before the parser sees it (no XXE, no billion laughs), and the parser is
 * told not to process entities at all. fast-xml-parser never fetches external entities (it rejects
 * SYSTEM), but with its defaults it does expand internal DTD entities, within size limits; hence
 * both guards. Only XML's five predefined entities and numeric character references are decoded,
 * here, without recursion.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CAP_NAMESPACE, type CapAlert, type CapProblem, validateCapAlert } from './schema';

export const MAX_CAP_DOCUMENT_BYTES = 512 * 1024;
export const CAP_CONTENT_TYPES = ['application/cap+xml', 'application/xml', 'text/xml'] as const;

const KNOWN_OLDER_NAMESPACES: Record<string, string> = {
  'urn:oasis:names:tc:emergency:cap:1.1': 'CAP 1.1',
  'http://www.incident.com/cap/1.0': 'CAP 1.0',
};

export type CapParseResult =
  | { ok: true; alert: CapAlert }
  | {
      ok: false;
      status: 400 | 413 | 415 | 422;
      problems: CapProblem[];
      /** true when the document was well-formed XML: the caller keeps it for audit */
      wellFormed: boolean;
    };

export interface CapParseOptions {
  /** the request's Content-Type; when given, anything but a CAP/XML media type is refused with 415 */
  contentType?: string;
}

export function isCapContentType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (CAP_CONTENT_TYPES as readonly string[]).includes(mediaType);
}

export function parseCapAlert(xml: string, options: CapParseOptions = {}): CapParseResult {
  if (options.contentType !== undefined && !isCapContentType(options.contentType)) {
    return refuse(
      415,
      'content-type',
      `${options.contentType || '(none)'} is not a CAP media type; send ${CAP_CONTENT_TYPES.join(' or ')}`,
    );
  }
  if (Buffer.byteLength(xml, 'utf8') > MAX_CAP_DOCUMENT_BYTES) {
    return refuse(413, 'document', `the document is larger than ${MAX_CAP_DOCUMENT_BYTES / 1024} KB`);
  }
  // Refused before parsing: a DTD can declare external entities (XXE) or nested expansions (billion laughs).
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    return refuse(400, 'document', 'DTDs and entities are not accepted');
  }
  const text = xml.replace(/^\uFEFF/, '');
  if (text.trim().length === 0) return refuse(400, 'document', 'the document is empty');

  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    return refuse(
      400,
      'document',
      `not well-formed XML: ${validation.err.msg} (line ${validation.err.line}, column ${validation.err.col})`,
    );
  }
  let root: XmlElement;
  try {
    root = readDocument(text);
  } catch (error) {
    // Well-formed but refused by the reader's limits (nesting depth, reserved names) or namespace rules.
    return refuse(
      400,
      'document',
      `the document cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  if (root.localName !== 'alert') {
    return {
      ok: false,
      status: 422,
      wellFormed: true,
      problems: [{ field: 'alert', message: `the root element is <${root.qualifiedName}>, not a CAP <alert>` }],
    };
  }
  if (root.namespace !== CAP_NAMESPACE) {
    return {
      ok: false,
      status: 422,
      wellFormed: true,
      problems: [{ field: 'alert', message: describeWrongNamespace(root.namespace) }],
    };
  }

  const readerProblems: CapProblem[] = [];
  const candidate = readFields(root, ALERT_FIELDS, '', readerProblems);
  const validated = validateCapAlert(candidate);
  const problems = [...readerProblems, ...(validated.ok ? [] : validated.problems)];
  if (problems.length > 0 || !validated.ok) return { ok: false, status: 422, wellFormed: true, problems };
  return { ok: true, alert: validated.alert };
}

function refuse(status: 400 | 413 | 415, field: string, message: string): CapParseResult {
  return { ok: false, status, wellFormed: false, problems: [{ field, message }] };
}

function describeWrongNamespace(namespace: string | undefined): string {
  if (namespace === undefined) return `<alert> has no namespace; CAP 1.2 needs xmlns="${CAP_NAMESPACE}"`;
  const older = KNOWN_OLDER_NAMESPACES[namespace];
  if (older) return `namespace ${namespace} is ${older}; only CAP 1.2 (${CAP_NAMESPACE}) is accepted`;
  return `namespace ${namespace} is not CAP 1.2 (${CAP_NAMESPACE})`;
}

// ---------------------------------------------------------------------------------------------
// A namespace-aware element tree on top of fast-xml-parser's ordered output.

interface XmlElement {
  qualifiedName: string;
  localName: string;
  namespace: string | undefined;
  children: XmlElement[];
  /** decoded character data directly inside the element */
  text: string;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Never expand entities in the parser; see decodeCharacterReferences.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function readDocument(text: string): XmlElement {
  const nodes = parser.parse(text) as OrderedNode[];
  const elements = nodes.filter((node) => elementName(node) !== undefined);
  if (elements.length !== 1 || !elements[0]) throw new Error('a document needs exactly one root element');
  return toElement(elements[0], new Map());
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && !key.startsWith('#'));
}

function toElement(node: OrderedNode, inheritedScope: Map<string, string>): XmlElement {
  const qualifiedName = elementName(node) ?? '';
  const scope = new Map(inheritedScope);
  for (const [name, value] of Object.entries(node[':@'] ?? {})) {
    if (name === 'xmlns') scope.set('', decodeCharacterReferences(value));
    else if (name.startsWith('xmlns:')) scope.set(name.slice('xmlns:'.length), decodeCharacterReferences(value));
  }
  const colon = qualifiedName.indexOf(':');
  const prefix = colon >= 0 ? qualifiedName.slice(0, colon) : '';
  const localName = colon >= 0 ? qualifiedName.slice(colon + 1) : qualifiedName;
  const namespace = scope.get(prefix) || undefined;
  if (prefix && namespace === undefined)
    throw new Error(`the prefix "${prefix}" of <${qualifiedName}> is not declared`);

  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qualifiedName] as OrderedNode[] | undefined) ?? []) {
    if ('#text' in child) text += decodeCharacterReferences(String(child['#text']));
    else if ('#cdata' in child)
      text += (child['#cdata'] as { '#text'?: unknown }[]).map((part) => String(part['#text'] ?? '')).join('');
    else if (elementName(child) !== undefined) children.push(toElement(child, scope));
  }
  return { qualifiedName, localName, namespace, children, text: text.trim() };
}

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode XML's predefined entities and numeric references; any other entity reference is undeclared, so the document is not well-formed. */
function decodeCharacterReferences(value: string): string {
  return value.replace(/&([^;\s&]*);?/g, (reference, name: string) => {
    if (!reference.endsWith(';')) throw new Error('a bare "&" must be written as &amp;');
    const predefined = PREDEFINED_ENTITIES[name];
    if (predefined !== undefined) return predefined;
    const code = name.startsWith('#x')
      ? Number.parseInt(name.slice(2), 16)
      : name.startsWith('#')
        ? Number.parseInt(name.slice(1), 10)
        : Number.NaN;
    if (Number.isInteger(code) && code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    throw new Error(`the entity reference ${reference} is not declared`);
  });
}

// ---------------------------------------------------------------------------------------------
// CAP elements into the plain candidate shape validated by CapAlertSchema.

type FieldSpec = 'one' | 'many' | { many: FieldTable };
type FieldTable = Record<string, FieldSpec>;

const VALUE_PAIR: FieldTable = { valueName: 'one', value: 'one' };
const AREA_FIELDS: FieldTable = {
  areaDesc: 'one',
  polygon: 'many',
  circle: 'many',
  geocode: { many: VALUE_PAIR },
  altitude: 'one',
  ceiling: 'one',
};
const RESOURCE_FIELDS: FieldTable = {
  resourceDesc: 'one',
  mimeType: 'one',
  size: 'one',
  uri: 'one',
  derefUri: 'one',
  digest: 'one',
};
const INFO_FIELDS: FieldTable = {
  language: 'one',
  category: 'many',
  event: 'one',
  responseType: 'many',
  urgency: 'one',
  severity: 'one',
  certainty: 'one',
  audience: 'one',
  eventCode: { many: VALUE_PAIR },
  effective: 'one',
  onset: 'one',
  expires: 'one',
  senderName: 'one',
  headline: 'one',
  description: 'one',
  instruction: 'one',
  web: 'one',
  contact: 'one',
  parameter: { many: VALUE_PAIR },
  resource: { many: RESOURCE_FIELDS },
  area: { many: AREA_FIELDS },
};
const ALERT_FIELDS: FieldTable = {
  identifier: 'one',
  sender: 'one',
  sent: 'one',
  status: 'one',
  msgType: 'one',
  source: 'one',
  scope: 'one',
  restriction: 'one',
  addresses: 'one',
  code: 'many',
  note: 'one',
  references: 'one',
  incidents: 'one',
  info: { many: INFO_FIELDS },
};

/**
 * Elements of other namespaces are skipped: that is where an enveloped XML signature
 * (`ds:Signature`, http://www.w3.org/2000/09/xmldsig#) lives. Herold accepts signed alerts but does
 * not verify the signature; trust comes from the authenticated API caller, not from the document.
 * Empty elements count as absent, as real feeds send `<polygon></polygon>`.
 */
function readFields(
  element: XmlElement,
  table: FieldTable,
  path: string,
  problems: CapProblem[],
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const counts = new Map<string, number>();
  for (const child of element.children) {
    if (child.namespace !== CAP_NAMESPACE) continue;
    const name = child.localName;
    const fieldPath = path ? `${path}.${name}` : name;
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (spec === undefined) {
      problems.push({ field: fieldPath, message: `<${name}> is not a CAP 1.2 element of <${element.localName}>` });
      continue;
    }
    const index = counts.get(name) ?? 0;
    counts.set(name, index + 1);
    if (typeof spec === 'object') {
      const list = (fields[name] ??= []) as unknown[];
      list.push(readFields(child, spec.many, `${fieldPath}[${index}]`, problems));
      continue;
    }
    if (child.children.some((grandchild) => grandchild.namespace === CAP_NAMESPACE)) {
      problems.push({ field: fieldPath, message: `<${name}> must contain text, not elements` });
      continue;
    }
    if (spec === 'one' && index > 0) {
      problems.push({ field: fieldPath, message: `<${name}> may appear only once` });
      continue;
    }
    if (child.text.length === 0) continue;
    if (spec === 'one') fields[name] = child.text;
    else ((fields[name] ??= []) as string[]).push(child.text);
  }
  return fields;
}
