/**
 * Background mode: responses queued in the store and run by a pool of workers, so that long runs
 * do not depend on one HTTP connection. Their events go through LiveEvents (followers + batched
 * log); cancel is a flag in the store that every instance sees; a restart settles what was running.
 */
import type { Logger } from 'pino';
import { GatewayError, invalidRequest } from '../errors.js';
import { newId } from '../ids.js';
import { nowSeconds } from '../now-seconds.js';
import type { CreateResponseBody } from '../protocol/create-response.js';
import type { ResponseEvent } from '../protocol/events.js';
import type { ResponseObject } from '../protocol/response.js';
import type { Job, LoggedEvent, Store } from '../store/types.js';
import { initialResponse } from './initial-response.js';
import type { LiveEvents } from './live-events.js';
import { isBoundary, toLogged } from './logged-events.js';
import { ResponseEmitter } from './response-emitter.js';
import type { ResponseEngine } from './response-engine.js';
import { ResponseReducer } from './response-reducer.js';
import { responseNotFound } from './stored-responses.js';
import type { TraceRoots } from './trace-span.js';

/** The reason a shutdown stops a running response with. */
class ShutdownError extends GatewayError {
  constructor() {
    super(503, 'The gateway shut down while this response was in progress.', { type: 'server_error' });
  }
}

export interface BackgroundOptions {
  workers: number;
  /** How often running jobs look for cancel requests made through another instance, ms. */
  cancelPollMs: number;
  /**
   * A shared store's instance lease, ms: work of an instance gone that long is swept (failed) by
   * another, which looks every half lease — within 1.5 leases of the last heartbeat in all.
   */
  leaseMs: number;
  /** Absent: tracing off. Each job's run is a trace of its own (the request that queued it has ended). */
  traces?: TraceRoots | undefined;
}

