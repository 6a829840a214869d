/**
 * Wire shapes of the Gemini API (`POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse`). Only what the gateway sends or reads.
 */

export interface GeminiFunctionCall {
  /** Present on some models and the Live API; the gateway makes its own call ids otherwise. */
  id?: string;
  name: string;
  args?: Record<string, unknown> | null;
}

export interface GeminiFunctionResponse {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

export interface GeminiPart {
  text?: string;
  /** The part is a thought summary (only with `thinkingConfig.includeThoughts`). */
  thought?: boolean;
  /** Opaque token of the model's reasoning; must be sent back on the same part. */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
}

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parametersJsonSchema?: Record<string, unknown>;
}

export interface GeminiToolConfig {
  functionCallingConfig: {
    mode: 'AUTO' | 'ANY' | 'NONE';
    allowedFunctionNames?: string[];
  };
}

export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  responseMimeType?: string;
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: { includeThoughts?: boolean; thinkingBudget?: number };
}

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: GeminiFunctionDeclaration[] }>;
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
}

// ---------------------------------------------------------------- responses

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] } | null;
  finishReason?: string | null;
  finishMessage?: string;
  index?: number;
}

export interface GeminiErrorBody {
  error: { code?: number; message?: string; status?: string; details?: unknown[] };
}

/** One whole response, or one streamed chunk of it (the same shape). */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string } | null;
  usageMetadata?: GeminiUsageMetadata | null;
  modelVersion?: string;
  responseId?: string;
  error?: GeminiErrorBody['error'];
}
