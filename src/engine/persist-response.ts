/**
 * Storing a response as it runs: the first save keeps its input items too, later ones only its
 * state and output; what a finished response adds to its conversation goes with it. A store that
 * refuses (a full disk, a database gone) fails the request with a clear error; a conversation
 * deleted while the response ran only loses the append.
 */
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { ResponseObject } from '../protocol/response.js';
import type { Store, StoredItem } from '../store/types.js';

export interface PersistHow {
  store: boolean;
  conversationId: string | undefined;
  /** The response is in the store already (a queued row, or saved earlier in this run). */
  resumed: boolean;
}

export class ResponseSaver {
  /** Whether a save of this run succeeded (later ones rewrite state and output only). */
  saved = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly tenantId: string,
    private readonly storedInput: StoredItem[],
    private readonly how: PersistHow,
  ) {}

  /** Stores the response; rejects with a `store_failed` GatewayError when the store refuses. */
  async save(response: ResponseObject): Promise<void> {
    const how = { ...this.how, resumed: this.how.resumed || this.saved };
    const failure = await this.persist(response, how);
    if (failure !== undefined) throw storeFailed(failure);
    this.saved = true;
  }

  private async persist(response: ResponseObject, how: PersistHow): Promise<Error | undefined> {
    const { store, tenantId, storedInput } = this;
    const appendTo =
      response.status === 'completed' || response.status === 'incomplete' ? how.conversationId : undefined;
    try {
      if (how.resumed) {
        await store.responses.update(tenantId, response, appendTo);
      } else if (how.store) {
        await store.responses.save(tenantId, { response, inputItems: storedInput }, appendTo);
      } else if (appendTo !== undefined) {
        await store.conversations.appendItems(tenantId, appendTo, [
          ...storedInput,
          // Each output item is a stored item as it is (a copy, typed without a cast).
          ...response.output.map((item): StoredItem => ({ ...item })),
        ]);
      }
      return undefined;
    } catch (error) {
      // The conversation was deleted while the response ran: keep the response itself.
      const gone = (id: string) =>
        store.conversations.get(tenantId, id).then(
          (c) => !c,
          () => false,
        );
      if (appendTo !== undefined && (await gone(appendTo))) {
        return this.persist(response, { ...how, conversationId: undefined });
      }
      this.logger.error({ err: error, responseId: response.id }, 'could not store response');
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

/** The store refused the response (a full disk, a database gone): the request fails, saying so. */
function storeFailed(error: Error): GatewayError {
  return new GatewayError(
    500,
    `The response could not be stored (${error.message}). Retry once the store takes writes again, or send store: false.`,
    { type: 'server_error', code: 'store_failed' },
  );
}

/** The response as stored: reasoning keeps the upstream's token (sealed) for later turns. */
export function withHiddenSeals(
  response: ResponseObject,
  seals: ReadonlyMap<string, string>,
): ResponseObject {
  if (seals.size === 0) return response;
  return {
    ...response,
    output: response.output.map((item) => {
      const sealed = item.type === 'reasoning' ? seals.get(item.id) : undefined;
      return sealed === undefined ? item : { ...item, encrypted_content: sealed };
    }),
  };
}
