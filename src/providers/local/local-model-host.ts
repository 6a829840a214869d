/**
 * One GGUF model run in-process with node-llama-cpp: loaded lazily on first use and kept, with one
 * context of a few sequences handed out to requests one at a time (a FIFO queue when all are busy).
 * node-llama-cpp itself is imported on first use too, so a gateway that never runs a local model
 * never loads it.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type {
  ChatWrapper,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  Token,
} from 'node-llama-cpp';
import { UpstreamError } from '../../errors.js';
import { createPlainTextChatWrapper } from './plain-text-chat-wrapper.js';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

export interface LocalModelOptions {
  /** Provider name, for error messages. */
  provider: string;
  modelPath: string;
  /** Requests generated in parallel; more wait their turn. */
  sequences: number;
  /** Context size per sequence, at most the model's trained context. */
  maxContextSize: number;
  /** CPU threads for evaluation. On small machines more threads than cores is far slower. */
  threads: number;
}

export interface LoadedModel {
  lib: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  chatWrapper: ChatWrapper;
  /** Tokens one sequence holds. */
  contextSize: number;
}

let sharedLlama: Promise<{ lib: NodeLlamaCpp; llama: Llama }> | undefined;

/** One Llama (native backend) per process, CPU only, from the prebuilt binaries installed. */
function loadLlama(): Promise<{ lib: NodeLlamaCpp; llama: Llama }> {
  sharedLlama ??= (async () => {
    const lib = await import('node-llama-cpp');
    const llama = await lib.getLlama({
      gpu: false,
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      logLevel: lib.LlamaLogLevel.error,
    });
    return { lib, llama };
  })();
  sharedLlama.catch(() => {
    sharedLlama = undefined;
  });
  return sharedLlama;
}

interface Waiter {
  resolve: (sequence: LlamaContextSequence) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class LocalModelHost {
  readonly modelPath: string;
  private loading: Promise<LoadedModel> | undefined;
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private closed = false;

  constructor(private readonly options: LocalModelOptions) {
    this.modelPath = resolve(options.modelPath);
  }

  /** The model name clients see: the file name without `.gguf`. */
  get modelName(): string {
    return basename(this.modelPath).replace(/\.gguf$/i, '');
  }

  /** Loads on first call and keeps the result; a failed load is retried by the next call. */
  load(): Promise<LoadedModel> {
    if (this.closed) return Promise.reject(this.unavailable('the provider is closed'));
    this.loading ??= this.doLoad();
    this.loading.catch(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** A JSON-schema grammar, built once per schema. */
  grammarFor(loaded: LoadedModel, schema: Record<string, unknown> | 'json'): Promise<LlamaGrammar> {
    const key = schema === 'json' ? 'json' : JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar =
        schema === 'json'
          ? loaded.llama.getGrammarFor('json')
          : // biome-ignore lint/suspicious/noExplicitAny: user JSON Schemas, checked by node-llama-cpp
            loaded.llama.createGrammarForJsonSchema(schema as any);
      grammar.catch(() => this.grammars.delete(key));
      if (this.grammars.size >= 64) this.grammars.delete(this.grammars.keys().next().value!);
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  /**
   * A free sequence, preferring the one whose cached tokens share the longest prefix with `prompt`
   * (its evaluation is reused); waits in FIFO order while all are busy.
   */
  acquire(prompt: readonly Token[], signal: AbortSignal): Promise<LlamaContextSequence> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.free.length > 0) {
      let best = 0;
      let bestShared = -1;
      this.free.forEach((sequence, index) => {
        const shared = sharedPrefix(sequence.contextTokens, prompt);
        if (shared > bestShared) {
          best = index;
          bestShared = shared;
        }
      });
      return Promise.resolve(this.free.splice(best, 1)[0]!);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(sequence: LlamaContextSequence): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(sequence);
    } else {
      this.free.push(sequence);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.unavailable('the provider is closed'));
    const loading = this.loading;
    this.loading = undefined;
    const loaded = await loading?.catch(() => undefined);
    if (loaded) {
      await loaded.context.dispose();
      await loaded.model.dispose();
    }
  }

  private async doLoad(): Promise<LoadedModel> {
    if (!existsSync(this.modelPath)) throw this.unavailable(`model file not found: ${this.modelPath}`);
    let loaded: LoadedModel;
    try {
      const { lib, llama } = await loadLlama();
      const model = await llama.loadModel({ modelPath: this.modelPath });
      const contextSize = Math.max(256, Math.min(model.trainContextSize, this.options.maxContextSize));
      const context = await model.createContext({
        contextSize,
        sequences: this.options.sequences,
        threads: this.options.threads,
      });
      loaded = { lib, llama, model, context, chatWrapper: chatWrapperFor(lib, model), contextSize };
    } catch (error) {
      throw this.unavailable(error instanceof Error ? error.message : String(error));
    }
    if (this.closed) {
      await loaded.context.dispose();
      await loaded.model.dispose();
      throw this.unavailable('the provider is closed');
    }
    for (let i = 0; i < this.options.sequences; i++) this.free.push(loaded.context.getSequence());
    return loaded;
  }

  private unavailable(detail: string): UpstreamError {
    return new UpstreamError(`Local model '${this.options.provider}' is unavailable: ${detail}`, {
      status: 503,
      retryable: false,
      code: 'model_unavailable',
      type: 'server_error',
    });
  }
}

/**
 * The model's own chat template (a specialized wrapper where node-llama-cpp has one equivalent to
 * it, else the Jinja template itself); without a template, a plain-text transcript: guessing a chat
 * format from the architecture would only confuse a base model.
 */
function chatWrapperFor(lib: NodeLlamaCpp, model: LlamaModel): ChatWrapper {
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (typeof template !== 'string' || template.trim() === '') return createPlainTextChatWrapper(lib);
  return (
    lib.resolveChatWrapper({
      bosString: model.tokens.bosString,
      filename: model.filename,
      fileInfo: model.fileInfo,
      tokenizer: model.tokenizer,
      warningLogs: false,
    }) ?? createPlainTextChatWrapper(lib)
  );
}

/** How many leading tokens two token lists share. */
export function sharedPrefix(a: readonly Token[], b: readonly Token[]): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a[i] === b[i]) i++;
  return i;
}
