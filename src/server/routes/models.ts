/** GET /v1/models and GET /v1/models/{id}: the aliases and configured models, in OpenAI's shapes. */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../errors.js';

/** What the routes list (the provider registry provides it). */
export interface ModelDirectory {
  /** Seconds: reported as every model's `created`. */
  readonly createdAt: number;
  listModels(): Array<{ id: string; ownedBy: string }>;
}

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export function registerModelRoutes(app: FastifyInstance, directory: ModelDirectory): void {
  const all = (): ModelObject[] =>
    directory.listModels().map((model) => ({
      id: model.id,
      object: 'model',
      created: directory.createdAt,
      owned_by: model.ownedBy,
    }));

  app.get('/v1/models', async () => ({ object: 'list', data: all() }));

  // A wildcard, so that ids with a slash (`local/stories260K`) work sent raw or as %2F.
  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request) => {
    const id = request.params['*'];
    const model = all().find((candidate) => candidate.id === id);
    if (!model) throw notFound(`The model '${id}' does not exist`, 'model', 'model_not_found');
    return model;
  });
}
