/**
 * The built-in `image_generation` tool: the model gets an `image_generation({prompt})` function; a
 * call asks the configured images service for one image with the entry's settings and ends as an
 * `image_generation_call` item with the image as base64 (`result`), its prompt and what the service
 * made; partial images are streamed as `response.image_generation_call.partial_image` when the
 * entry asks for them and the service sends them. A failing service fails that call only.
 */
import type { FunctionToolSpec } from '../../providers/types.js';
import type { BuiltInTool, PreparedTool, ToolCall, ToolExecution, ToolResult } from '../types.js';
import { type ImageGenerationEntry, parseImageGenerationEntry } from './image-generation-entry.js';
import type { ImagesClient } from './images-client.js';

const SPEC: FunctionToolSpec = {
  kind: 'function',
  name: 'image_generation',
  description:
    'Generate an image from a text description. Write a complete, detailed prompt: subject, ' +
    'style, composition, colours, any text to show. The image is shown to the user.',
  parameters: {
    type: 'object',
    properties: { prompt: { type: 'string', description: 'What the image shows.' } },
    required: ['prompt'],
    additionalProperties: false,
  },
  strict: true,
};

export class ImageGenerationTool implements BuiltInTool {
  readonly type = 'image_generation';
  readonly itemType = 'image_generation_call';
  readonly idPrefix = 'ig';

  constructor(private readonly images: ImagesClient) {}

  async prepare(entry: Record<string, unknown>, how: { param: string }): Promise<PreparedTool> {
    return new ImageGenerationCall(parseImageGenerationEntry(entry, how.param), this.images);
  }

  replay(item: Record<string, unknown>): { arguments: string; output: string } {
    const prompt = typeof item.revised_prompt === 'string' ? item.revised_prompt : '';
    return {
      arguments: JSON.stringify({ prompt }),
      output:
        item.status === 'completed'
          ? 'The image was generated and shown to the user.'
          : 'The image could not be generated.',
    };
  }
}

export class ImageGenerationCall implements PreparedTool {
  readonly spec = SPEC;

  constructor(
    readonly settings: ImageGenerationEntry,
    private readonly images: ImagesClient,
  ) {}

  openItem(call: ToolCall): Record<string, unknown> {
    return { status: 'in_progress', result: null, revised_prompt: promptOf(call.arguments) ?? null };
  }

  async execute(call: ToolCall, how: ToolExecution): Promise<ToolResult> {
    const prompt = promptOf(call.arguments);
    if (prompt === undefined) {
      return {
        item: { status: 'failed', result: null },
        output: 'image_generation needs {"prompt": "…"} with a non-empty prompt.',
      };
    }
    how.progress({ type: 'phase', phase: 'generating' });
    const s = this.settings;
    try {
      const image = await this.images.generate(
        {
          prompt,
          model: s.model,
          size: s.size,
          quality: s.quality,
          background: s.background,
          output_format: s.output_format,
          output_compression: s.output_compression,
          moderation: s.moderation,
          partialImages: s.partial_images ?? 0,
        },
        (b64, index) => how.progress({ type: 'partial-image', b64, index }),
        how.signal,
      );
      return {
        item: {
          status: 'completed',
          result: image.b64,
          revised_prompt: image.revisedPrompt ?? prompt,
          size: image.size ?? 'auto',
          quality: image.quality ?? 'auto',
          background: image.background ?? 'auto',
          output_format: image.outputFormat ?? 'png',
        },
        output: 'The image was generated and is shown to the user. Do not describe it unless asked.',
      };
    } catch (error) {
      if (how.signal.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return {
        item: { status: 'failed', result: null, revised_prompt: prompt },
        output: `image_generation failed: ${reason} Tell the user the image could not be made.`,
      };
    }
  }
}

function promptOf(args: string): string | undefined {
  try {
    const { prompt } = JSON.parse(args) as { prompt?: unknown };
    return typeof prompt === 'string' && prompt.trim() !== '' ? prompt.trim() : undefined;
  } catch {
    return undefined;
  }
}
