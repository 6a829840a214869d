/** Events serialised once, for the wire and the event log alike. */

import type { ResponseEvent } from '../protocol/events.js';
import type { ResponseObject } from '../protocol/response.js';
import type { LoggedEvent } from '../store/types.js';

export function toLogged(event: ResponseEvent): LoggedEvent {
  return { seq: event.sequence_number, data: serialize(event) };
}

/**
 * The Response JSON of the event serialised last, while the next event carries the very same
 * Response object (the emitter's `created` and `in_progress` share one snapshot): ~1.3 KB serialised
 * once instead of twice. Any other event in between forgets it, so a Response changed since (only
 * ever through events) is never reused.
 */
let lastResponse: ResponseObject | undefined;
let lastResponseJson = '';

function serialize(event: ResponseEvent): string {
  const response = 'response' in event ? event.response : undefined;
  if (response === undefined) {
    lastResponse = undefined;
    return JSON.stringify(event);
  }
  const head = `{"type":${JSON.stringify(event.type)},"sequence_number":${event.sequence_number},"response":`;
  if (response === lastResponse && hasOnlyKeys(event, RESPONSE_EVENT_KEYS)) {
    return `${head}${lastResponseJson}}`;
  }
  const data = JSON.stringify(event);
  // JSON.stringify of {type, sequence_number, response} is `head` + the Response + `}`.
  if (data.startsWith(head) && hasOnlyKeys(event, RESPONSE_EVENT_KEYS)) {
    lastResponse = response;
    lastResponseJson = data.slice(head.length, -1);
  } else {
    lastResponse = undefined;
  }
  return data;
}

const RESPONSE_EVENT_KEYS = ['type', 'sequence_number', 'response'] as const;

function hasOnlyKeys(object: object, keys: readonly string[]): boolean {
  const own = Object.keys(object);
  return own.length === keys.length && own.every((key, i) => key === keys[i]);
}

/** The emitter writes `type` first, so the name is read without parsing the event. */
export function eventTypeOf(data: string): string {
  const start = '{"type":"'.length;
  return data.slice(start, data.indexOf('"', start));
}

/** Events after which the log is written at once rather than within the next 100 ms. */
export function isBoundary(event: ResponseEvent): boolean {
  return (
    event.type === 'response.output_item.done' ||
    event.type === 'response.completed' ||
    event.type === 'response.incomplete' ||
    event.type === 'response.failed' ||
    event.type === 'response.queued' ||
    event.type === 'error'
  );
}
