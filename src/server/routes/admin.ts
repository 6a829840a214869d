/**
 * The admin API, outside /v1: keys (create, list, update, revoke) and usage (totals, or over time
 * in buckets). Only the admin key
 * (RGW_ADMIN_KEY, compared in constant time) or a managed key made with `--admin` reaches it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createApiKey, publicKey, updateApiKey } from '../../admin/api-keys.js';
import { bucketsOf, usageBucketQueryOf } from '../../admin/usage-buckets.js';
import { usageQueryOf } from '../../admin/usage-report.js';
import { GatewayError, notFound } from '../../errors.js';
import {
  createKeyBodySchema,
  updateKeyBodySchema,
  usageBucketsQuerySchema,
  usageQuerySchema,
} from '../../protocol/admin.js';
import type { ApiKeyRepository, UsageRepository } from '../../store/types.js';
import { type Authenticator, hashKey } from '../auth.js';
import { parseRequestBody } from '../validate-request.js';

export interface AdminDeps {
  keys: ApiKeyRepository;
  usage: UsageRepository;
  authenticator: Authenticator;
  /** The configured admin key, if any. */
  adminKey: string | undefined;
  /** Usage rows still queued are written before a report (so it includes the latest responses). */
  flushUsage: () => Promise<void>;
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const adminDigest = deps.adminKey === undefined ? undefined : Buffer.from(hashKey(deps.adminKey), 'hex');
  const guard = async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (bearer !== undefined && adminDigest !== undefined) {
      if (timingSafeEqual(Buffer.from(hashKey(bearer), 'hex'), adminDigest)) return;
    }
    const principal = await deps.authenticator.authenticate(header, request.socket.remoteAddress);
    if (principal.admin !== true) {
      throw new GatewayError(
        403,
        'This key may not use the admin API: use RGW_ADMIN_KEY or a key made with `rgw keys create --admin`.',
        {
          type: 'permission_error',
          code: 'insufficient_permissions',
        },
      );
    }
  };
  const route = { onRequest: guard };

  app.get('/admin/keys', route, async () => {
    const keys = await deps.keys.list();
    return { object: 'list', data: keys.map(publicKey) };
  });
  app.post('/admin/keys', route, async (request, reply) => {
    const body = parseRequestBody(createKeyBodySchema, request.body);
    const { tenant, ...rest } = body;
    const { key, record } = await createApiKey(deps.keys, { ...rest, tenant_id: tenant });
    return reply.code(201).send({ ...publicKey(record), key });
  });
  app.get<{ Params: { id: string } }>('/admin/keys/:id', route, async (request) => {
    const record = await deps.keys.get(request.params.id);
    if (record === undefined) throw keyNotFound(request.params.id);
    return publicKey(record);
  });
  app.post<{ Params: { id: string } }>('/admin/keys/:id', route, async (request) => {
    const patch = parseRequestBody(updateKeyBodySchema, request.body);
    const record = await updateApiKey(deps.keys, request.params.id, patch);
    if (record === undefined) throw keyNotFound(request.params.id);
    return publicKey(record);
  });
  app.delete<{ Params: { id: string } }>('/admin/keys/:id', route, async (request) => {
    const revoked = await deps.keys.revoke(request.params.id, Math.floor(Date.now() / 1000));
    if (!revoked) throw keyNotFound(request.params.id);
    return { id: request.params.id, object: 'api_key.revoked', revoked: true };
  });
  app.get('/admin/usage', route, async (request) => {
    const params = parseRequestBody(usageQuerySchema, request.query ?? {});
    const query = usageQueryOf(params);
    await deps.flushUsage();
    const data = await deps.usage.summarize(query);
    return { object: 'list', group_by: query.groupBy, since: query.since, until: query.until, data };
  });
  app.get('/admin/usage/buckets', route, async (request) => {
    const params = parseRequestBody(usageBucketsQuerySchema, request.query ?? {});
    const query = usageBucketQueryOf(params);
    await deps.flushUsage();
    const rows = await deps.usage.summarizeBuckets(query);
    return {
      object: 'list',
      group_by: query.groupBy,
      bucket_width: params.bucket_width,
      since: query.since,
      until: query.until,
      data: bucketsOf(query, rows),
    };
  });
}

function keyNotFound(id: string): GatewayError {
  return notFound(`No active API key with id '${id}'.`, 'id');
}
