import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { parseCreateResponseBody } from '../../src/server/validate-request.js';

const minimal = { model: 'gpt-test' };

/** A request using every parameter. */
const maximal = {
  model: 'gpt-test',
  input: [
    { role: 'developer', content: 'Be brief.' },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'Describe these.' },
        { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' },
        { type: 'input_image', file_id: 'file_1' },
        { type: 'input_file', file_id: 'file_2', filename: 'a.pdf' },
        { type: 'input_file', file_data: 'data:application/pdf;base64,AAAA', filename: 'b.pdf' },
        { type: 'input_file', file_url: 'https://example.com/c.pdf' },
      ],
    },
    {
      type: 'message',
      id: 'msg_1',
      role: 'assistant',
      status: 'completed',
      content: [
        { type: 'output_text', text: 'Two images.', annotations: [], logprobs: [] },
        { type: 'refusal', refusal: 'No.' },
      ],
    },
    {
      type: 'reasoning',
      id: 'rs_1',
      summary: [{ type: 'summary_text', text: 'Thinking' }],
      encrypted_content: 'enc',
    },
    {
      type: 'function_call',
      id: 'fc_1',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    },
    { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
    {
      type: 'function_call_output',
      call_id: 'call_2',
      output: [
        { type: 'input_text', text: 'see image' },
        { type: 'input_image', image_url: 'https://example.com/b.png', detail: null },
      ],
    },
    { type: 'custom_tool_call', call_id: 'call_3', name: 'apply_patch', input: '*** Begin Patch' },
    { type: 'custom_tool_call_output', call_id: 'call_3', output: 'ok' },
    { type: 'compaction', encrypted_content: 'cmp' },
    { type: 'item_reference', id: 'msg_0' },
    { id: 'msg_00' },
    { type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'q' } },
    { type: 'file_search_call', id: 'fs_1', queries: ['q'], status: 'completed' },
    { type: 'computer_call', id: 'cu_1', call_id: 'call_4', status: 'completed', pending_safety_checks: [] },
    {
      type: 'computer_call_output',
      call_id: 'call_4',
      output: { type: 'computer_screenshot', file_id: 'f' },
    },
    {
      type: 'code_interpreter_call',
      id: 'ci_1',
      code: 'print(1)',
      container_id: 'c',
      outputs: null,
      status: 'completed',
    },
    { type: 'image_generation_call', id: 'ig_1', result: null, status: 'completed' },
    {
      type: 'local_shell_call',
      call_id: 'call_5',
      status: 'completed',
      action: { type: 'exec', command: ['ls'], env: {} },
    },
    { type: 'local_shell_call_output', id: 'call_5', output: 'a.txt' },
    { type: 'shell_call', call_id: 'call_6', action: { commands: ['ls'] } },
    { type: 'shell_call_output', call_id: 'call_6', output: [] },
    {
      type: 'apply_patch_call',
      call_id: 'call_7',
      status: 'completed',
      operation: { type: 'delete_file', path: 'a' },
    },
    { type: 'apply_patch_call_output', call_id: 'call_7', status: 'completed' },
    { type: 'mcp_list_tools', id: 'ml_1', server_label: 'srv', tools: [] },
    { type: 'mcp_approval_request', id: 'mar_1', server_label: 'srv', name: 't', arguments: '{}' },
    { type: 'mcp_approval_response', approval_request_id: 'mar_1', approve: true },
    { type: 'mcp_call', id: 'mc_1', server_label: 'srv', name: 't', arguments: '{}' },
  ],
  instructions: 'You are helpful.',
  previous_response_id: null,
  conversation: { id: 'conv_1' },
  prompt: {
    id: 'pmpt_1',
    version: null,
    variables: { city: 'Paris', note: { type: 'input_text', text: 'hi' } },
  },
  tools: [
    {
      type: 'function',
      name: 'get_weather',
      description: 'Weather',
      parameters: { type: 'object', properties: {} },
      strict: true,
    },
    { type: 'function', name: 'no_schema' },
    {
      type: 'custom',
      name: 'apply_patch',
      description: 'Patch',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
    },
    { type: 'custom', name: 'free', format: { type: 'text' } },
    { type: 'file_search', vector_store_ids: ['vs_1'], max_num_results: 5 },
    { type: 'web_search', search_context_size: 'low' },
    { type: 'web_search_2025_08_26' },
    { type: 'web_search_preview' },
    { type: 'web_search_preview_2025_03_11' },
    { type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser' },
    { type: 'code_interpreter', container: { type: 'auto' } },
    { type: 'image_generation', quality: 'high' },
    { type: 'mcp', server_label: 'srv', server_url: 'https://mcp.example.com', require_approval: 'never' },
    { type: 'local_shell' },
    { type: 'shell' },
    { type: 'apply_patch' },
  ],
  tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'get_weather' }] },
  parallel_tool_calls: true,
  max_tool_calls: 5,
  text: {
    format: {
      type: 'json_schema',
      name: 'weather-report_1',
      schema: { type: 'object' },
      description: 'A report',
      strict: null,
    },
    verbosity: 'low',
  },
  reasoning: { effort: 'xhigh', summary: 'auto', generate_summary: null },
  temperature: 2,
  top_p: 0,
  top_logprobs: 20,
  max_output_tokens: 16,
  truncation: 'auto',
  context_management: [{ type: 'compaction', compact_threshold: 1000 }],
  include: [
    'file_search_call.results',
    'web_search_call.results',
    'web_search_call.action.sources',
    'message.input_image.image_url',
    'computer_call_output.output.image_url',
    'code_interpreter_call.outputs',
    'reasoning.encrypted_content',
    'message.output_text.logprobs',
  ],
  stream: true,
  stream_options: { include_obfuscation: false },
  background: false,
  store: true,
  service_tier: 'flex',
  metadata: Object.fromEntries(
    Array.from({ length: 16 }, (_, i) => [`k${i}`.padEnd(64, 'k'), 'v'.repeat(512)]),
  ),
  safety_identifier: 'u'.repeat(64),
  prompt_cache_key: 'cache-1',
  prompt_cache_retention: '24h',
  prompt_cache_options: { mode: 'implicit', ttl: '30m' },
  moderation: { model: 'omni-moderation-latest', policy: { input: { mode: 'score' }, output: null } },
  user: 'user-1',
  client_metadata: { session: 'abc' },
};

