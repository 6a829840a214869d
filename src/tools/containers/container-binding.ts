/**
 * The container one tool entry of a request runs in. A container id is checked when the request
 * arrives (404 unknown or foreign, 400 expired). `auto` reuses the container of the previous turn
 * in a `previous_response_id` chain when it is still there, else makes a new one on the first call
 * — its id is chosen up front so the call's item can name it before the call runs.
 */
import { invalidRequest } from '../../errors.js';
import { newId } from '../../ids.js';
import { autoContainerSchema } from '../../protocol/containers.js';
import type { ContainerRecord } from '../../store/types.js';
import type { ToolContext } from '../types.js';
import type { Containers } from './containers.js';

/** The container an earlier turn of a chain used (its latest code or shell call's). */
export type PreviousContainer = (tenantId: string, responseId: string) => Promise<string | undefined>;

export class ContainerBinding {
  private resolved: Promise<ContainerRecord> | undefined;

  private constructor(
    private readonly containers: Containers,
    private readonly tenantId: string,
    /** The id calls show: fixed for a given container, reserved for `auto`. */
    private current: string,
    private readonly auto:
      | { file_ids?: string[] | undefined; memory_limit?: ContainerRecord['memory_limit'] }
      | undefined,
    private readonly param: string,
    private readonly previous: PreviousContainer | undefined,
  ) {}

  /** Binds `container` (code_interpreter) or the shell's `environment`, given as an id or auto settings. */
  static async bind(
    containers: Containers,
    how: { tenantId: string; param: string; previous?: PreviousContainer | undefined },
    spec: { id: string } | { auto: unknown },
  ): Promise<ContainerBinding> {
    if ('id' in spec) {
      const record = await containers.usable(how.tenantId, spec.id, how.param);
      const binding = new ContainerBinding(
        containers,
        how.tenantId,
        record.id,
        undefined,
        how.param,
        undefined,
      );
      binding.resolved = Promise.resolve(record);
      return binding;
    }
    const parsed = autoContainerSchema.safeParse(spec.auto);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('');
      throw invalidRequest(issue?.message ?? 'Invalid container settings.', `${how.param}${path ?? ''}`);
    }
    if (parsed.data.network_policy && parsed.data.network_policy.type !== 'disabled') {
      throw invalidRequest(
        'Containers of this gateway have no network access; only network_policy {"type": "disabled"} is supported.',
        `${how.param}.network_policy`,
        'unsupported_value',
      );
    }
    await containers.checkFiles(
      how.tenantId,
      parsed.data.file_ids ?? [],
      (i) => `${how.param}.file_ids[${i}]`,
    );
    const auto = { file_ids: parsed.data.file_ids, memory_limit: parsed.data.memory_limit ?? undefined };
    return new ContainerBinding(containers, how.tenantId, newId('cntr'), auto, how.param, how.previous);
  }

  /** The container id the call's item shows. */
  get id(): string {
    return this.current;
  }

  /** The container, made or found on first use. */
  container(context: ToolContext): Promise<ContainerRecord> {
    this.resolved ??= this.resolve(context);
    // A failed creation (e.g. the per-tenant cap) is tried again by a later call.
    this.resolved.catch(() => {
      this.resolved = undefined;
    });
    return this.resolved;
  }

  private async resolve(context: ToolContext): Promise<ContainerRecord> {
    if (this.auto && context.previousResponseId !== undefined && this.previous) {
      const earlier = await this.previous(this.tenantId, context.previousResponseId).catch(() => undefined);
      if (earlier) {
        const record = await this.containers
          .usable(this.tenantId, earlier, this.param)
          .catch(() => undefined);
        if (record) {
          this.current = record.id;
          for (const fileId of this.auto.file_ids ?? []) {
            await this.containers.addFileFromId(this.tenantId, record.id, fileId);
          }
          return record;
        }
      }
    }
    return this.containers.createAuto(
      this.tenantId,
      this.current,
      this.auto ?? {},
      `auto container for ${context.responseId}`,
      this.param,
    );
  }
}
