/**
 * Asks the model for a summary of earlier turns: one non-streaming call through the same provider,
 * with the turns rendered as a plain transcript (so any upstream accepts it, whatever tools the
 * turns used) and a summarisation instruction. A transcript larger than the model's window keeps
 * its newest entries.
 */
import { UpstreamError } from '../../errors.js';
import type { InputContent } from '../../protocol/create-response.js';
import type { ContextItem } from '../../protocol/input-items.js';
import { plainRequest } from '../../providers/plain-request.js';
import type { LanguageModel, TokenUsage } from '../../providers/types.js';
import { outputReserve } from '../fit-context.js';
import type { ModelLimits } from '../model-limits.js';
import { byteUpperBound, loadTokenizer, type Tokenizer } from '../tokens/tokenizer.js';

export const SUMMARIZER_INSTRUCTIONS = [
  'You compact a conversation between a user and an AI assistant so that the assistant can continue it in a fresh, shorter context.',
  "Write a concise but complete summary of the transcript you are given: the user's goals and requests, decisions made, facts and results learned (tool results included), the current state of any task, and open questions or next steps.",
  'Keep names, numbers, identifiers, file paths and code that later turns may need. Write notes for the assistant that continues, in the language of the conversation.',
  'Do not answer or continue the conversation: output only the summary.',
].join('\n');

export interface SummaryResult {
  summary: string;
  usage: TokenUsage | undefined;
}

export interface SummarizeOptions {
  model: LanguageModel;
  modelId: string;
  limits: ModelLimits;
  signal: AbortSignal;
}

export async function summarize(
  items: readonly ContextItem[],
  options: SummarizeOptions,
): Promise<SummaryResult> {
  const request = plainRequest(options.modelId, [
    { role: 'system', content: SUMMARIZER_INSTRUCTIONS },
    {
      role: 'user',
      content: [
        {
          type: 'text',
          text: `Transcript of the conversation so far:\n\n<transcript>\n${await transcript(items, options.limits)}\n</transcript>\n\nWrite the summary now.`,
        },
      ],
    },
  ]);
  const parts = await options.model.generate(request, { signal: options.signal });
  let summary = '';
  let usage: TokenUsage | undefined;
  for (const part of parts) {
    if (part.type === 'text-delta') summary += part.delta;
    else if (part.type === 'finish') usage = part.usage;
    else if (part.type === 'error') {
      throw part.error instanceof UpstreamError
        ? part.error
        : new UpstreamError(`Compaction failed: ${part.error.message}`, { status: 502, retryable: false });
    }
  }
  summary = summary.trim();
  if (summary === '') {
    throw new UpstreamError('Compaction failed: the model returned an empty summary.', {
      status: 502,
      retryable: false,
    });
  }
  return { summary, usage };
}

/** One entry per item, newest kept when the whole does not fit the model's window. */
export async function transcript(items: readonly ContextItem[], limits: ModelLimits): Promise<string> {
  const entries = items.map(describeItem).filter((entry) => entry !== '');
  const budget =
    limits.contextWindow -
    outputReserve({ truncation: 'auto', maxOutputTokens: undefined, limits }) -
    byteUpperBound.count(SUMMARIZER_INSTRUCTIONS) -
    64;
  // Bytes bound tokens: only a transcript too large by that measure needs the real encoding.
  const bytes = entries.reduce((sum, entry) => sum + byteUpperBound.count(entry) + 1, 0);
  const tokenizer: Tokenizer = bytes <= budget ? byteUpperBound : await loadTokenizer(limits.tokenizer);
  let total = 0;
  let first = entries.length;
  while (first > 0) {
    const cost = tokenizer.count(entries[first - 1]!) + 1;
    if (total + cost > budget) break;
    total += cost;
    first--;
  }
  const omitted = first > 0 ? [`[${first} older entries omitted]`] : [];
  return [...omitted, ...entries.slice(first)].join('\n\n');
}

function describeItem(item: ContextItem): string {
  const record = item as Record<string, unknown>;
  switch (item.type ?? 'message') {
    case 'message':
      return `[${String(record.role)}]: ${contentText(record.content as string | InputContent[])}`;
    case 'function_call':
      return `[assistant called ${String(record.name)} (call ${String(record.call_id)})]: ${String(record.arguments)}`;
    case 'custom_tool_call':
      return `[assistant called ${String(record.name)} (call ${String(record.call_id)})]: ${String(record.input)}`;
    case 'function_call_output':
    case 'custom_tool_call_output':
      return `[result of call ${String(record.call_id)}]: ${contentText(record.output as string | InputContent[])}`;
    case 'reasoning': {
      const summary = ((record.summary as Array<{ text: string }> | undefined) ?? []).map((p) => p.text);
      return summary.length > 0 ? `[assistant reasoning]: ${summary.join('\n')}` : '';
    }
    case 'compaction':
      return `[summary of the conversation before this point]: ${String(record.summary ?? '')}`;
    default:
      return `[${String(item.type)}]`;
  }
}

function contentText(content: string | readonly InputContent[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      switch (part.type) {
        case 'input_text':
        case 'output_text':
          return part.text;
        case 'refusal':
          return `(refused: ${part.refusal})`;
        case 'input_image':
          return '(image)';
        case 'input_file':
          return `(file${part.filename != null ? ` ${part.filename}` : ''})`;
        default:
          return '';
      }
    })
    .join(' ');
}
