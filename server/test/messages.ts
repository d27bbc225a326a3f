// Short builders for Zwibbler messages in tests. Pure: importing this does not
// load the hub.
import type { Message } from '../protocols/zwibbler/codec';

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const b = (s: string): Buffer => Buffer.from(s, 'utf8');

export const append = (layout: 2 | 3, offset: number, data: string, generation = 0): Message => ({
  type: 'append',
  layout,
  generation,
  offset,
  data: b(data),
});

export const setKey = (
  requestId: number,
  lifetime: number,
  oldVersion: number,
  newVersion: number,
  name: string,
  value: string,
): Message => ({
  type: 'set-key',
  requestId,
  lifetime,
  oldVersion,
  newVersion,
  name: b(name),
  value: b(value),
});

export const ackNack = (status: number, length: number): Message => ({
  type: 'ack-nack',
  status,
  length,
});

export const keyInfo = (...keys: [number, string, string][]): Message => ({
  type: 'key-information',
  keys: keys.map(([version, name, value]) => ({ version, name: b(name), value: b(value) })),
});

export const setKeyAck = (accepted: boolean, requestId: number): Message => ({
  type: 'set-key-ack-nack',
  accepted,
  requestId,
});

export const errorMsg = (code: number, text: string): Message => ({
  type: 'error',
  code,
  description: b(text),
});
