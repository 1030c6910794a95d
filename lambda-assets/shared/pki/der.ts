import { pkiError } from './errors';

/**
 * A minimal DER reader: just enough to find the fields of a SubjectPublicKeyInfo without
 * running the full ASN.1 schema parser on every issuance (it is the hot path of the benchmark).
 */
export interface DerElement {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the last content byte. */
  readonly end: number;
}

export const DER_TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  SEQUENCE: 0x30,
} as const;

/** Reads the element starting at `offset`; it must end at or before `limit`. */
export function readElement(der: Uint8Array, offset: number, limit: number = der.length): DerElement {
  if (offset + 2 > limit) {
    throw malformed('truncated element header');
  }
  const tag = der[offset];
  let length = der[offset + 1];
  let contentStart = offset + 2;
  if (length >= 0x80) {
    const lengthBytes = length - 0x80;
    // DER forbids the indefinite form (0x80); four length bytes cover anything we will ever see.
    if (lengthBytes === 0 || lengthBytes > 4 || contentStart + lengthBytes > limit) {
      throw malformed('unsupported length encoding');
    }
    length = 0;
    for (let i = 0; i < lengthBytes; i++) {
      length = length * 256 + der[contentStart + i];
    }
    contentStart += lengthBytes;
  }
  const end = contentStart + length;
  if (end > limit) {
    throw malformed('element runs past its container');
  }
  return { tag, start: offset, contentStart, end };
}

/** Reads an element and insists on its tag. */
export function expectElement(der: Uint8Array, offset: number, tag: number, limit: number = der.length): DerElement {
  const element = readElement(der, offset, limit);
  if (element.tag !== tag) {
    throw malformed(`expected tag 0x${tag.toString(16)}, found 0x${element.tag.toString(16)}`);
  }
  return element;
}

/** The elements directly inside a constructed element (a SEQUENCE, say). */
export function childrenOf(der: Uint8Array, parent: DerElement): DerElement[] {
  const children: DerElement[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readElement(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** Dotted-decimal text of an OBJECT IDENTIFIER's content bytes. */
export function decodeObjectIdentifier(der: Uint8Array, element: DerElement): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = element.contentStart; i < element.end; i++) {
    const byte = der[i];
    value = value * 128 + (byte % 128);
    if (byte < 0x80) {
      arcs.push(value);
      value = 0;
    }
  }
  if (arcs.length === 0) {
    throw malformed('empty object identifier');
  }
  const first = arcs[0] < 80 ? Math.floor(arcs[0] / 40) : 2;
  return [first, arcs[0] - first * 40, ...arcs.slice(1)].join('.');
}

function malformed(detail: string) {
  return pkiError('MALFORMED_PEM', `malformed DER: ${detail}`);
}
