/** Requests and shapes the conformance suite shares across providers. */

export const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', enum: ['Paris', 'Rome'] } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

export const cityFormat = {
  type: 'json_schema',
  name: 'city_info',
  strict: true,
  schema: {
    type: 'object',
    properties: {
      city: { type: 'string', enum: ['Paris', 'Rome'] },
      country: { type: 'string', enum: ['France', 'Italy'] },
    },
    required: ['city', 'country'],
    additionalProperties: false,
  },
};

export const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** A streamed message, deltas collapsed; the terminal event follows. */
export const MESSAGE_STREAM = [
  'response.created',
  'response.in_progress',
  'response.output_item.added',
  'response.content_part.added',
  'response.output_text.delta',
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
];