export class BackgroundResponses {
  private readonly running = new Map<string, AbortController>();
  private readonly settled = new Map<string, Promise<void>>();
  /** Idle workers waiting for a job. */
  private readonly idle = new Set<() => void>();
  private stopped = true;
  private workers: Promise<void>[] = [];
  private poller: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: ResponseEngine,
    private readonly store: Store,
    private readonly live: LiveEvents,
    private readonly logger: Logger,
    private readonly options: BackgroundOptions,
  ) {}

  /**
   * Settles what a previous process left running — background jobs, then streamed responses it
   * was answering in the foreground — and starts the workers. A store this process has alone
   * (SQLite) answers everything left running at start-up; a shared one (PostgreSQL) answers the
   * work of instances whose lease ran out, so it is swept again every half lease.
   */
  async start(): Promise<void> {
    await this.sweep();
    this.stopped = false;
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
    this.poller = setInterval(() => void this.pollCancels(), this.options.cancelPollMs);
    this.poller.unref();
    if (this.store.shared) {
      this.sweeper = setInterval(
        () => {
          this.sweeping = this.sweeping.then(() =>
            this.sweep().catch((error: unknown) => this.logger.error({ err: error }, 'sweep failed')),
          );
        },
        Math.max(100, Math.floor(this.options.leaseMs / 2)),
      );
      this.sweeper.unref();
    }
  }

  private async sweep(): Promise<void> {
    for (const job of await this.store.jobs.takeInterrupted()) {
      await this.settleInterrupted(job.tenantId, job.responseId, 'background');
    }
    for (const { tenantId, id } of await this.store.responses.listInterrupted()) {
      await this.settleInterrupted(tenantId, id, 'foreground');
    }
  }

  /**
   * Lets running responses finish for `graceMs`, then stops the rest: one that had not produced
   * anything yet goes back to the queue (another instance, or the next start, runs it from the
   * beginning); one that had is ended as failed, since an upstream call cannot be resumed.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    if (this.sweeper) clearInterval(this.sweeper);
    await this.sweeping;
    for (const wake of [...this.idle]) wake();
    const finished = Promise.all(this.workers);
    const timer = setTimeout(() => {
      for (const controller of this.running.values()) controller.abort(new ShutdownError());
    }, graceMs);
    await finished;
    clearTimeout(timer);
  }

  /**
   * Queues a response: stores it (status `queued`) with its opening events and its job, and
   * returns those events for a streaming caller. Context errors surface here, as a 400.
   */
  async enqueue(
    body: CreateResponseBody,
    tenantId: string,
    keyId?: string,
  ): Promise<{ response: ResponseObject; opening: ResponseEvent[] }> {
    if (body.store === false) {
      throw invalidRequest("Background mode requires 'store' to be true.", 'store', 'invalid_value');
    }
    const { storedInput } = await this.engine.check(body, tenantId);
    const response = initialResponse(newId('resp'), body, nowSeconds());
    const opening: ResponseEvent[] = [];
    const emitter = new ResponseEmitter(response, (event) => opening.push(event), {
      includeLogprobs: false,
      obfuscate: false,
    });
    emitter.created();
    emitter.queued();
    const logged = opening.map(toLogged);
    // Followers here read the opening events from memory until a worker here claims the job. With
    // a shared store another instance may claim it: followers then read the log (and switch to
    // the live channel if it is claimed here), as a channel opened now would never be closed.
    if (!this.store.shared) this.live.open(response.id, logged);
    await this.store.jobs.enqueue(
      tenantId,
      { response, inputItems: storedInput },
      JSON.stringify(body),
      logged,
      keyId,
    );
    this.idle.values().next().value?.();
    return { response, opening };
  }

  /** Cancels a background response; idempotent for one already cancelled. */
  async cancel(tenantId: string, id: string): Promise<ResponseObject> {
    const response = await this.store.responses.get(tenantId, id);
    if (!response) throw responseNotFound(id);
    if (!response.background) {
      throw invalidRequest(
        'Only responses created with background=true can be cancelled.',
        null,
        'invalid_value',
      );
    }
    const state = await this.store.jobs.requestCancel(tenantId, id);
    if (state === 'queued') {
      const cancelled: ResponseObject = { ...response, status: 'cancelled' };
      await this.store.responses.update(tenantId, cancelled);
      await this.live.close(id);
      return cancelled;
    }
    if (state === 'running') {
      this.running.get(id)?.abort();
      await this.waitSettled(id);
    }
    const current = (await this.store.responses.get(tenantId, id)) ?? response;
    if (current.status === 'cancelled' || current.status === 'queued' || current.status === 'in_progress') {
      return current.status === 'cancelled' ? current : { ...current, status: 'cancelled' };
    }
    throw invalidRequest(`Cannot cancel a response with status '${current.status}'.`, null, 'invalid_value');
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const job = await this.store.jobs.claim().catch((error: unknown) => {
        this.logger.error({ err: error }, 'could not claim a background job');
        return undefined;
      });
      if (!job) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.idle.delete(wake);
            resolve();
          };
          // Polling too, for jobs queued by another instance.
          const timer = setTimeout(wake, 1000);
          this.idle.add(wake);
        });
        continue;
      }
      const done = this.run(job);
      this.settled.set(job.responseId, done);
      await done;
      this.settled.delete(job.responseId);
    }
  }

  private async run(job: Job): Promise<void> {
    const controller = new AbortController();
    this.running.set(job.responseId, controller);
    const id = job.responseId;
    let handedBack = false;
    const span = this.options.traces?.root('background response', {
      'rgw.response.id': id,
      'rgw.tenant.id': job.tenantId,
    });
    try {
      const stored = await this.store.responses.get(job.tenantId, id);
      if (!stored || job.cancelRequested) return;
      const queued: ResponseObject = { ...stored, status: 'in_progress' };
      await this.store.responses.update(job.tenantId, queued);
      // The channel holds the logged (opening) events too, so followers from any point see them all,
      // also when the response was queued by another process or before a restart.
      const persisted = await this.store.events.after(id, -1);
      const nextSequence = (persisted.at(-1)?.seq ?? -1) + 1;
      this.live.open(id, persisted);
      const body = JSON.parse(job.request) as CreateResponseBody;
      let published = 0;
      const publish = (event: ResponseEvent) => {
        published++;
        this.live.publish(id, toLogged(event), isBoundary(event));
      };
      try {
        const started = await this.engine.start(body, {
          tenantId: job.tenantId,
          keyId: job.keyId ?? 'background',
          stream: true,
          signal: controller.signal,
          resume: { response: queued, nextSequence },
          span,
        });
        const response = await started.run(publish);
        span?.set({ 'rgw.response.status': response.status });
        if (response.status === 'failed') span?.fail(response.error?.code ?? 'server_error');
      } catch (error) {
        span?.fail(controller.signal.aborted ? 'aborted' : 'start_failed');
        // Stopped before the upstream produced anything: by a cancel (the upstream call was still
        // being made), it ends as cancelled; otherwise as failed, with the shutdown's reason if any.
        const { aborted, reason } = controller.signal;
        if (aborted && reason instanceof ShutdownError && published === 0) {
          await this.store.responses.update(job.tenantId, { ...queued, status: 'queued' });
          await this.store.jobs.requeue(id);
          handedBack = true;
          this.logger.info({ responseId: id }, 'background response handed back to the queue at shutdown');
        } else if (aborted && !(reason instanceof GatewayError)) {
          await this.store.responses.update(job.tenantId, { ...queued, status: 'cancelled' });
        } else {
          await this.engine.failQueued(job.tenantId, queued, nextSequence, aborted ? reason : error, publish);
        }
      }
    } catch (error) {
      this.logger.error({ err: error, responseId: id }, 'background response failed');
    } finally {
      span?.end();
      this.running.delete(id);
      await this.live.close(id);
      if (!handedBack) await this.store.jobs.finish(id).catch(() => {});
    }
  }

  private async waitSettled(id: string): Promise<void> {
    const settled = this.settled.get(id);
    if (settled) {
      await settled;
      return;
    }
    // Running in another instance: it sees the flag within the poll interval.
    const deadline = Date.now() + 5 * this.options.cancelPollMs + 1000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!this.running.has(id) && !this.live.isLive(id)) return;
    }
  }

  private async pollCancels(): Promise<void> {
    if (this.running.size === 0) return;
    const ids = await this.store.jobs.cancelRequested([...this.running.keys()]).catch(() => []);
    for (const id of ids) this.running.get(id)?.abort();
  }

  /** A response running when the process died: the upstream call is gone and cannot resume. */
  private async settleInterrupted(
    tenantId: string,
    responseId: string,
    mode: 'background' | 'foreground',
  ): Promise<void> {
    const response = await this.store.responses.get(tenantId, responseId);
    if (!response || (response.status !== 'queued' && response.status !== 'in_progress')) return;
    // What its logged events had produced is kept, as a cancel keeps it: the stored response
    // holds no output until the end, so it is folded back from the log.
    const logged = await this.store.events.after(responseId, -1);
    const reducer = new ResponseReducer(response);
    for (const event of logged) reducer.apply(JSON.parse(event.data) as ResponseEvent);
    const nextSequence = (logged.at(-1)?.seq ?? -1) + 1;
    const events: LoggedEvent[] = [];
    await this.engine.failQueued(
      tenantId,
      { ...reducer.response, status: response.status },
      nextSequence,
      new GatewayError(
        500,
        'The gateway restarted while this response was in progress; it could not be resumed.',
        {
          type: 'server_error',
        },
      ),
      (event) => events.push(toLogged(event)),
    );
    // A follower reading the log (`?stream=true`) sees the stream end.
    await this.store.events.append(responseId, events);
    this.logger.warn({ responseId }, `${mode} response interrupted by a restart: marked failed`);
  }
}
