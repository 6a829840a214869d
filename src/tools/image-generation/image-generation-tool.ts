/**
 * The built-in `image_generation` tool: the model gets an `image_generation({prompt})` function; a
 * call asks the configured images service for one image with the entry's settings and ends as an
 * `image_generation_call` item with the image as base64 (`result`), its prompt and what the service
 * made; partial images are streamed as `response.image_generation_call.partial_image` when the
 * entry asks for them and the service sends them. A failing service fails that call only.
 *
 * Under `action: "edit"` or `"auto"` (the default) the images of the conversation are read when
 * the response begins and offered by number; an edit sends the chosen one (with the entry's mask)
 * to the service's `/images/edits`. `generate` never edits.
 */
import type {
  BuiltInTool,
  OpeningContext,
  PreparedTool,
  ToolCall,
  ToolExecution,
  ToolOpening,
  ToolResult,
} from '../types.js';
import { type ContextImage, contextImages, type ImageReader } from './context-images.js';
import type { ImageBytes } from './edit-form.js';
import { type ImageGenerationEntry, parseImageGenerationEntry } from './image-generation-entry.js';
import { editSpec, GENERATE_SPEC } from './image-generation-spec.js';
import type { GeneratedImage, ImagesClient } from './images-client.js';

export class ImageGenerationTool implements BuiltInTool {
  readonly type = 'image_generation';
  readonly itemType = 'image_generation_call';
  readonly idPrefix = 'ig';

  constructor(
    private readonly images: ImagesClient,
    /** Reads the images an edit starts from (URLs through the SSRF guard, the tenant's files). */
    private readonly reader: ImageReader,
  ) {}

  async prepare(entry: Record<string, unknown>, how: { param: string }): Promise<PreparedTool> {
    const settings = parseImageGenerationEntry(entry, how.param);
    return new ImageGenerationCall(settings, this.images, this.reader, how.param);
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

interface Arguments {
  prompt: string | undefined;
  action: unknown;
  image: unknown;
}

export class ImageGenerationCall implements PreparedTool {
  /** Generation's function; `begin` shapes it for edits once it knows the conversation's images. */
  readonly spec = GENERATE_SPEC;
  private editable: ContextImage[] = [];
  private mask: ImageBytes | undefined;

  constructor(
    readonly settings: ImageGenerationEntry,
    private readonly images: ImagesClient,
    private readonly reader: ImageReader,
    /** `tools[i]`, for errors about the entry's mask. */
    private readonly param: string,
  ) {}

  async begin(how: OpeningContext): Promise<ToolOpening> {
    const action = this.settings.action ?? 'auto';
    if (action === 'generate') return { functions: [], items: [] };
    this.editable = await contextImages(how, this.reader);
    if (this.editable.length === 0) return { functions: [], items: [] };
    const mask = this.settings.input_image_mask;
    if (mask) {
      const param = `${this.param}.input_image_mask`;
      this.mask = await this.reader.imageData({ type: 'input_image', ...mask }, () => param, how);
    }
    const labels = this.editable.map((image) => image.label);
    return { functions: [], items: [], spec: editSpec(action, labels) };
  }

  openItem(call: ToolCall): Record<string, unknown> {
    return {
      status: 'in_progress',
      result: null,
      revised_prompt: argumentsOf(call.arguments).prompt ?? null,
    };
  }

  async execute(call: ToolCall, how: ToolExecution): Promise<ToolResult> {
    const args = argumentsOf(call.arguments);
    const prompt = args.prompt;
    if (prompt === undefined) {
      return {
        item: { status: 'failed', result: null },
        output: 'image_generation needs {"prompt": "…"} with a non-empty prompt.',
      };
    }
    const editing = this.editing(args);
    const image = editing ? this.chosen(args.image) : undefined;
    if (typeof image === 'string') {
      return { item: { status: 'failed', result: null, revised_prompt: prompt }, output: image };
    }
    how.progress({ type: 'phase', phase: 'generating' });
    const s = this.settings;
    const request = {
      prompt,
      model: s.model,
      size: s.size,
      quality: s.quality,
      background: s.background,
      output_format: s.output_format,
      output_compression: s.output_compression,
      partialImages: s.partial_images ?? 0,
    };
    const onPartial = (b64: string, index: number) => how.progress({ type: 'partial-image', b64, index });
    try {
      const made = image
        ? await this.images.edit(
            { ...request, input_fidelity: s.input_fidelity ?? undefined },
            { images: [image.image], mask: this.mask },
            onPartial,
            how.signal,
          )
        : await this.images.generate({ ...request, moderation: s.moderation }, onPartial, how.signal);
      return {
        item: completedItem(made, prompt),
        output: `The image was ${image ? 'edited' : 'generated'} and is shown to the user. Do not describe it unless asked.`,
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

  /** `edit` always edits; under `auto` the model chose (naming an image is choosing to edit). */
  private editing(args: Arguments): boolean {
    const action = this.settings.action ?? 'auto';
    if (action !== 'auto') return action === 'edit';
    return args.action === 'edit' || (args.action == null && typeof args.image === 'number');
  }

  /** The image to edit, or what the model is told when there is none to edit. */
  private chosen(number: unknown): ContextImage | string {
    const count = this.editable.length;
    if (count === 0) {
      return (
        'image_generation failed: there is no image in this conversation to edit. Ask the user ' +
        'to send the image to edit.'
      );
    }
    if (number == null) return this.editable[count - 1]!;
    const at = typeof number === 'number' && Number.isInteger(number) ? this.editable[number - 1] : undefined;
    return at ?? `image_generation failed: image ${String(number)} is not one of the images 1 to ${count}.`;
  }
}

function completedItem(image: GeneratedImage, prompt: string): Record<string, unknown> {
  return {
    status: 'completed',
    result: image.b64,
    revised_prompt: image.revisedPrompt ?? prompt,
    size: image.size ?? 'auto',
    quality: image.quality ?? 'auto',
    background: image.background ?? 'auto',
    output_format: image.outputFormat ?? 'png',
  };
}

function argumentsOf(text: string): Arguments {
  try {
    const { prompt, action, image } = JSON.parse(text) as Record<string, unknown>;
    const given = typeof prompt === 'string' && prompt.trim() !== '' ? prompt.trim() : undefined;
    return { prompt: given, action, image };
  } catch {
    return { prompt: undefined, action: undefined, image: undefined };
  }
}
