/** Events serialised once, for the wire and the event log alike. */
import type { LoggedEvent } from '../store/types.js';
import type { ResponseEvent } from './events.js';

export function toLogged(event: ResponseEvent): LoggedEvent {
  return { seq: event.sequence_number, data: JSON.stringify(event) };
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
