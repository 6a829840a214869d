/** A whole (non-streamed) Response object → the same normalized parts its stream would give. */
import type { StreamPart } from '../types.js';
import { responsesError } from './map-responses-finish-reason.js';
import type { ResponsesResponse } from './responses-api.js';
import { ResponsesEventTranslator } from './responses-event-translator.js';

export function responseToParts(
  response: ResponsesResponse,
  provider: string,
  nativeCalls?: ReadonlyMap<string, string>,
): StreamPart[] {
  const translator = new ResponsesEventTranslator(provider, nativeCalls);
  const out: StreamPart[] = [];
  (response.output ?? []).forEach((item, index) => {
    translator.translate({ type: 'response.output_item.done', output_index: index, item }, out);
  });
  const status = response.status ?? (response.error ? 'failed' : 'completed');
  if (status === 'completed' || status === 'incomplete' || status === 'failed') {
    translator.translate({ type: `response.${status}`, response: { ...response, status } }, out);
  } else {
    out.push({
      type: 'error',
      error: responsesError(
        { code: 'upstream_error', message: `the response ended with status '${status}'` },
        provider,
      ),
    });
  }
  return out;
}
