/**
 * Just enough XML for S3: building responses, and reading the few flat request documents S3 clients
 * send (DeleteObjects). Not a general parser: S3 request bodies have no attributes we need, no CDATA
 * and no mixed content.
 */

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[entity];
  });
}

/** A tree to serialize: element name to text, a nested tree, or a list of repeated elements. */
export type XmlValue = string | number | boolean | XmlTree | readonly XmlTree[] | undefined;
export interface XmlTree { readonly [name: string]: XmlValue }

function serialize(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: XmlTree) => serialize(name, item)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as XmlTree).map(([child, v]) => serialize(child, v)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A complete document; `namespaced` adds S3's xmlns to the root (responses have it, <Error> does not). */
export function xmlDocument(root: string, tree: XmlTree, namespaced = true): string {
  const body = Object.entries(tree).map(([name, value]) => serialize(name, value)).join('');
  const open = namespaced ? `<${root} xmlns="${S3_XMLNS}">` : `<${root}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}${body}</${root}>`;
}

/** The inner XML of every `<name>` element (with or without attributes) in document order. */
export function elementsNamed(xml: string, name: string): string[] {
  const pattern = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>|<${name}(?:\\s[^>]*)?/>`, 'g');
  return [...xml.matchAll(pattern)].map((match) => match[1] ?? '');
}

/** The unescaped text of the first `<name>` element, or undefined. */
export function textOf(xml: string, name: string): string | undefined {
  const [first] = elementsNamed(xml, name);
  return first === undefined ? undefined : unescapeXml(first);
}
