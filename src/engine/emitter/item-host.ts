/**
 * What the emitter lends the builders of message, reasoning and tool-call items besides its core:
 * the one "current" message or reasoning item they append to, and the `output_item.done` event.
 */
import type { ItemStatus } from '../../protocol/response.js';
import type { MessagePhase } from '../../providers/types.js';
import type { EmitterCore } from '../hosted-item-events.js';

export interface ItemRef {
  outputIndex: number;
  itemId: string;
}

export interface ItemHost extends EmitterCore {
  /**
   * The open message or reasoning item, opened (closing whatever else is open) if it is not; a
   * message of another `phase` than the open one is a new message.
   */
  ensureItem(type: 'message' | 'reasoning', phase?: MessagePhase): ItemRef;
  /** Ends the open message or reasoning item, if any. */
  closeCurrentItem(status: ItemStatus): void;
  /** `response.output_item.done` for the item at this index, with this status. */
  itemDone(outputIndex: number, status: ItemStatus): void;
  /** Events share their items with the Response (no sink looks at them). */
  readonly unobserved: boolean;
}
