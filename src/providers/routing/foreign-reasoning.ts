/**
 * Reasoning tokens (Anthropic signatures, Gemini thought signatures, OpenAI encrypted content) are
 * verifiable only by the provider that issued them; sent to another one they fail the call (400).
 * A target of another provider gets the reasoning text without the token.
 */
import type { AssistantPart, ModelRequest } from '../types.js';

export function withoutForeignReasoning(
  request: ModelRequest,
  provider: string,
): { request: ModelRequest; dropped: number } {
  let dropped = 0;
  const isForeign = (part: AssistantPart) =>
    part.type === 'reasoning' &&
    part.encryptedContent !== undefined &&
    part.issuer !== undefined &&
    part.issuer !== provider;
  if (!request.messages.some((m) => m.role === 'assistant' && m.content.some(isForeign))) {
    return { request, dropped };
  }
  const messages = request.messages.map((message) => {
    if (message.role !== 'assistant' || !message.content.some(isForeign)) return message;
    return {
      ...message,
      content: message.content.map((part) => {
        if (!isForeign(part) || part.type !== 'reasoning') return part;
        dropped++;
        const { encryptedContent: _token, issuer: _issuer, ...rest } = part;
        return rest;
      }),
    };
  });
  return { request: { ...request, messages }, dropped };
}
