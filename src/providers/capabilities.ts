/**
 * What a provider adapter can carry between the Responses API and its upstream. Each adapter
 * declares its own (`<name>/<name>-capabilities.ts`); the conformance suite picks its assertions by
 * them, and a `false` comes with the reason, so nothing is skipped silently.
 */
export interface ProviderCapabilities {
  /** `input_image` reaches the model. */
  images: Capability;
  /** `input_file` (file_data) reaches the model. */
  files: Capability;
  /**
   * An http(s) image URL goes to the upstream, which fetches it. Without it the gateway fetches
   * the URL itself (through its SSRF guard) and sends the bytes.
   */
  imageUrls: Capability;
  /** The same for `input_file` by `file_url`. */
  fileUrls: Capability;
  /** The upstream's reasoning comes out as reasoning items. */
  reasoning: Capability;
  /** Reasoning given back (stored or `encrypted_content`) is sent to the upstream on the next turn. */
  reasoningReplay: Capability;
  /** `message.output_text.logprobs`. */
  logprobs: Capability;
  /** `text.format: json_schema` is enforced upstream. */
  jsonSchema: Capability;
  /** The model chooses function calls on its own (`tool_choice: auto`), not only when forced. */
  toolCalls: Capability;
  /** Several function calls in one turn. */
  parallelToolCalls: Capability;
  /**
   * The upstream runs OpenAI's built-in tools itself (a native Responses upstream): web_search,
   * file_search, code_interpreter and image_generation entries can be passed through to it instead
   * of run by the gateway (see engine/upstream-tools.ts for when they are).
   */
  builtInTools: Capability;
}

/** `true`, or why not. */
export type Capability = true | { unsupported: string };

export function supports(capability: Capability): capability is true {
  return capability === true;
}