/** What the openai SDK sends on behalf of Codex CLI mid-conversation (store: false, stateless). */
const codexBody = {
  model: 'gpt-5-codex',
  instructions: 'You are Codex, based on GPT-5.',
  input: [
    {
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: '<permissions instructions>' }],
    },
    {
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: '<environment_context>cwd: /repo</environment_context>' }],
    },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List the files' }] },
    {
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: '**Listing files**' }],
      content: null,
      encrypted_content: 'gAAAAABo-encrypted',
    },
    {
      type: 'function_call',
      name: 'shell',
      arguments: '{"command":["bash","-lc","ls"],"workdir":"/repo"}',
      call_id: 'call_abc',
    },
    { type: 'function_call_output', call_id: 'call_abc', output: 'README.md\nsrc\n' },
    {
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'There are two entries.' }],
    },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Thanks' }] },
  ],
  tools: [
    {
      type: 'function',
      name: 'shell',
      description: 'Runs a shell command and returns its output.',
      strict: false,
      parameters: {
        type: 'object',
        properties: { command: { type: 'array', items: { type: 'string' } }, workdir: { type: 'string' } },
        required: ['command'],
        additionalProperties: false,
      },
    },
    { type: 'web_search' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: false,
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  text: { verbosity: 'low' },
  client_metadata: { 'x-codex-installation-id': 'abc' },
};

describe('parseCreateResponseBody: valid bodies', () => {
  it.each([
    ['minimal', minimal],
    ['maximal (every parameter)', maximal],
    ['Codex CLI / openai SDK body', codexBody],
    ['string input', { ...minimal, input: 'Hello' }],
    [
      'every param null where nullable',
      {
        ...minimal,
        instructions: null,
        previous_response_id: null,
        conversation: null,
        prompt: null,
        parallel_tool_calls: null,
        max_tool_calls: null,
        reasoning: null,
        temperature: null,
        top_p: null,
        top_logprobs: null,
        max_output_tokens: null,
        truncation: null,
        context_management: null,
        include: null,
        stream: null,
        stream_options: null,
        background: null,
        store: null,
        service_tier: null,
        metadata: null,
        safety_identifier: null,
        prompt_cache_key: null,
        prompt_cache_retention: null,
        moderation: null,
      },
    ],
    ['top_logprobs without include', { ...minimal, top_logprobs: 5 }],
    ['previous_response_id alone', { ...minimal, previous_response_id: 'resp_1' }],
    ['conversation as a string id', { ...minimal, conversation: 'conv_1' }],
    ['stream_options with stream true', { ...minimal, stream: true, stream_options: {} }],
    ['tool_choice mode strings', { ...minimal, tool_choice: 'required' }],
    ['tool_choice function', { ...minimal, tool_choice: { type: 'function', name: 'f' } }],
    ['tool_choice custom', { ...minimal, tool_choice: { type: 'custom', name: 'f' } }],
    ['tool_choice hosted', { ...minimal, tool_choice: { type: 'web_search_preview' } }],
    ['tool_choice mcp', { ...minimal, tool_choice: { type: 'mcp', server_label: 'srv', name: null } }],
    ['text format text', { ...minimal, text: { format: { type: 'text' }, verbosity: null } }],
    ['text format json_object', { ...minimal, text: { format: { type: 'json_object' } } }],
    ['prompt_cache_retention in-memory spelling', { ...minimal, prompt_cache_retention: 'in-memory' }],
    ['prompt_cache_retention in_memory spelling', { ...minimal, prompt_cache_retention: 'in_memory' }],
    [
      'compact_threshold null',
      { ...minimal, context_management: [{ type: 'compaction', compact_threshold: null }] },
    ],
  ])('%s', (_name, body) => {
    expect(() => parseCreateResponseBody(body)).not.toThrow();
  });

  it('keeps null distinct from absent and adds no defaults', () => {
    const body = parseCreateResponseBody({
      ...minimal,
      instructions: null,
      input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }],
    });
    expect(body.instructions).toBeNull();
    expect('temperature' in body).toBe(false);
    expect(body.input).toEqual([
      { role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] },
    ]);
  });

  it('passes built-in tool details through', () => {
    const body = parseCreateResponseBody({
      ...minimal,
      tools: [{ type: 'web_search', user_location: { city: 'X' } }],
    });
    expect(body.tools).toEqual([{ type: 'web_search', user_location: { city: 'X' } }]);
  });
});

