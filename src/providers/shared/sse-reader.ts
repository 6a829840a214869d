import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Reads a server-sent-event body into its messages, as they arrive. */
export async function* readServerSentEvents(
  body: AsyncIterable<Buffer | string>,
): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift()!;
  }
  parser.feed(decoder.decode());
  // A final event without its blank line still counts.
  parser.feed('\n\n');
  while (pending.length > 0) yield pending.shift()!;
}
