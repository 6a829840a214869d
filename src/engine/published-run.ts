/**
 * Runs a started response for a live consumer (an SSE stream, a WebSocket): each event reaches the
 * consumer as its logged form and, when the response is stored, the live channel too, so others
 * can follow or resume it (GET ?stream=true). One policy for every transport.
 */
import type { ResponseEvent } from '../protocol/events.js';
import type { ResponseObject } from '../protocol/response.js';
import type { LoggedEvent } from '../store/types.js';
import type { LiveEvents } from './live-events.js';
import { isBoundary, toLogged } from './logged-events.js';
import type { StartedResponse } from './response-engine.js';

export async function runPublished(
  started: StartedResponse,
  live: LiveEvents,
  how: { logged: boolean },
  deliver: (entry: LoggedEvent, event: ResponseEvent) => void,
  backpressure?: () => Promise<void> | undefined,
): Promise<ResponseObject> {
  const id = started.initial.id;
  const { logged } = how;
  if (logged) live.open(id);
  try {
    return await started.run((event) => {
      const entry = toLogged(event);
      if (logged) live.publish(id, entry, isBoundary(event), () => deliver(entry, event));
      else deliver(entry, event);
    }, backpressure);
  } finally {
    if (logged) await live.close(id);
  }
}