interface ErrorCase {
  name: string;
  body: unknown;
  param: string | null;
  code: string;
  message?: string;
}

const errorCases: ErrorCase[] = [
  // Body shape
  {
    name: 'body is an array',
    body: [],
    param: null,
    code: 'invalid_type',
    message: 'Invalid body: expected a JSON object, but got an array instead.',
  },
  { name: 'body is a string', body: 'hi', param: null, code: 'invalid_type' },
  { name: 'body is null', body: null, param: null, code: 'invalid_type' },

  // model
  {
    name: 'model missing',
    body: {},
    param: 'model',
    code: 'missing_required_parameter',
    message: "Missing required parameter: 'model'.",
  },
  { name: 'model empty', body: { model: '' }, param: 'model', code: 'empty_string' },
  {
    name: 'model wrong type',
    body: { model: 5 },
    param: 'model',
    code: 'invalid_type',
    message: "Invalid type for 'model': expected a string, but got an integer instead.",
  },

  // Unknown parameters
  {
    name: 'unknown top-level parameter',
    body: { ...minimal, presence_penalty: 0.5 },
    param: 'presence_penalty',
    code: 'unknown_parameter',
    message: "Unknown parameter: 'presence_penalty'.",
  },
  { name: 'top_k is unknown', body: { ...minimal, top_k: 5 }, param: 'top_k', code: 'unknown_parameter' },
  {
    name: 'frequency_penalty is unknown',
    body: { ...minimal, frequency_penalty: 0 },
    param: 'frequency_penalty',
    code: 'unknown_parameter',
  },
  {
    name: 'unknown key in a content part',
    body: { ...minimal, input: [{ role: 'user', content: [{ type: 'input_text', text: 'x', foo: 1 }] }] },
    param: 'input[0].content[0].foo',
    code: 'unknown_parameter',
    message: "Unknown parameter: 'input[0].content[0].foo'.",
  },
  {
    name: 'unknown key in reasoning',
    body: { ...minimal, reasoning: { effort: 'low', budget: 5 } },
    param: 'reasoning.budget',
    code: 'unknown_parameter',
  },
  {
    name: 'unknown key in stream_options',
    body: { ...minimal, stream: true, stream_options: { include_usage: true } },
    param: 'stream_options.include_usage',
    code: 'unknown_parameter',
  },

  // input
  {
    name: 'input wrong type',
    body: { ...minimal, input: 5 },
    param: 'input',
    code: 'invalid_type',
    message: "Invalid type for 'input': expected one of a string or an array, but got an integer instead.",
  },
  {
    name: 'input item not an object',
    body: { ...minimal, input: ['hi'] },
    param: 'input[0]',
    code: 'invalid_type',
    message: "Invalid type for 'input[0]': expected an object, but got a string instead.",
  },
  {
    name: 'input item unknown type',
    body: { ...minimal, input: [{ type: 'bogus' }] },
    param: 'input[0].type',
    code: 'invalid_value',
  },
  {
    name: 'message without type and role',
    body: { ...minimal, input: [{ content: 'hi' }] },
    param: 'input[0].role',
    code: 'missing_required_parameter',
  },
  {
    name: 'message with bad role',
    body: { ...minimal, input: [{ role: 'tool', content: 'hi' }] },
    param: 'input[0].role',
    code: 'invalid_value',
    message: "Invalid value: 'tool'. Supported values are: 'user', 'assistant', 'system' and 'developer'.",
  },
  {
    name: 'message without content',
    body: { ...minimal, input: [{ type: 'message', role: 'user' }] },
    param: 'input[0].content',
    code: 'missing_required_parameter',
  },
  {
    name: 'message content wrong type',
    body: { ...minimal, input: [{ role: 'user', content: { text: 'hi' } }] },
    param: 'input[0].content',
    code: 'invalid_type',
  },
  {
    name: 'content part unknown type',
    body: { ...minimal, input: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
    param: 'input[0].content[0].type',
    code: 'invalid_value',
    message:
      "Invalid value: 'text'. Supported values are: 'input_text', 'input_image', 'input_file', 'output_text' and 'refusal'.",
  },
  {
    name: 'image_url wrong type (error of the selected part)',
    body: {
      ...minimal,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'x' },
            { type: 'input_image', image_url: 5 },
          ],
        },
      ],
    },
    param: 'input[0].content[1].image_url',
    code: 'invalid_type',
  },
  {
    name: 'image without a source',
    body: { ...minimal, input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto' }] }] },
    param: 'input[0].content[0].image_url',
    code: 'missing_required_parameter',
  },
  {
    name: 'image detail invalid',
    body: {
      ...minimal,
      input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'u', detail: 'medium' }] }],
    },
    param: 'input[0].content[0].detail',
    code: 'invalid_value',
  },
  {
    name: 'output_text without text',
    body: { ...minimal, input: [{ role: 'assistant', content: [{ type: 'output_text' }] }] },
    param: 'input[0].content[0].text',
    code: 'missing_required_parameter',
  },
  {
    name: 'function_call missing arguments',
    body: { ...minimal, input: [{ type: 'function_call', call_id: 'c', name: 'f' }] },
    param: 'input[0].arguments',
    code: 'missing_required_parameter',
  },
  {
    name: 'function_call_output with a bad output part',
    body: {
      ...minimal,
      input: [{ type: 'function_call_output', call_id: 'c', output: [{ type: 'refusal', refusal: 'x' }] }],
    },
    param: 'input[0].output[0].type',
    code: 'invalid_value',
  },
  {
    name: 'reasoning summary wrong type',
    body: { ...minimal, input: [{ type: 'reasoning', summary: 'x' }] },
    param: 'input[0].summary',
    code: 'invalid_type',
    message: "Invalid type for 'input[0].summary': expected an array, but got a string instead.",
  },
  {
    name: 'item_reference without id',
    body: { ...minimal, input: [{ type: 'item_reference' }] },
    param: 'input[0].id',
    code: 'missing_required_parameter',
  },
  {
    name: 'compaction without encrypted_content',
    body: { ...minimal, input: [{ type: 'compaction' }] },
    param: 'input[0].encrypted_content',
    code: 'missing_required_parameter',
  },
  {
    name: 'built-in item missing its id',
    body: { ...minimal, input: [{ type: 'mcp_approval_response', approve: true }] },
    param: 'input[0].approval_request_id',
    code: 'missing_required_parameter',
  },

  // Sampling and limits
  {
    name: 'temperature above max',
    body: { ...minimal, temperature: 3 },
    param: 'temperature',
    code: 'decimal_above_max_value',
    message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
  },
  {
    name: 'temperature below min',
    body: { ...minimal, temperature: -0.5 },
    param: 'temperature',
    code: 'decimal_below_min_value',
    message:
      "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.",
  },
  {
    name: 'temperature as a string (no coercion)',
    body: { ...minimal, temperature: '0.5' },
    param: 'temperature',
    code: 'invalid_type',
    message: "Invalid type for 'temperature': expected a decimal, but got a string instead.",
  },
  {
    name: 'top_p above max',
    body: { ...minimal, top_p: 1.5 },
    param: 'top_p',
    code: 'decimal_above_max_value',
  },
  {
    name: 'top_logprobs above max',
    body: { ...minimal, top_logprobs: 21 },
    param: 'top_logprobs',
    code: 'integer_above_max_value',
    message:
      "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead.",
  },
  {
    name: 'top_logprobs below min',
    body: { ...minimal, top_logprobs: -1 },
    param: 'top_logprobs',
    code: 'integer_below_min_value',
  },
  {
    name: 'top_logprobs not an integer',
    body: { ...minimal, top_logprobs: 2.5 },
    param: 'top_logprobs',
    code: 'invalid_type',
    message: "Invalid type for 'top_logprobs': expected an integer, but got a decimal instead.",
  },
  {
    name: 'max_output_tokens as a string',
    body: { ...minimal, max_output_tokens: '100' },
    param: 'max_output_tokens',
    code: 'invalid_type',
    message: "Invalid type for 'max_output_tokens': expected an integer, but got a string instead.",
  },
  {
    name: 'max_output_tokens below min',
    body: { ...minimal, max_output_tokens: 15 },
    param: 'max_output_tokens',
    code: 'integer_below_min_value',
    message:
      "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 15 instead.",
  },
  {
    name: 'max_tool_calls below min',
    body: { ...minimal, max_tool_calls: 0 },
    param: 'max_tool_calls',
    code: 'integer_below_min_value',
  },
  {
    name: 'compact_threshold below min',
    body: { ...minimal, context_management: [{ type: 'compaction', compact_threshold: 999 }] },
    param: 'context_management[0].compact_threshold',
    code: 'integer_below_min_value',
  },
  {
    name: 'context_management unknown type',
    body: { ...minimal, context_management: [{ type: 'summarize' }] },
    param: 'context_management[0].type',
    code: 'invalid_value',
    message: "Invalid value: 'summarize'. Supported values are: 'compaction'.",
  },

  // Enums and booleans
  {
    name: 'service_tier invalid',
    body: { ...minimal, service_tier: 'fast' },
    param: 'service_tier',
    code: 'invalid_value',
    message:
      "Invalid value: 'fast'. Supported values are: 'auto', 'default', 'flex', 'scale' and 'priority'.",
  },
  {
    name: 'truncation invalid',
    body: { ...minimal, truncation: 'on' },
    param: 'truncation',
    code: 'invalid_value',
  },
  {
    name: 'prompt_cache_retention invalid',
    body: { ...minimal, prompt_cache_retention: '1h' },
    param: 'prompt_cache_retention',
    code: 'invalid_value',
  },
  {
    name: 'reasoning effort invalid',
    body: { ...minimal, reasoning: { effort: 'extreme' } },
    param: 'reasoning.effort',
    code: 'invalid_value',
  },
  {
    name: 'reasoning summary invalid',
    body: { ...minimal, reasoning: { summary: 'short' } },
    param: 'reasoning.summary',
    code: 'invalid_value',
  },
  {
    name: 'include value invalid',
    body: { ...minimal, include: ['reasoning.content'] },
    param: 'include[0]',
    code: 'invalid_value',
  },
  {
    name: 'stream as a string',
    body: { ...minimal, stream: 'true' },
    param: 'stream',
    code: 'invalid_type',
    message: "Invalid type for 'stream': expected a boolean, but got a string instead.",
  },
  {
    name: 'store as null-like number',
    body: { ...minimal, store: 0 },
    param: 'store',
    code: 'invalid_type',
  },
  {
    name: 'text verbosity invalid',
    body: { ...minimal, text: { verbosity: 'verbose' } },
    param: 'text.verbosity',
    code: 'invalid_value',
  },
  {
    name: 'text is not nullable',
    body: { ...minimal, text: null },
    param: 'text',
    code: 'invalid_type',
    message: "Invalid type for 'text': expected an object, but got null instead.",
  },

  // metadata and strings
  {
    name: 'metadata with 17 pairs',
    body: { ...minimal, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
    param: 'metadata',
    code: 'object_above_max_size',
    message:
      "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.",
  },
  {
    name: 'metadata value too long',
    body: { ...minimal, metadata: { note: 'x'.repeat(513) } },
    param: 'metadata.note',
    code: 'string_above_max_length',
  },
  {
    name: 'metadata key too long',
    body: { ...minimal, metadata: { ['k'.repeat(65)]: 'v' } },
    param: 'metadata',
    code: 'string_above_max_length',
  },
  {
    name: 'metadata value not a string',
    body: { ...minimal, metadata: { some_key: 1 } },
    param: 'metadata.some_key',
    code: 'invalid_type',
  },
  {
    name: 'safety_identifier too long',
    body: { ...minimal, safety_identifier: 'x'.repeat(65) },
    param: 'safety_identifier',
    code: 'string_above_max_length',
    message:
      "Invalid 'safety_identifier': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
  },
  {
    name: 'client_metadata value not a string',
    body: { ...minimal, client_metadata: { a: 1 } },
    param: 'client_metadata.a',
    code: 'invalid_type',
  },

  // tools
  {
    name: 'tool without type',
    body: { ...minimal, tools: [{ name: 'f' }] },
    param: 'tools[0].type',
    code: 'missing_required_parameter',
  },
  {
    name: 'tool unknown type',
    body: { ...minimal, tools: [{ type: 'browser' }] },
    param: 'tools[0].type',
    code: 'invalid_value',
  },
  {
    name: 'function tool name with a space',
    body: { ...minimal, tools: [{ type: 'function', name: 'get weather' }] },
    param: 'tools[0].name',
    code: 'invalid_value',
  },
  {
    name: 'function tool name too long',
    body: { ...minimal, tools: [{ type: 'function', name: 'f'.repeat(65) }] },
    param: 'tools[0].name',
    code: 'string_above_max_length',
  },
  {
    name: 'function tool missing name (third tool)',
    body: {
      ...minimal,
      tools: [{ type: 'web_search' }, { type: 'function', name: 'a' }, { type: 'function', parameters: {} }],
    },
    param: 'tools[2].name',
    code: 'missing_required_parameter',
    message: "Missing required parameter: 'tools[2].name'.",
  },
  {
    name: 'function tool with chat-completions nesting',
    body: { ...minimal, tools: [{ type: 'function', function: { name: 'f' } }] },
    param: 'tools[0].name',
    code: 'missing_required_parameter',
  },
  {
    name: 'function tool parameters not an object',
    body: { ...minimal, tools: [{ type: 'function', name: 'f', parameters: [] }] },
    param: 'tools[0].parameters',
    code: 'invalid_type',
  },
  {
    name: 'function tool unknown key',
    body: { ...minimal, tools: [{ type: 'function', name: 'f', strictness: true }] },
    param: 'tools[0].strictness',
    code: 'unknown_parameter',
  },
  {
    name: 'custom tool grammar syntax invalid',
    body: {
      ...minimal,
      tools: [{ type: 'custom', name: 'c', format: { type: 'grammar', syntax: 'ebnf', definition: 'x' } }],
    },
    param: 'tools[0].format.syntax',
    code: 'invalid_value',
  },
  {
    name: 'file_search without vector_store_ids',
    body: { ...minimal, tools: [{ type: 'file_search' }] },
    param: 'tools[0].vector_store_ids',
    code: 'missing_required_parameter',
  },
  {
    name: 'mcp without server_label',
    body: { ...minimal, tools: [{ type: 'mcp', server_url: 'https://x' }] },
    param: 'tools[0].server_label',
    code: 'missing_required_parameter',
  },

  // tool_choice
  {
    name: 'tool_choice invalid mode',
    body: { ...minimal, tool_choice: 'any' },
    param: 'tool_choice',
    code: 'invalid_value',
    message: "Invalid value: 'any'. Supported values are: 'none', 'auto' and 'required'.",
  },
  {
    name: 'tool_choice wrong type',
    body: { ...minimal, tool_choice: true },
    param: 'tool_choice',
    code: 'invalid_type',
    message:
      "Invalid type for 'tool_choice': expected one of a string or an object, but got a boolean instead.",
  },
  {
    name: 'tool_choice unknown type',
    body: { ...minimal, tool_choice: { type: 'tool' } },
    param: 'tool_choice.type',
    code: 'invalid_value',
  },
  {
    name: 'tool_choice function without name',
    body: { ...minimal, tool_choice: { type: 'function' } },
    param: 'tool_choice.name',
    code: 'missing_required_parameter',
  },
  {
    name: 'tool_choice allowed_tools bad mode',
    body: { ...minimal, tool_choice: { type: 'allowed_tools', mode: 'none', tools: [] } },
    param: 'tool_choice.mode',
    code: 'invalid_value',
  },
  {
    name: 'tool_choice mcp without server_label',
    body: { ...minimal, tool_choice: { type: 'mcp' } },
    param: 'tool_choice.server_label',
    code: 'missing_required_parameter',
  },

  // text.format
  {
    name: 'json_schema without name',
    body: { ...minimal, text: { format: { type: 'json_schema', schema: {} } } },
    param: 'text.format.name',
    code: 'missing_required_parameter',
  },
  {
    name: 'json_schema without schema',
    body: { ...minimal, text: { format: { type: 'json_schema', name: 'x' } } },
    param: 'text.format.schema',
    code: 'missing_required_parameter',
  },
  {
    name: 'json_schema name with a dot',
    body: { ...minimal, text: { format: { type: 'json_schema', name: 'a.b', schema: {} } } },
    param: 'text.format.name',
    code: 'invalid_value',
  },
  {
    name: 'text format unknown type',
    body: { ...minimal, text: { format: { type: 'xml' } } },
    param: 'text.format.type',
    code: 'invalid_value',
    message: "Invalid value: 'xml'. Supported values are: 'text', 'json_object' and 'json_schema'.",
  },

  // prompt and conversation
  {
    name: 'prompt without id',
    body: { ...minimal, prompt: { variables: {} } },
    param: 'prompt.id',
    code: 'missing_required_parameter',
  },
  {
    name: 'prompt variable wrong type',
    body: { ...minimal, prompt: { id: 'p', variables: { city: 5 } } },
    param: 'prompt.variables.city',
    code: 'invalid_type',
  },
  {
    name: 'conversation object without id',
    body: { ...minimal, conversation: {} },
    param: 'conversation.id',
    code: 'missing_required_parameter',
  },

  // Cross-field rules
  {
    name: 'stream_options without stream',
    body: { ...minimal, stream_options: { include_obfuscation: true } },
    param: 'stream_options',
    code: 'invalid_value',
  },
  {
    name: 'stream_options with stream false',
    body: { ...minimal, stream: false, stream_options: {} },
    param: 'stream_options',
    code: 'invalid_value',
  },
  {
    name: 'previous_response_id with conversation',
    body: { ...minimal, previous_response_id: 'resp_1', conversation: 'conv_1' },
    param: 'conversation',
    code: 'mutually_exclusive_parameters',
    message:
      "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
  },
];

describe('parseCreateResponseBody: invalid bodies', () => {
  it.each(errorCases)('$name', ({ body, param, code, message }) => {
    let caught: unknown;
    try {
      parseCreateResponseBody(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    const error = caught as GatewayError;
    expect({ status: error.status, type: error.type, param: error.param, code: error.code }).toEqual({
      status: 400,
      type: 'invalid_request_error',
      param,
      code,
    });
    if (message !== undefined) expect(error.message).toBe(message);
  });
});
