/**
 * Normalized request → Gemini `generateContent` body: contents and tools from their converters,
 * plus `generationConfig` (limits, sampling, JSON output, thinking). Parameters Gemini has no
 * place for are dropped with a warning.
 */
import type { ModelRequest } from '../types.js';
import { convertToGeminiContents } from './convert-to-gemini-contents.js';
import type { GeminiGenerationConfig, GeminiRequest } from './gemini-api.js';
import { prepareGeminiTools } from './gemini-prepare-tools.js';
import type { GeminiMapOptions } from './map-gemini-response.js';

/**
 * `thinkingBudget` per `reasoning.effort`. `none` turns thinking off where the model allows it; the
 * largest budget is one every 2.5 model accepts.
 */
export const GEMINI_THINKING_BUDGETS: Readonly<Record<string, number>> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 24576,
  max: 24576,
};

export interface BuiltGeminiRequest {
  body: GeminiRequest;
  mapOptions: GeminiMapOptions;
  warnings: string[];
}

export function buildGeminiRequest(request: ModelRequest): BuiltGeminiRequest {
  const prompt = convertToGeminiContents(request.messages);
  const tools = prepareGeminiTools(request);
  const warnings = [...prompt.warnings, ...tools.warnings];
  const body: GeminiRequest = { contents: prompt.contents };
  if (prompt.systemInstruction) body.systemInstruction = prompt.systemInstruction;
  if (tools.tools) body.tools = tools.tools;
  if (tools.toolConfig) body.toolConfig = tools.toolConfig;

  const config: GeminiGenerationConfig = {};
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  const format = request.outputFormat;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    config.responseJsonSchema = format.schema;
  }
  const budget =
    request.reasoningEffort != null ? GEMINI_THINKING_BUDGETS[request.reasoningEffort] : undefined;
  if (budget !== undefined) {
    config.thinkingConfig =
      budget === 0 ? { thinkingBudget: 0 } : { includeThoughts: true, thinkingBudget: budget };
  } else if (request.reasoningSummary !== undefined) {
    config.thinkingConfig = { includeThoughts: true };
  }
  if (Object.keys(config).length > 0) body.generationConfig = config;
  if (request.logprobs !== undefined)
    warnings.push('Gemini logprobs are not supported by this gateway; none are included.');
  return { body, mapOptions: { customToolNames: tools.customToolNames }, warnings };
}
