/**
 * Normalized prompt → Gemini `systemInstruction` + `contents`.
 *
 * - Leading system/developer messages become `systemInstruction`; later ones stay in place as user
 *   text, since `contents` only knows the roles user and model.
 * - Tool results become `functionResponse` parts of a user turn, named after the call they answer
 *   (Gemini matches responses by name); consecutive results share one turn.
 * - Thought summaries are not sent back (Gemini never takes thoughts as input); their signature is:
 *   a reasoning part's `encryptedContent` is the `thoughtSignature` of the part that followed it,
 *   and a tool call's own `signature` wins over it.
 */
import { invalidRequest } from '../../errors.js';
import { wrapCustomInput } from '../shared/custom-tool.js';
import { mediaTypeFromName } from '../shared/data-url.js';
import type { AssistantPart, MediaSource, ModelMessage, UserPart } from '../types.js';
import type { GeminiContent, GeminiPart } from './gemini-api.js';

export interface GeminiPrompt {
  systemInstruction: { parts: Array<{ text: string }> } | undefined;
  contents: GeminiContent[];
  warnings: string[];
}

export function convertToGeminiContents(messages: readonly ModelMessage[]): GeminiPrompt {
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const warnings: string[] = [];
  /** Function names by call id, for the responses. */
  const callNames = new Map<string, string>();
  for (const [index, message] of messages.entries()) {
    switch (message.role) {
      case 'system':
      case 'developer':
        if (message.content === '') break;
        if (contents.length === 0) system.push({ text: message.content });
        else append(contents, 'user', [{ text: message.content }]);
        break;
      case 'user':
        append(contents, 'user', toUserParts(message.content, 'input'));
        break;
      case 'assistant':
        append(contents, 'model', toModelParts(message.content, callNames, warnings));
        break;
      case 'tool': {
        const name = callNames.get(message.callId);
        if (name === undefined) {
          throw invalidRequest(
            `No tool call found for function call output with call_id ${message.callId}.`,
            'input',
            'invalid_value',
          );
        }
        append(contents, 'user', toFunctionResponse(name, message.output, index));
        break;
      }
    }
  }
  return { systemInstruction: system.length > 0 ? { parts: system } : undefined, contents, warnings };
}

function append(contents: GeminiContent[], role: 'user' | 'model', parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function toModelParts(
  parts: readonly AssistantPart[],
  callNames: Map<string, string>,
  warnings: string[],
): GeminiPart[] {
  const out: GeminiPart[] = [];
  let signature: string | undefined;
  const signed = (part: GeminiPart, own?: string): GeminiPart => {
    const token = own ?? signature;
    signature = undefined;
    return token !== undefined && token !== '' ? { ...part, thoughtSignature: token } : part;
  };
  for (const part of parts) {
    switch (part.type) {
      case 'reasoning':
        if (part.encryptedContent != null && part.encryptedContent !== '') signature = part.encryptedContent;
        break;
      case 'text':
        if (part.text !== '') out.push(signed({ text: part.text }));
        break;
      case 'refusal':
        if (part.refusal !== '') out.push(signed({ text: part.refusal }));
        break;
      case 'tool-call':
        callNames.set(part.callId, part.toolName);
        out.push(
          signed(
            {
              functionCall: {
                name: part.toolName,
                args: part.toolKind === 'custom' ? wrapCustomInput(part.input) : parseArgs(part, warnings),
              },
            },
            part.signature,
          ),
        );
        break;
    }
  }
  return out;
}

function parseArgs(
  part: Extract<AssistantPart, { type: 'tool-call' }>,
  warnings: string[],
): Record<string, unknown> {
  if (part.input.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(part.input);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  warnings.push(
    `function_call '${part.callId}': arguments are not a JSON object; sent to Gemini as {"arguments": "..."}.`,
  );
  return { arguments: part.input };
}

/**
 * A tool result: its text is the function's `output`; images and files in it follow as parts of
 * the same user turn, where every Gemini model can see them.
 */
function toFunctionResponse(name: string, output: string | UserPart[], index: number): GeminiPart[] {
  if (typeof output === 'string') return [{ functionResponse: { name, response: { output } } }];
  const text = output
    .filter((part): part is Extract<UserPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
  const media = toUserParts(
    output.filter((part) => part.type !== 'text'),
    `input[${index}].output`,
  );
  return [{ functionResponse: { name, response: { output: text } } }, ...media];
}

function toUserParts(parts: readonly UserPart[], param: string): GeminiPart[] {
  const out: GeminiPart[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') out.push({ text: part.text });
        break;
      case 'image':
        out.push(toMediaPart(part.source, 'image/jpeg', param));
        break;
      case 'file':
        out.push(toMediaPart(part.source, mediaTypeFromName(part.filename, 'application/pdf'), param));
        break;
    }
  }
  return out;
}

/**
 * Inline bytes, or `fileData` for a URI Gemini reads itself. The engine fetches every other URL
 * for this adapter (imageUrls and fileUrls are unsupported), so one only arrives here directly.
 */
function toMediaPart(source: MediaSource, fallbackType: string, param: string): GeminiPart {
  if (source.kind === 'data') return { inlineData: { mimeType: source.mediaType, data: source.base64 } };
  if (!geminiReadsUri(source.url)) {
    throw invalidRequest(
      `A Gemini upstream cannot fetch '${source.url}': it reads only its Files API and YouTube URIs.`,
      param,
      'unsupported_parameter',
    );
  }
  return { fileData: { mimeType: mediaTypeFromName(source.url, fallbackType), fileUri: source.url } };
}

const YOUTUBE_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com', 'youtu.be']);

/** Files API URIs (`…/v1beta/files/abc`) and YouTube videos: what `fileData.fileUri` takes. */
export function geminiReadsUri(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:') return false;
  if (YOUTUBE_HOSTS.has(url.hostname)) return true;
  return url.hostname === 'generativelanguage.googleapis.com' && /\/files\/[^/]+$/.test(url.pathname);
}
