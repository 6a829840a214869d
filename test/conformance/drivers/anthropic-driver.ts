/** anthropic against the Messages API mock. */
import { anthropicCapabilities } from '../../../src/providers/anthropic/anthropic-capabilities.js';
import { startMockAnthropicUpstream } from '../../mocks/anthropic-mock.js';
import { type ConformanceDriver, type Json, type SentRequest, sentRequest, textOf } from './driver.js';
import { mockDriver } from './mock-driver.js';

export function anthropicDriver(): ConformanceDriver {
  return mockDriver({
    name: 'anthropic',
    capabilities: anthropicCapabilities,
    model: 'anthropic/claude-mock',
    upstreamModel: 'claude-mock',
    startMock: () => startMockAnthropicUpstream({ apiKey: 'k' }),
    env: (mock) => ({ ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'k' }),
    script: (enqueue) => ({
      text: (text) => enqueue({ kind: 'text', text }),
      reasoning: (reasoning, text) =>
        enqueue({ kind: 'text', text, thinking: { thinking: reasoning, signature: 'sig-anthropic' } }),
      toolCalls: (calls) =>
        enqueue({
          kind: 'text',
          text: '',
          toolCalls: calls.map((c) => ({ id: c.callId, name: c.name, input: c.args })),
        }),
      // json_schema goes through a forced tool named after the format: its input is the answer.
      json: (name, value) => enqueue({ kind: 'text', text: '', toolCalls: [{ name, input: value }] }),
      midStreamError: (afterText) => enqueue({ kind: 'stream-error', afterText }),
      slow: () => enqueue({ kind: 'text', text: 'A slow story, told one word at a time.', delayMs: 2000 }),
    }),
    sent: (request) => fromAnthropic(request.body),
  });
}

function fromAnthropic(body: Json): SentRequest {
  const forced = body.tool_choice?.type === 'tool' ? body.tool_choice.name : undefined;
  const sent = sentRequest(
    body.model,
    (body.tools as Json[] | undefined)?.find((tool) => tool.name === forced)?.input_schema,
  );
  for (const message of body.messages as Json[]) {
    const blocks: Json[] =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    const text = blocks
      .filter((b) => b.type === 'text')
      .map((b) => b.text)
      .join('');
    if (text !== '') sent.messages.push({ role: message.role, text });
    for (const block of blocks) {
      if (block.type === 'image') sent.images += 1;
      else if (block.type === 'document') sent.files += 1;
      else if (block.type === 'tool_use')
        sent.toolCalls.push({ callId: block.id, name: block.name, args: block.input });
      else if (block.type === 'tool_result') {
        sent.toolResults.push({ callId: block.tool_use_id, name: undefined, output: textOf(block.content) });
        if (Array.isArray(block.content))
          sent.images += block.content.filter((part: Json) => part.type === 'image').length;
      } else if (block.type === 'thinking') sent.reasoningReplayed.push(block.signature);
      else if (block.type === 'redacted_thinking') sent.reasoningReplayed.push(block.data);
    }
  }
  return sent;
}
