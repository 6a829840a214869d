/**
 * Normalized messages → node-llama-cpp chat history. Tool results join the call they answer (the
 * history keeps a call and its result together); what a text-only model cannot take (images,
 * files) is named in the text and reported as a warning.
 */
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp';
import { wrapCustomInput } from '../shared/custom-tool.js';
import type { AssistantPart, ModelMessage, ToolSpec, UserPart } from '../types.js';

export interface LocalHistory {
  history: ChatHistoryItem[];
  warnings: string[];
}

export function toLocalHistory(messages: readonly ModelMessage[], tools: readonly ToolSpec[]): LocalHistory {
  const history: ChatHistoryItem[] = [];
  const warnings = new Set<string>();
  const calls = new Map<string, ChatModelFunctionCall>();
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        history.push({ type: 'system', text: message.content });
        break;
      case 'user':
        history.push({ type: 'user', text: partsText(message.content, warnings) });
        break;
      case 'assistant':
        history.push({ type: 'model', response: modelResponse(message.content, tools, calls) });
        break;
      case 'tool': {
        const result =
          typeof message.output === 'string' ? message.output : partsText(message.output, warnings);
        const call = calls.get(message.callId);
        if (call) call.result = result;
        else history.push({ type: 'user', text: `Result of tool call ${message.callId}:\n${result}` });
        break;
      }
    }
  }
  return { history, warnings: [...warnings] };
}

function modelResponse(
  parts: readonly AssistantPart[],
  tools: readonly ToolSpec[],
  calls: Map<string, ChatModelFunctionCall>,
): ChatModelResponse['response'] {
  const response: ChatModelResponse['response'] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        response.push(part.text);
        break;
      case 'refusal':
        response.push(part.refusal);
        break;
      case 'reasoning': {
        const text = part.text !== '' ? part.text : part.summary.join('\n\n');
        if (text !== '') response.push({ type: 'segment', segmentType: 'thought', text, ended: true });
        break;
      }
      case 'tool-call': {
        // Custom tools are offered to the model as functions taking `{input}` (see local-prepare-tools).
        const custom =
          part.toolKind === 'custom' || tools.find((t) => t.name === part.toolName)?.kind === 'custom';
        const call: ChatModelFunctionCall = {
          type: 'functionCall',
          name: part.toolName,
          params: custom ? wrapCustomInput(part.input) : parseArguments(part.input),
          result: '',
        };
        calls.set(part.callId, call);
        response.push(call);
        break;
      }
    }
  }
  return response;
}

function parseArguments(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function partsText(parts: readonly UserPart[], warnings: Set<string>): string {
  return parts
    .map((part) => {
      if (part.type === 'text') return part.text;
      warnings.add(`the local model reads text only: ${part.type} input was replaced by a placeholder`);
      return part.type === 'image'
        ? '[image]'
        : `[file${part.filename !== undefined ? `: ${part.filename}` : ''}]`;
    })
    .join('\n');
}
