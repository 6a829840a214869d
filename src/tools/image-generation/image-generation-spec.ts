/**
 * The function the model sees. To generate it writes a prompt; when the entry lets it edit
 * (`action: "edit"` or `"auto"`) and the conversation has images, the function lists them by number
 * and takes which to edit (default the latest), and under `auto` whether to edit at all.
 */
import type { FunctionToolSpec } from '../../providers/types.js';

const PROMPT = { type: 'string', description: 'What the image shows.' };

export const GENERATE_SPEC: FunctionToolSpec = {
  kind: 'function',
  name: 'image_generation',
  description:
    'Generate an image from a text description. Write a complete, detailed prompt: subject, ' +
    'style, composition, colours, any text to show. The image is shown to the user.',
  parameters: {
    type: 'object',
    properties: { prompt: PROMPT },
    required: ['prompt'],
    additionalProperties: false,
  },
  strict: true,
};

/** @param labels the images that can be edited, oldest first (numbered from 1). */
export function editSpec(action: 'edit' | 'auto', labels: readonly string[]): FunctionToolSpec {
  const listed = labels.map((label, i) => `${i + 1}. ${label}`).join('; ');
  const image = {
    type: ['integer', 'null'],
    description: `The number of the image to edit; null: the latest (${labels.length}).`,
  };
  const images = ` Images of this conversation it can edit, by number: ${listed}.`;
  if (action === 'edit') {
    return {
      ...GENERATE_SPEC,
      description:
        'Edit an image of the conversation. Write a complete prompt describing the whole image ' +
        `as it should be after the edit. The image is shown to the user.${images}`,
      parameters: {
        type: 'object',
        properties: { prompt: PROMPT, image },
        required: ['prompt', 'image'],
        additionalProperties: false,
      },
    };
  }
  return {
    ...GENERATE_SPEC,
    description:
      'Generate an image from a text description, or edit an image of the conversation. Write a ' +
      'complete, detailed prompt (for an edit, the whole image as it should be after it). The ' +
      `image is shown to the user.${images}`,
    parameters: {
      type: 'object',
      properties: {
        prompt: PROMPT,
        action: {
          type: 'string',
          enum: ['generate', 'edit'],
          description: '"edit" changes an existing image (see `image`); "generate" makes a new one.',
        },
        image: { ...image, description: `For edit: ${image.description}` },
      },
      required: ['prompt', 'action', 'image'],
      additionalProperties: false,
    },
  };
}
