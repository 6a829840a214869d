/**
 * The Containers API's bodies and objects (openai `ContainerCreateParams`, `ContainerCreateResponse`,
 * `containers.files.*`), and the container settings code_interpreter and the hosted shell accept.
 */
import { z } from 'zod';

export const memoryLimitSchema = z.enum(['1g', '4g', '16g', '64g']);

/** Only `disabled`: sandboxes have no network at all. */
export const networkPolicySchema = z.looseObject({ type: z.enum(['disabled', 'allowlist']) });

export const createContainerSchema = z.strictObject({
  name: z.string().max(256),
  expires_after: z
    .strictObject({
      anchor: z.literal('last_active_at'),
      minutes: z
        .number()
        .int()
        .min(1)
        .max(20 * 24 * 60),
    })
    .optional(),
  file_ids: z.array(z.string()).max(100).optional(),
  memory_limit: memoryLimitSchema.optional(),
  network_policy: networkPolicySchema.optional(),
  skills: z.array(z.unknown()).optional(),
});
export type CreateContainerBody = z.infer<typeof createContainerSchema>;

/** `POST /containers/{id}/files` as JSON: a file of the Files API copied in. */
export const createContainerFileSchema = z.strictObject({ file_id: z.string().min(1) });

const limit = z
  .string()
  .regex(/^\d+$/, 'expected an integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));

export const containerListQuerySchema = z.strictObject({
  limit: limit.optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: z.string().optional(),
  name: z.string().optional(),
});

/** `container: {type: "auto", ...}` of code_interpreter, `environment: {type: "container_auto"}` of shell. */
export const autoContainerSchema = z.looseObject({
  file_ids: z.array(z.string()).max(100).optional(),
  memory_limit: memoryLimitSchema.nullable().optional(),
  network_policy: networkPolicySchema.optional(),
});

export interface ContainerObject {
  id: string;
  object: 'container';
  name: string;
  created_at: number;
  last_active_at: number;
  status: 'running' | 'expired';
  memory_limit: z.infer<typeof memoryLimitSchema>;
  expires_after: { anchor: 'last_active_at'; minutes: number };
  network_policy: { type: 'disabled' };
}

export interface ContainerFileObject {
  id: string;
  object: 'container.file';
  container_id: string;
  created_at: number;
  bytes: number;
  path: string;
  source: string;
}
