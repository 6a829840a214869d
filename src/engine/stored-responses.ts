/** Reading and deleting stored responses, scoped by tenant. */
import { GatewayError } from '../errors.js';
import type { ResponseObject } from '../protocol/response.js';
import type { Page, PageQuery, Store, StoredItem } from '../store/types.js';
import { showItems } from './reasoning-visibility.js';

export class StoredResponses {
  constructor(private readonly store: Store) {}

  async get(tenantId: string, id: string, include: readonly string[] = []): Promise<ResponseObject> {
    const response = await this.store.responses.get(tenantId, id);
    if (!response) throw responseNotFound(id);
    return { ...response, output: showItems(response.output, include) };
  }

  async delete(tenantId: string, id: string): Promise<{ id: string; object: 'response'; deleted: true }> {
    if (!(await this.store.responses.delete(tenantId, id))) throw responseNotFound(id);
    return { id, object: 'response', deleted: true };
  }

  async listInputItems(
    tenantId: string,
    id: string,
    query: PageQuery,
    include: readonly string[] = [],
  ): Promise<Page<StoredItem> & { object: 'list' }> {
    const page = await this.store.responses.listInputItems(tenantId, id, query);
    if (!page) throw responseNotFound(id);
    return { object: 'list', ...page, data: showItems(page.data, include) };
  }
}

export function responseNotFound(id: string): GatewayError {
  return new GatewayError(404, `Response with id '${id}' not found.`, {
    type: 'invalid_request_error',
    code: null,
  });
}
