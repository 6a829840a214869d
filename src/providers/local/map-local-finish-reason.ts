/** Why node-llama-cpp stopped generating → normalized finish reason. */
import type { FinishReason } from '../types.js';

export type LocalStopReason =
  | 'eogToken'
  | 'stopGenerationTrigger'
  | 'customStopTrigger'
  | 'functionCalls'
  | 'maxTokens'
  | 'abort';

export function mapLocalFinishReason(stopReason: LocalStopReason, madeToolCalls: boolean): FinishReason {
  switch (stopReason) {
    case 'maxTokens':
      return 'length';
    case 'abort':
      return 'other';
    default:
      return madeToolCalls || stopReason === 'functionCalls' ? 'tool-calls' : 'stop';
  }
}
