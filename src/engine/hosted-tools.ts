/**
 * The built-in tools of one request: each `tools` entry whose type a registered tool serves is
 * checked and bound (before any upstream call), and offered to the model as a function under a
 * name no other tool of the request has.
 */
import type { Tool } from '../protocol/tools.js';
import type { FunctionToolSpec } from '../providers/types.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { BuiltInTool, PreparedTool } from '../tools/types.js';
import { uniqueName } from './client-tools/client-tool-set.js';
import { isClientShell } from './client-tools/shell.js';
import { type HostedReplay, replayAsRecorded } from './convert-input.js';

export interface HostedTool {
  readonly tool: BuiltInTool;
  readonly prepared: PreparedTool;
  /** The request's tool type (`file_search`, `web_search_preview`, …). */
  readonly type: string;
  /** The function the model sees. */
  readonly spec: FunctionToolSpec;
}

export class HostedToolSet {
  private readonly byName = new Map<string, HostedTool>();
  private readonly byIndex = new Map<number, HostedTool>();

  add(index: number, hosted: HostedTool): void {
    this.byName.set(hosted.spec.name, hosted);
    this.byIndex.set(index, hosted);
  }

  /** The tool the model calls by this (upstream) name. */
  named(name: string): HostedTool | undefined {
    return this.byName.get(name);
  }

  /** The tool bound from `tools[index]`. */
  at(index: number): HostedTool | undefined {
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
}

/** A request's built-in tools (none when it has no such entries) and how earlier turns' items replay. */
export interface HostedTools {
  tools: HostedToolSet | undefined;
  replay: HostedReplay;
}

export async function prepareHostedTools(
  tools: readonly Tool[] | null | undefined,
  registry: ToolRegistry,
  tenantId: string,
): Promise<HostedTools> {
  const set = await prepareSet(tools ?? [], registry, tenantId);
  return { tools: set, replay: hostedReplay(registry, set) };
}

async function prepareSet(
  tools: readonly Tool[],
  registry: ToolRegistry,
  tenantId: string,
): Promise<HostedToolSet | undefined> {
  // Most requests carry only function tools: nothing to bind, no names to collect.
  if (!tools.some((entry) => servedBy(registry, entry) !== undefined)) return undefined;
  const taken = new Set<string>();
  for (const tool of tools) {
    if (tool.type === 'function' || tool.type === 'custom') taken.add(tool.name);
    if (tool.type === 'namespace') for (const member of tool.tools) taken.add(member.name);
  }
  let set: HostedToolSet | undefined;
  for (const [index, entry] of tools.entries()) {
    const tool = servedBy(registry, entry);
    if (!tool) continue;
    const prepared = await tool.prepare(entry as Record<string, unknown>, {
      tenantId,
      param: `tools[${index}]`,
    });
    const name = uniqueName(prepared.spec.name, taken);
    taken.add(name);
    set ??= new HostedToolSet();
    set.add(index, { tool, prepared, type: entry.type, spec: { ...prepared.spec, name } });
  }
  return set;
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
    const name = tools?.ofType(tool.type)?.spec.name ?? item.type.replace(/_call$/, '');
    return { toolName: name, ...tool.replay(item) };
  };
}
