/**
 * A GGUF model run in-process with node-llama-cpp (CPU). The model loads on first use, so the
 * server starts at once; requests share one context, a few at a time, and stream token by token.
 */
import type { ChatHistoryItem, LlamaChatResponse, LlamaGrammar, Token } from 'node-llama-cpp';
import { GatewayError, invalidRequest, UpstreamError } from '../../errors.js';
import type { CallOptions, LanguageModel, ModelRequest, StreamPart } from '../types.js';
import { toLocalHistory } from './convert-to-local-history.js';
import { type LoadedModel, LocalModelHost, sharedPrefix } from './local-model-host.js';
import { LocalPartWriter } from './local-part-writer.js';
import {
  callFromForcedAnswer,
  callFromFunction,
  type LocalToolPlan,
  planLocalTools,
  withInstructions,
} from './local-prepare-tools.js';
import { mapLocalFinishReason } from './map-local-finish-reason.js';
import { PartQueue } from './part-queue.js';
import { SentenceStop } from './sentence-stop.js';

export interface LocalSettings {
  /** Provider name from the config, e.g. `local`. */
  name: string;
  /** Path to a .gguf file (relative paths resolve against the working directory). */
  modelPath: string;
  /** Requests generated at once; default 2. */
  sequences?: number;
  /** Context per request, capped by the model's trained context; default 4096. */
  maxContextSize?: number;
  /** CPU threads; default 1 (more threads than free cores makes llama.cpp far slower). */
  threads?: number;
  /**
   * Without `max_output_tokens`, a plain-text answer ends at the first sentence end after this many
   * tokens (see sentence-stop.ts); absent: it runs until EOS or the context is full.
   */
  softMaxOutputTokens?: number;
}

/** Everything a call needs, settled before it is accepted (so bad input is a 400, not a failure). */
interface Job {
  loaded: LoadedModel;
  request: ModelRequest;
  history: ChatHistoryItem[];
  plan: LocalToolPlan;
  grammar: LlamaGrammar | undefined;
  promptTokens: Token[];
  warnings: string[];
}

export class LocalLanguageModel implements LanguageModel {
  readonly provider: string;
  private readonly host: LocalModelHost;
  private readonly softMaxOutputTokens: number | undefined;

  constructor(settings: LocalSettings) {
    this.provider = settings.name;
    this.softMaxOutputTokens = settings.softMaxOutputTokens;
    this.host = new LocalModelHost({
      provider: settings.name,
      modelPath: settings.modelPath,
      sequences: settings.sequences ?? 2,
      maxContextSize: settings.maxContextSize ?? 4096,
      threads: settings.threads ?? 1,
    });
  }

  /** The served model, as clients name it after the provider prefix (e.g. `stories260K`). */
  get modelName(): string {
    return this.host.modelName;
  }

  async stream(request: ModelRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const job = await this.prepare(request);
    const stop = new AbortController();
    const signal = AbortSignal.any([options.signal, stop.signal]);
    const queue = new PartQueue(() => stop.abort());
    this.run(job, signal, (part) => queue.push(part)).then(
      () => queue.end(),
      (error: unknown) => queue.fail(error),
    );
    return queue;
  }

  async generate(request: ModelRequest, options: CallOptions): Promise<StreamPart[]> {
    const job = await this.prepare(request);
    const parts: StreamPart[] = [];
    await this.run(job, options.signal, (part) => parts.push(part));
    if (options.signal.aborted) throw options.signal.reason;
    return parts;
  }

  close(): Promise<void> {
    return this.host.close();
  }

  private async prepare(request: ModelRequest): Promise<Job> {
    const loaded = await this.host.load();
    const plan = planLocalTools(request);
    const converted = toLocalHistory(request.messages, request.tools);
    const warnings = converted.warnings;
    const history =
      plan.kind === 'forced-one' || plan.kind === 'forced-any'
        ? withInstructions(converted.history, plan.instructions)
        : converted.history;
    let grammar: LlamaGrammar | undefined;
    const format = request.outputFormat;
    if (plan.kind === 'forced-any' || (plan.kind === 'forced-one' && plan.schema !== undefined)) {
      grammar = await this.grammar(loaded, plan.schema!, 'tools');
    } else if (format !== undefined && format.type !== 'text') {
      if (plan.kind === 'functions')
        warnings.push('text.format is not enforced while tools are offered to a local model');
      else
        grammar = await this.grammar(
          loaded,
          format.type === 'json_schema' ? format.schema : 'json',
          'text.format.schema',
        );
    }
    if (request.logprobs !== undefined) warnings.push('the local provider does not report logprobs');

    const rendered = [...history];
    if (rendered.at(-1)?.type !== 'model') rendered.push({ type: 'model', response: [] });
    const promptTokens = loaded.chatWrapper
      .generateContextState({
        chatHistory: rendered,
        ...(plan.kind === 'functions'
          ? { availableFunctions: plan.functions, documentFunctionParams: true }
          : {}),
      })
      .contextText.tokenize(loaded.model.tokenizer);
    if (promptTokens.length >= loaded.contextSize) {
      throw invalidRequest(
        `The input is ${promptTokens.length} tokens long, more than the local model's context window of ${loaded.contextSize} tokens.`,
        'input',
        'context_length_exceeded',
      );
    }
    return { loaded, request, history, plan, grammar, promptTokens, warnings };
  }

