/**
 * Message attributes between the JSON wire (BinaryValue as base64) and the local queues, with the
 * checks SQS makes on send and the name filters ReceiveMessage applies.
 */
import { sqsApiError } from './api-errors';
import type { MessageAttributeValue } from './digest';
import type { Json } from './request-fields';

const MAX_ATTRIBUTES = 10;
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;

function invalid(message: string): Error {
  return sqsApiError('InvalidParameterValue', message);
}

function checkName(name: string): void {
  // SQS reserves the AWS. and Amazon. prefixes and refuses dots at either end or doubled.
  if (!NAME.test(name) || /^(aws|amazon)\./i.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
    throw invalid(`Message attribute name '${name}' is invalid.`);
  }
}

function readValue(name: string, raw: unknown): MessageAttributeValue {
  if (typeof raw !== 'object' || raw === null) throw invalid(`The message attribute '${name}' must be a structure.`);
  const { DataType, StringValue, BinaryValue } = raw as Json;
  if (typeof DataType !== 'string' || DataType === '') throw invalid(`The message attribute '${name}' must contain a DataType.`);
  const base = DATA_TYPE.exec(DataType)?.[1];
  if (!base) throw invalid(`The type of message attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
  if (base === 'Binary') {
    if (typeof BinaryValue !== 'string' || BinaryValue === '') {
      throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type 'Binary'.`);
    }
    return { DataType, BinaryValue: new Uint8Array(Buffer.from(BinaryValue, 'base64')) };
  }
  if (typeof StringValue !== 'string' || StringValue === '') {
    throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
  }
  if (base === 'Number' && !Number.isFinite(Number(StringValue))) {
    throw invalid(`Can't cast the value of message attribute '${name}' to a number.`);
  }
  return { DataType, StringValue };
}

/** `MessageAttributes` of a send, checked. */
export function readMessageAttributes(raw: unknown): Record<string, MessageAttributeValue> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('MessageAttributes must be a map of attribute names to values.');
  const names = Object.keys(raw);
  if (names.length > MAX_ATTRIBUTES) throw invalid(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const name of names) {
    checkName(name);
    attributes[name] = readValue(name, (raw as Json)[name]);
  }
  return attributes;
}

/** Bytes the attributes count towards the 256 KiB message size: names, types and values. */
export function attributesSize(attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.BinaryValue ? value.BinaryValue.length : Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

/** The attributes MessageAttributeNames asks for: `All` or `.*`, exact names, or `prefix.*`. */
export function selectMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
  requested: readonly string[],
): Record<string, MessageAttributeValue> {
  const wanted = (name: string): boolean => requested.some((pattern) =>
    pattern === 'All' || pattern === '.*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))));
  const selected: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) if (wanted(name)) selected[name] = value;
  return selected;
}

/** Attributes as the JSON response carries them. */
export function attributesToWire(attributes: Readonly<Record<string, MessageAttributeValue>>): Json {
  const wire: Json = {};
  for (const [name, value] of Object.entries(attributes)) {
    wire[name] = value.BinaryValue !== undefined
      ? { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue).toString('base64') }
      : { DataType: value.DataType, StringValue: value.StringValue };
  }
  return wire;
}
