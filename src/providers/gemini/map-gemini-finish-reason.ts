/** Gemini `finishReason` (and `promptFeedback.blockReason`) → normalized finish reason. */
import type { FinishReason } from '../types.js';

export function mapGeminiFinishReason(
  reason: string | null | undefined,
  hasToolCalls: boolean,
): FinishReason {
  switch (reason) {
    case 'STOP':
      // Gemini says STOP after function calls too.
      return hasToolCalls ? 'tool-calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content-filter';
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
      return 'error';
    default:
      // LANGUAGE, OTHER, FINISH_REASON_UNSPECIFIED and anything newer.
      return 'other';
  }
}