  private async grammar(
    loaded: LoadedModel,
    schema: Record<string, unknown> | 'json',
    param: string,
  ): Promise<LlamaGrammar> {
    try {
      return await this.host.grammarFor(loaded, schema);
    } catch (error) {
      throw invalidRequest(
        `The JSON schema cannot be used by the local model: ${error instanceof Error ? error.message : String(error)}`,
        param,
        'invalid_json_schema',
      );
    }
  }

  /** Generates into `emit`; ends without a finish part when the signal aborted it. */
  private async run(job: Job, signal: AbortSignal, emit: (part: StreamPart) => void): Promise<void> {
    for (const message of job.warnings) emit({ type: 'warning', message });
    const { loaded, request, plan } = job;
    let sequence: Awaited<ReturnType<LocalModelHost['acquire']>>;
    try {
      sequence = await this.host.acquire(job.promptTokens, signal);
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    const chat = new loaded.lib.LlamaChat({ contextSequence: sequence, chatWrapper: loaded.chatWrapper });
    try {
      const meter = sequence.tokenMeter.getState();
      const cached = sharedPrefix(sequence.contextTokens, job.promptTokens);
      const writer = new LocalPartWriter(emit);
      const forcedOne = plan.kind === 'forced-one' ? plan : undefined;
      if (forcedOne) writer.startTool(forcedOne.tool.name, forcedOne.tool.kind);
      const answerIsTool = plan.kind === 'forced-one' || plan.kind === 'forced-any';
      // Only free text ends at a sentence: a grammar's or a tool call's output must stay whole.
      const sentenceStop =
        this.softMaxOutputTokens !== undefined &&
        request.maxOutputTokens === undefined &&
        plan.kind === 'none' &&
        job.grammar === undefined
          ? new SentenceStop(this.softMaxOutputTokens)
          : undefined;
      const softStop = new AbortController();
      let result: LlamaChatResponse<Record<string, never>> | LlamaChatResponse;
      try {
        result = await chat.generateResponse(job.history, {
          signal: sentenceStop ? AbortSignal.any([signal, softStop.signal]) : signal,
          stopOnAbortSignal: true,
          maxTokens: Math.max(1, request.maxOutputTokens ?? loaded.contextSize - job.promptTokens.length),
          // OpenAI's defaults, which the Response echoes.
          temperature: request.temperature ?? 1,
          topP: request.topP ?? 1,
          onResponseChunk: (chunk) => {
            if (sentenceStop === undefined || chunk.type === 'segment')
              return writer.chunk(chunk, answerIsTool);
            if (sentenceStop.isStopped) return;
            const { keep, stop } = sentenceStop.take(chunk.text, chunk.tokens.length);
            writer.chunk(keep === chunk.text ? chunk : { ...chunk, text: keep }, answerIsTool);
            if (stop) softStop.abort();
          },
          ...(plan.kind === 'functions'
            ? {
                functions: plan.functions,
                documentFunctionParams: true,
                ...(plan.maxParallelFunctionCalls !== undefined
                  ? { maxParallelFunctionCalls: plan.maxParallelFunctionCalls }
                  : {}),
              }
            : job.grammar !== undefined
              ? { grammar: job.grammar }
              : {}),
        });
      } catch (error) {
        if (signal.aborted) return;
        throw localError(this.provider, error);
      }
      if (signal.aborted) return;
      writer.close();
      if (plan.kind === 'functions') {
        for (const call of result.functionCalls ?? [])
          writer.toolCall(callFromFunction(call.functionName, call.params, request.tools));
      } else if (plan.kind === 'forced-any') {
        const call = callFromForcedAnswer(result.response, plan.tools);
        if (call) writer.toolCall(call);
      }
      const used = sequence.tokenMeter.getState();
      const inputTokens = cached + (used.usedInputTokens - meter.usedInputTokens);
      emit({
        type: 'finish',
        // The sentence stop ended it as a stop sequence would (node-llama-cpp saw an abort).
        finishReason: sentenceStop?.isStopped
          ? 'stop'
          : mapLocalFinishReason(result.metadata.stopReason, writer.madeToolCalls),
        usage: {
          inputTokens,
          outputTokens: used.usedOutputTokens - meter.usedOutputTokens,
          cachedInputTokens: Math.min(cached, inputTokens),
          reasoningTokens: writer.reasoningTokens,
        },
      });
    } finally {
      chat.dispose();
      this.host.release(sequence);
    }
  }
}

function localError(provider: string, error: unknown): Error {
  if (error instanceof GatewayError || error instanceof UpstreamError) return error;
  return new UpstreamError(
    `Local model '${provider}' failed: ${error instanceof Error ? error.message : String(error)}`,
    { status: 500, retryable: false, code: 'local_model_error', type: 'server_error' },
  );
}
