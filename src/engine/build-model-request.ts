/** A validated create body → the normalized ModelRequest a provider receives. */
import { invalidRequest } from '../errors.js';
import type { CreateResponseBody } from '../protocol/create-response.js';
import type { ContextItem } from '../protocol/input-items.js';
import type { ModelRequest, NativeItem, OutputFormat, ToolChoiceSpec, ToolSpec } from '../providers/types.js';
import { functionName } from '../tools/mcp/mcp-names.js';
import { ClientToolSet } from './client-tools/client-tool-set.js';
import { toModelMessages } from './convert-input.js';
import type { HostedToolSet, HostedTools } from './hosted-tools.js';
import { loadedTools } from './loaded-tools.js';
import { type MediaTable, NO_MEDIA } from './media/resolve-media.js';
import { NO_UPSTREAM_TOOLS, passesThrough, type UpstreamTools } from './upstream-tools.js';

export interface ToolPolicy {
  webSearchWhenUnavailable: 'drop' | 'error';
  /** Wall-clock limit of one built-in call. */
  callTimeoutMs?: number;
}

export interface BuiltRequest {
  request: ModelRequest;
  /** Things dropped or adjusted, for the log. */
  warnings: string[];
  /**
   * Tools of `namespace` tools, which the upstream sees flattened: upstream tool name → the
   * namespace and name a call to it is reported with.
   */
  namespacedTools: ReadonlyMap<string, NamespacedTool>;
  /** The request's client tools with items of their own (apply_patch, shell, computer, …). */
  clientTools: ClientToolSet | undefined;
}

const NO_NAMESPACED_TOOLS: ReadonlyMap<string, NamespacedTool> = new Map();

export interface NamespacedTool {
  namespace: string;
  name: string;
}

const WEB_SEARCH = /^web_search/;

/** What the operator sets to make a built-in tool available, told in its 400. */
const SETUP_HINTS: Record<string, string> = {
  image_generation: ' (the operator sets RGW_IMAGES_BASE_URL to an images service)',
};

/**
 * @param input the full model-facing input: earlier turns, then this request's items.
 * @param media its images and files, resolved (media/resolve-media.ts).
 */
export function buildModelRequest(
  body: CreateResponseBody,
  input: readonly ContextItem[],
  modelId: string,
  policy: ToolPolicy,
  hosted?: HostedTools,
  media: MediaTable = NO_MEDIA,
): BuiltRequest {
  const warnings: string[] = [];
  const bodyTools = body.tools ?? [];
  // Most requests have no namespace tools: no maps to build for them.
  const namespacedTools = bodyTools.some((tool) => tool.type === 'namespace')
    ? new Map<string, NamespacedTool>()
    : undefined;
  const clientTools = bodyTools.some((tool) => CLIENT_TYPES.has(tool.type))
    ? ClientToolSet.bind(bodyTools, declaredNames(bodyTools))
    : undefined;
  const nativeTools: NativeItem[] = [];
  const upstream = hosted?.upstream ?? NO_UPSTREAM_TOOLS;
  const tools = toToolSpecs(bodyTools, {
    policy,
    warnings,
    namespacedTools,
    hosted: hosted?.tools,
    upstream,
    clientTools,
    nativeTools,
  });
  // Tools a client's tool search loaded in earlier turns stay callable.
  tools.push(...loadedTools(input, tools));
  const upstreamNames = namespacedTools
    ? new Map([...namespacedTools].map(([upstream, t]) => [`${t.namespace}.${t.name}`, upstream]))
    : undefined;
  const include = body.include ?? [];
  const request: ModelRequest = {
    modelId,
    messages: toModelMessages(body.instructions, input, {
      toolName: (name, namespace) =>
        namespace === undefined ? name : (upstreamNames?.get(`${namespace}.${name}`) ?? name),
      hosted: hosted?.replay,
      client: clientTools,
      media,
    }),
    tools,
    ...(nativeTools.length > 0 ? { nativeTools } : {}),
    ...nativeChoice(body.tool_choice, upstream),
    toolChoice: toToolChoiceSpec(body.tool_choice, tools, {
      hosted: hosted?.tools,
      bodyTools,
      clientTools,
      upstream,
    }),
    parallelToolCalls: body.parallel_tool_calls ?? undefined,
    outputFormat: toOutputFormat(body.text?.format),
    reasoningEffort: body.reasoning?.effort ?? undefined,
    reasoningSummary: body.reasoning?.summary ?? body.reasoning?.generate_summary ?? undefined,
    verbosity: body.text?.verbosity ?? undefined,
    maxOutputTokens: body.max_output_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    logprobs: include.includes('message.output_text.logprobs') ? (body.top_logprobs ?? 0) : undefined,
    metadata: body.metadata ?? undefined,
    user: body.safety_identifier ?? body.user ?? undefined,
    serviceTier: body.service_tier ?? undefined,
    promptCacheKey: body.prompt_cache_key ?? undefined,
  };
  if (upstream.size > 0) {
    // What the client asked to see of the calls the upstream runs, it must be asked for too.
    const about = include.filter((entry) => {
      const call = entry.indexOf('_call.');
      return call > 0 && passesThrough(upstream, entry.slice(0, call));
    });
    if (about.length > 0) request.upstreamInclude = about;
  }
  return { request, warnings, namespacedTools: namespacedTools ?? NO_NAMESPACED_TOOLS, clientTools };
}

