/**
 * The built-in tools of one request: each `tools` entry whose type a registered tool serves is
 * checked and bound (before any upstream call), and offered to the model as functions under names
 * no other tool of the request has. Most tools offer one function from the start; a tool that
 * learns its functions from a server (MCP) offers them once `openHostedTools` ran its `begin`.
 */
import type { Tool } from '../protocol/tools.js';
import type { FunctionToolSpec } from '../providers/types.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { BuiltInTool, FinishedItem, OpeningContext, PreparedTool } from '../tools/types.js';
import { uniqueName } from './client-tools/client-tool-set.js';
import { isClientShell } from './client-tools/shell.js';
import { type HostedReplay, replayAsRecorded } from './convert-input.js';
import { passesThrough, type RouteBuiltIns, type UpstreamTools, upstreamTools } from './upstream-tools.js';

export interface HostedTool {
  readonly tool: BuiltInTool;
  readonly prepared: PreparedTool;
  /** The request's tool type (`file_search`, `web_search_preview`, …). */
  readonly type: string;
  /** The function the model sees. */
  readonly spec: FunctionToolSpec;
  /** The function's name as the tool gave it (before the request made it unique). */
  readonly function: string;
}

export class HostedToolSet {
  private readonly byName = new Map<string, HostedTool>();
  private readonly byIndex = new Map<number, HostedTool[]>();
  /** Entries bound, by `tools` index, and the names given so far (clients' own functions too). */
  readonly entries = new Map<number, { tool: BuiltInTool; prepared: PreparedTool; type: string }>();
  readonly taken = new Set<string>();

  bind(index: number, entry: { tool: BuiltInTool; prepared: PreparedTool; type: string }): void {
    this.entries.set(index, entry);
    this.byIndex.set(index, []);
    if (entry.prepared.spec) this.offer(index, entry.prepared.spec);
  }

  /** Offers one more function of `tools[index]` to the model, renamed if its name is taken. */
  offer(index: number, spec: FunctionToolSpec): void {
    const entry = this.entries.get(index);
    if (!entry) return;
    const name = uniqueName(spec.name, this.taken);
    this.taken.add(name);
    const hosted: HostedTool = { ...entry, spec: { ...spec, name }, function: spec.name };
    this.byName.set(name, hosted);
    this.byIndex.get(index)?.push(hosted);
  }

  /** Replaces the function `tools[index]` bound from its `spec`, keeping the name it was given. */
  respec(index: number, spec: FunctionToolSpec): void {
    const offered = this.byIndex.get(index);
    const at = offered?.findIndex((hosted) => hosted.function === spec.name) ?? -1;
    if (!offered || at < 0) return;
    const old = offered[at]!;
    const hosted: HostedTool = { ...old, spec: { ...spec, name: old.spec.name } };
    offered[at] = hosted;
    this.byName.set(old.spec.name, hosted);
  }

  /** The tool the model calls by this (upstream) name. */
  named(name: string): HostedTool | undefined {
    return this.byName.get(name);
  }

  /** The functions bound from `tools[index]` (none yet, or none at all for a server that failed). */
  at(index: number): readonly HostedTool[] | undefined {
    return this.byIndex.get(index);
  }

  /** The first tool of a request type, for `tool_choice: {type}`. */
  ofType(type: string): HostedTool | undefined {
    for (const hosted of this.byName.values()) if (hosted.type === type) return hosted;
    return undefined;
  }

  get names(): ReadonlySet<string> {
    return new Set(this.byName.keys());
  }

  get size(): number {
    return this.byName.size;
  }

  /** Ends what the tools opened for this response; a tool that fails to close is not the response's. */
  async close(): Promise<void> {
    const closing = [...this.entries.values()].map((entry) => entry.prepared.close?.());
    await Promise.allSettled(closing);
  }
}

/** A request's built-in tools (none when it has no such entries) and how earlier turns' items replay. */
export interface HostedTools {
  tools: HostedToolSet | undefined;
  replay: HostedReplay;
  /** The built-in tools the upstream runs: their entries go to it as written. */
  upstream: UpstreamTools;
}

const NO_BUILT_INS: RouteBuiltIns = { runs: false, modes: {} };

/** @param route who may run built-in tools on the request's route: what its upstream runs is left to it. */
export async function prepareHostedTools(
  tools: readonly Tool[] | null | undefined,
  registry: ToolRegistry,
  tenantId: string,
  route: RouteBuiltIns = NO_BUILT_INS,
): Promise<HostedTools> {
  const upstream = upstreamTools(route, (type) => registry.get(type) !== undefined);
  const served = (entry: Tool) =>
    passesThrough(upstream, entry.type) ? undefined : servedBy(registry, entry);
  const set = await prepareSet(tools ?? [], served, tenantId);
  return { tools: set, replay: hostedReplay(registry, set), upstream };
}

async function prepareSet(
  tools: readonly Tool[],
  served: (entry: Tool) => BuiltInTool | undefined,
  tenantId: string,
): Promise<HostedToolSet | undefined> {
  // Most requests carry only function tools: nothing to bind, no names to collect.
  if (!tools.some((entry) => served(entry) !== undefined)) return undefined;
  const set = new HostedToolSet();
  for (const tool of tools) {
    if (tool.type === 'function' || tool.type === 'custom') set.taken.add(tool.name);
    if (tool.type === 'namespace') for (const member of tool.tools) set.taken.add(member.name);
  }
  for (const [index, entry] of tools.entries()) {
    const tool = served(entry);
    if (!tool) continue;
    const prepared = await tool.prepare(entry as Record<string, unknown>, {
      tenantId,
      param: `tools[${index}]`,
    });
    set.bind(index, { tool, prepared, type: entry.type });
  }
  return set;
}

/**
 * Runs each tool's `begin` (MCP lists its server's tools, or reuses an earlier listing, and runs
 * approved calls), all at once: their functions join the set, their items lead the output.
 */
export async function openHostedTools(
  set: HostedToolSet | undefined,
  how: OpeningContext,
): Promise<FinishedItem[]> {
  if (!set) return [];
  const beginning = [...set.entries].filter(([, entry]) => entry.prepared.begin !== undefined);
  if (beginning.length === 0) return [];
  // One tool's refusal (a 400) fails the request: the sessions the others opened end with it.
  const openings = await Promise.all(beginning.map(([, entry]) => entry.prepared.begin!(how))).catch(
    async (error: unknown) => {
      await set.close();
      throw error;
    },
  );
  const items: FinishedItem[] = [];
  openings.forEach((opening, i) => {
    const index = beginning[i]![0];
    if (opening.spec) set.respec(index, opening.spec);
    for (const spec of opening.functions) set.offer(index, spec);
    items.push(...opening.items);
  });
  return items;
}

/** The built-in tool that runs this entry; a shell without a container is the client's to run. */
function servedBy(registry: ToolRegistry, entry: Tool): BuiltInTool | undefined {
  if (entry.type === 'shell' && isClientShell(entry)) return undefined;
  return registry.get(entry.type);
}

/** Replays built-in items of earlier turns by their tool when this gateway has it. */
function hostedReplay(registry: ToolRegistry, tools: HostedToolSet | undefined): HostedReplay {
  return (item) => {
    const tool = registry.forItem(item.type);
    if (!tool) return replayAsRecorded(item);
    const replayed = tool.replay(item);
    if (!replayed) return undefined;
    const name = replayed.toolName ?? tools?.ofType(tool.type)?.spec.name ?? item.type.replace(/_call$/, '');
    return { toolName: name, arguments: replayed.arguments, output: replayed.output };
  };
}
