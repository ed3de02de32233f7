/**
 * A structural check of an Atom Feed Document against RFC 4287: the constraints of its RELAX NG
 * schema (appendix B) and the prose rules beside it (§4.1.1 feed, §4.1.2 entry, §3.3 dates, §4.2.7
 * links, §4.1.3 content). Returns what is wrong; an empty list for a valid feed.
 */
import { XMLParser } from 'fast-xml-parser';

const ATOM = 'http://www.w3.org/2005/Atom';
/** RFC 3339 date-time, as §3.3 requires ("T" and "Z" upper case, seconds present). */
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const TEXT_TYPES = ['text', 'html', 'xhtml'];

type Node = Record<string, unknown>;
const list = (value: unknown): Node[] => (value === undefined ? [] : ([value].flat() as Node[]));
const textOf = (node: Node | undefined) =>
  typeof node === 'object' ? String(node?.['#text'] ?? '') : String(node ?? '');
const isIri = (value: string) => {
  try {
    return Boolean(new URL(value));
  } catch {
    return false;
  }
};

export function atomProblems(xml: string): string[] {
  const problems: string[] = [];
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    alwaysCreateTextNode: true,
    processEntities: true,
  });
  let document: Node;
  try {
    document = parser.parse(xml, true) as Node;
  } catch (error) {
    return [`not well-formed: ${(error as Error).message}`];
  }
  const feed = document.feed as Node | undefined;
  if (!feed) return ['the root element is not atom:feed'];
  if (feed['@xmlns'] !== ATOM) problems.push(`feed is not in the Atom namespace ${ATOM}`);
  const allowed = [
    'author',
    'category',
    'contributor',
    'generator',
    'icon',
    'id',
    'link',
    'logo',
    'rights',
    'subtitle',
    'title',
    'updated',
    'entry',
  ];
  for (const name of Object.keys(feed).filter((key) => !key.startsWith('@') && key !== '#text'))
    if (!allowed.includes(name)) problems.push(`feed has an element atom:${name} the schema does not allow`);

  const once = (node: Node, name: string, where: string) => {
    const found = list(node[name]);
    if (found.length !== 1) problems.push(`${where} must have exactly one atom:${name}, has ${found.length}`);
    return found[0];
  };
  const atMostOnce = (node: Node, name: string, where: string) => {
    if (list(node[name]).length > 1) problems.push(`${where} has more than one atom:${name}`);
  };
  const checkText = (node: Node | undefined, where: string) => {
    if (!node) return;
    const type = String(node['@type'] ?? 'text');
    if (!TEXT_TYPES.includes(type)) problems.push(`${where} has type "${type}"`);
  };
  const checkDate = (node: Node | undefined, where: string) => {
    if (node && !DATE.test(textOf(node).trim()))
      problems.push(`${where} "${textOf(node)}" is not an RFC 3339 date-time`);
  };
  const checkId = (node: Node | undefined, where: string) => {
    if (node && !isIri(textOf(node).trim())) problems.push(`${where} "${textOf(node)}" is not an absolute IRI`);
  };
  const checkPerson = (node: Node, where: string) => {
    if (list(node.name).length !== 1) problems.push(`${where} must have exactly one atom:name`);
    if (list(node.uri).length > 1 || list(node.email).length > 1) problems.push(`${where} has a repeated uri or email`);
  };
  const checkLinks = (node: Node, where: string) => {
    const alternates = new Set<string>();
    for (const link of list(node.link)) {
      if (typeof link['@href'] !== 'string' || !link['@href']) problems.push(`${where} has an atom:link without href`);
      const rel = String(link['@rel'] ?? 'alternate');
      if (rel === 'alternate') {
        const key = `${String(link['@type'] ?? '')}|${String(link['@hreflang'] ?? '')}`;
        if (alternates.has(key)) problems.push(`${where} has two alternate links with the same type and hreflang`);
        alternates.add(key);
      }
    }
  };

  checkId(once(feed, 'id', 'feed'), 'feed id');
  checkText(once(feed, 'title', 'feed'), 'feed title');
  checkDate(once(feed, 'updated', 'feed'), 'feed updated');
  for (const name of ['generator', 'icon', 'logo', 'rights', 'subtitle']) atMostOnce(feed, name, 'feed');
  checkText(list(feed.subtitle)[0], 'feed subtitle');
  for (const author of list(feed.author)) checkPerson(author, 'feed author');
  checkLinks(feed, 'feed');
  if (!list(feed.link).some((link) => link['@rel'] === 'self'))
    problems.push('feed should have a link rel="self" (§4.1.1)');

  const ids = new Set<string>();
  for (const [index, entry] of list(feed.entry).entries()) {
    const where = `entry ${index + 1}`;
    const id = once(entry, 'id', where);
    checkId(id, `${where} id`);
    if (id && ids.has(textOf(id))) problems.push(`${where} repeats the id ${textOf(id)}`);
    if (id) ids.add(textOf(id));
    checkText(once(entry, 'title', where), `${where} title`);
    checkDate(once(entry, 'updated', where), `${where} updated`);
    atMostOnce(entry, 'published', where);
    checkDate(list(entry.published)[0], `${where} published`);
    atMostOnce(entry, 'content', where);
    atMostOnce(entry, 'summary', where);
    for (const author of list(entry.author)) checkPerson(author, `${where} author`);
    if (list(feed.author).length === 0 && list(entry.author).length === 0)
      problems.push(`${where} has no author and the feed has none either (§4.1.1)`);
    const content = list(entry.content)[0];
    if (content) {
      const type = String(content['@type'] ?? 'text');
      if (!TEXT_TYPES.includes(type) && content['@src'] === undefined && !type.includes('/'))
        problems.push(`${where} content type "${type}" is neither text, html, xhtml nor a media type`);
    } else if (!list(entry.link).some((link) => String(link['@rel'] ?? 'alternate') === 'alternate'))
      problems.push(`${where} has neither content nor an alternate link (§4.1.1)`);
    checkLinks(entry, where);
  }
  return problems;
}

/** The entries' ids and texts, newest first as the feed orders them. */
export function atomEntries(xml: string): { id: string; title: string; content: string; updated: string }[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    alwaysCreateTextNode: true,
  });
  const feed = (parser.parse(xml) as Node).feed as Node;
  return list(feed.entry).map((entry) => ({
    id: textOf(list(entry.id)[0]),
    title: textOf(list(entry.title)[0]),
    content: textOf(list(entry.content)[0]),
    updated: textOf(list(entry.updated)[0]),
  }));
}