type NamespaceMember = Extract<
  NonNullable<CreateResponseBody['tools']>[number],
  { type: 'namespace' }
>['tools'][number];

/**
 * The function and custom tools inside a `namespace` tool, flattened for the upstream: a tool keeps
 * its own name (what the namespace's descriptions call it) unless another tool has that name too,
 * then it becomes `<namespace>__<name>`. Calls are reported back with `namespace` and the inner name.
 */
function flattenNamespaces(
  tools: NonNullable<CreateResponseBody['tools']>,
  namespaced: Map<string, NamespacedTool>,
): Map<object, string> {
  const count = new Map<string, number>();
  const members: Array<{ tool: object; namespace: string; name: string }> = [];
  for (const tool of tools) {
    if (tool.type === 'function' || tool.type === 'custom')
      count.set(tool.name, (count.get(tool.name) ?? 0) + 1);
    if (tool.type !== 'namespace') continue;
    for (const member of tool.tools) {
      members.push({ tool: member, namespace: tool.name, name: member.name });
      count.set(member.name, (count.get(member.name) ?? 0) + 1);
    }
  }
  const upstreamNames = new Map<object, string>();
  for (const { tool, namespace, name } of members) {
    const upstream = count.get(name) === 1 ? name : `${namespace}__${name}`;
    upstreamNames.set(tool, upstream);
    namespaced.set(upstream, { namespace, name });
  }
  return upstreamNames;
}

/** Tool types with call items of their own that the client runs (some entries are hosted, see client-tools.ts). */
const CLIENT_TYPES = new Set([
  'apply_patch',
  'shell',
  'local_shell',
  'computer',
  'computer_use_preview',
  'tool_search',
]);

/** Names of the client's own functions and custom tools, which other tools' names step aside for. */
function declaredNames(tools: NonNullable<CreateResponseBody['tools']>): Set<string> {
  const taken = new Set<string>();
  for (const tool of tools) {
    if (tool.type === 'function' || tool.type === 'custom') taken.add(tool.name);
    if (tool.type === 'namespace') for (const member of tool.tools) taken.add(member.name);
  }
  return taken;
}

interface SpecContext {
  policy: ToolPolicy;
  warnings: string[];
  namespacedTools: Map<string, NamespacedTool> | undefined;
  hosted: HostedToolSet | undefined;
  upstream: UpstreamTools;
  clientTools: ClientToolSet | undefined;
  /**
   * Collects the entries only a native Responses upstream takes (tool_search and the built-in
   * tools it runs), as the client wrote them.
   */
  nativeTools: NativeItem[];
}

function toToolSpecs(tools: NonNullable<CreateResponseBody['tools']>, context: SpecContext): ToolSpec[] {
  const {
    policy,
    warnings,
    namespacedTools: namespaced,
    hosted,
    upstream,
    clientTools,
    nativeTools,
  } = context;
  const specs: ToolSpec[] = [];
  if (tools.length === 0) return specs;
  const upstreamNames = namespaced ? flattenNamespaces(tools, namespaced) : undefined;
  const pushMember = (member: NamespaceMember) => {
    const name = upstreamNames?.get(member) ?? member.name;
    const description = typeof member.description === 'string' ? { description: member.description } : {};
    specs.push(
      member.type === 'function'
        ? {
            kind: 'function',
            name,
            ...description,
            parameters: (member.parameters as Record<string, unknown> | null | undefined) ?? null,
            strict: typeof member.strict === 'boolean' ? member.strict : null,
          }
        : {
            kind: 'custom',
            name,
            ...description,
            ...(member.format != null ? { format: member.format } : {}),
          },
    );
  };
  tools.forEach((tool, index) => {
    if (tool.type === 'namespace') {
      for (const member of tool.tools) pushMember(member);
      return;
    }
    if (tool.type === 'function') {
      specs.push({
        kind: 'function',
        name: tool.name,
        ...(tool.description != null ? { description: tool.description } : {}),
        parameters: (tool.parameters as Record<string, unknown> | null | undefined) ?? null,
        strict: tool.strict ?? null,
        ...(tool.defer_loading === true ? { deferLoading: true as const } : {}),
      });
      return;
    }
    if (tool.type === 'custom') {
      specs.push({
        kind: 'custom',
        name: tool.name,
        ...(tool.description != null ? { description: tool.description } : {}),
        ...(tool.format != null ? { format: tool.format } : {}),
      });
      return;
    }
    // A bound tool may offer no function at all (an MCP server that could not be listed).
    const builtIn = hosted?.at(index);
    if (builtIn) {
      for (const offered of builtIn) specs.push(offered.spec);
      return;
    }
    if (passesThrough(upstream, tool.type)) {
      nativeTools.push({ ...tool });
      return;
    }
    const client = clientTools?.at(index);
    if (client) {
      specs.push(client.spec);
      return;
    }
    if (tool.type === 'tool_search') {
      // Run by the upstream: a native Responses one searches the deferred functions itself;
      // others get those functions declared outright and need no search.
      nativeTools.push(tool);
      return;
    }
    if (WEB_SEARCH.test(tool.type) && policy.webSearchWhenUnavailable === 'drop') {
      warnings.push(
        `tools[${index}]: '${tool.type}' has no backend on this gateway and was left out of the request.`,
      );
      return;
    }
    throw invalidRequest(
      `The built-in tool '${tool.type}' is not available on this gateway: no backend is configured for it${SETUP_HINTS[tool.type] ?? ''}.`,
      `tools[${index}].type`,
      'unsupported_tool',
    );
  });
  return specs;
}

