/**
 * Embeddings from a local GGUF model through node-llama-cpp (`embeddings.model:
 * local/<path.gguf>`), with no server at all. The model loads on first use; inputs longer than its
 * context are cut to it (a chunk's start says most of what it is about). CPU only, one thread, as
 * the local chat provider runs: on small machines more threads than cores is far slower.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { ConfigError } from '../config/load-config.js';
import type { Embedder } from './embedder.js';

export class LocalEmbedder implements Embedder {
  readonly model: string;
  readonly batchSize = 16;
  private loading:
    | Promise<{ model: LlamaModel; context: LlamaEmbeddingContext; maxTokens: number }>
    | undefined;

  constructor(private readonly modelPath: string) {
    this.modelPath = resolve(modelPath);
    if (!existsSync(this.modelPath))
      throw new ConfigError(`embeddings.model: no such GGUF file: ${this.modelPath}`);
    this.model = `local/${basename(this.modelPath)}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const { model, context, maxTokens } = await this.load();
    const vectors: Float32Array[] = [];
    // One at a time: the context evaluates one input at once anyway.
    for (const text of texts) {
      const tokens = model.tokenize(text).slice(0, maxTokens);
      const embedding = await context.getEmbeddingFor(tokens.length > 0 ? tokens : model.tokenize(' '));
      vectors.push(Float32Array.from(embedding.vector));
    }
    return vectors;
  }

  async close(): Promise<void> {
    if (!this.loading) return;
    const loaded = await this.loading.catch(() => undefined);
    await loaded?.context.dispose();
    await loaded?.model.dispose();
  }

  private load() {
    this.loading ??= (async () => {
      const lib = await import('node-llama-cpp');
      const llama = await lib.getLlama({
        gpu: false,
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        logLevel: lib.LlamaLogLevel.error,
      });
      const model = await llama.loadModel({ modelPath: this.modelPath });
      const contextSize = Math.min(2048, model.trainContextSize);
      const context = await model.createEmbeddingContext({ threads: 1, contextSize });
      return { model, context, maxTokens: contextSize };
    })();
    return this.loading;
  }
}
