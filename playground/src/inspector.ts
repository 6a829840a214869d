/** The response inspector: every raw event of the selected turn, with its sequence number. */
import { h, json } from './dom.js';
import type { StreamEvent } from './sse.js';

export const inspector = h('section', { class: 'inspector', 'aria-label': 'Event inspector' });

/** Brings the inspector into view (set by the layout, which owns the tabs). */
export const inspectorView = { reveal: () => {} };

export function inspect(events: StreamEvent[], title: string): void {
  inspector.replaceChildren(
    h('h3', {}, `Events · ${title} (${events.length})`),
    h(
      'ol',
      { class: 'events' },
      events.map((event) =>
        h(
          'li',
          { 'data-seq': event.sequence_number ?? '' },
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('span', { class: 'seq' }, `#${event.sequence_number ?? '–'}`),
              ' ',
              event.type,
            ),
            h('pre', {}, json(event)),
          ),
        ),
      ),
    ),
  );
}