/** `tool_choice` types that name the computer tool (`computer_use` is the GA tool's choice). */
const COMPUTER_CHOICES = new Set(['computer', 'computer_use', 'computer_use_preview']);

/** The client tool a `{type}` selector names. */
function clientOfType(clientTools: ClientToolSet | undefined, type: string) {
  if (!COMPUTER_CHOICES.has(type)) return clientTools?.ofType(type);
  return clientTools?.ofType('computer') ?? clientTools?.ofType('computer_use_preview');
}

function toToolChoiceSpec(
  choice: CreateResponseBody['tool_choice'],
  tools: readonly ToolSpec[],
  how: {
    hosted: HostedToolSet | undefined;
    bodyTools: NonNullable<CreateResponseBody['tools']>;
    clientTools: ClientToolSet | undefined;
    upstream: UpstreamTools;
  },
): ToolChoiceSpec | undefined {
  const { hosted, bodyTools, clientTools, upstream } = how;
  if (choice == null) return undefined;
  if (typeof choice === 'string') return { type: choice };
  switch (choice.type) {
    case 'function':
    case 'custom': {
      const name = (choice as { name: string }).name;
      if (!tools.some((tool) => tool.name === name && tool.kind === choice.type)) {
        throw invalidRequest(
          `Tool choice '${choice.type}' named '${name}' not found in 'tools' parameter.`,
          'tool_choice',
          'invalid_value',
        );
      }
      return { type: 'tool', name };
    }
    case 'allowed_tools': {
      const allowed = choice as { mode: 'auto' | 'required'; tools: Array<{ type: string; name?: string }> };
      const names = allowed.tools.flatMap((tool) => {
        if (tool.name !== undefined) return [tool.name];
        const named = hosted?.ofType(tool.type) ?? clientOfType(clientTools, tool.type);
        return named ? [named.spec.name] : [];
      });
      const native = allowed.tools.filter((tool) => passesThrough(upstream, tool.type));
      return {
        type: 'allowed',
        mode: allowed.mode,
        names,
        ...(native.length > 0 ? { native: native.map((tool) => ({ ...tool })) } : {}),
      };
    }
    case 'mcp': {
      // One server's functions (or the one named), as they were offered.
      const { server_label: label, name } = choice as { server_label: string; name?: string | null };
      const offered = bodyTools.flatMap((tool, index) =>
        tool.type === 'mcp' && tool.server_label === label ? (hosted?.at(index) ?? []) : [],
      );
      const names = offered
        .filter((one) => name == null || one.function === functionName(label, name))
        .map((one) => one.spec.name);
      if (names.length === 0) {
        throw invalidRequest(
          `Tool choice 'mcp' names ${name == null ? '' : `tool '${name}' of `}server '${label}', which offers no such tool in this request.`,
          'tool_choice',
          'invalid_value',
        );
      }
      return names.length === 1
        ? { type: 'tool', name: names[0]! }
        : { type: 'allowed', mode: 'required', names };
    }
    default: {
      const named = hosted?.ofType(choice.type) ?? clientOfType(clientTools, choice.type);
      if (named) return { type: 'tool', name: named.spec.name };
      // The upstream runs it: `nativeToolChoice` carries the choice to it.
      if (passesThrough(upstream, choice.type)) return { type: 'required' };
      throw invalidRequest(
        `Tool choice '${choice.type}' names a built-in tool that is not available on this gateway.`,
        'tool_choice',
        'unsupported_tool',
      );
    }
  }
}

/** A `tool_choice` naming a tool the upstream runs, for it as written. */
function nativeChoice(
  choice: CreateResponseBody['tool_choice'],
  upstream: UpstreamTools,
): { nativeToolChoice?: NativeItem } {
  if (choice == null || typeof choice === 'string' || !passesThrough(upstream, choice.type)) return {};
  return { nativeToolChoice: { ...choice } };
}

function toOutputFormat(
  format: NonNullable<CreateResponseBody['text']>['format'] | undefined,
): OutputFormat | undefined {
  if (format == null || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    name: format.name,
    schema: format.schema as Record<string, unknown>,
    ...(format.description != null ? { description: format.description } : {}),
    strict: format.strict ?? null,
  };
}
