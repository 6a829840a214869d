/**
 * The client tools of one request: each `tools` entry of such a type, under the function name the
 * upstream knows it by (its default, unless a function of the client's already has that name).
 */
import type { FunctionToolSpec } from '../../providers/types.js';
import type { ClientTool, Entry } from './client-tool.js';
import { clientToolFor } from './client-tools.js';

export interface ClientToolBinding {
  readonly tool: ClientTool;
  readonly entry: Entry;
  /** The function an upstream without the tool sees; `native` is the entry itself. */
  readonly spec: FunctionToolSpec;
}

export class ClientToolSet {
  private readonly byName = new Map<string, ClientToolBinding>();
  private readonly byIndex = new Map<number, ClientToolBinding>();

  /** @param taken names of the request's own functions and custom tools */
  static bind(tools: readonly Entry[], taken: Set<string>): ClientToolSet | undefined {
    let set: ClientToolSet | undefined;
    for (const [index, entry] of tools.entries()) {
      const tool = clientToolFor(entry);
      if (!tool) continue;
      const declared = tool.declare(entry);
      const name = uniqueName(declared.name, taken);
      taken.add(name);
      set ??= new ClientToolSet();
      const binding: ClientToolBinding = {
        tool,
        entry,
        spec: { kind: 'function', ...declared, name, strict: null, native: entry },
      };
      set.byName.set(name, binding);
      set.byIndex.set(index, binding);
    }
    return set;
  }

  /** The tool the model calls by this (upstream) name. */
  named(name: string): ClientToolBinding | undefined {
    return this.byName.get(name);
  }

  /** The tool bound from `tools[index]`. */
  at(index: number): ClientToolBinding | undefined {
    return this.byIndex.get(index);
  }

  /** The first tool of a request type (`tool_choice: {type: "apply_patch"}`). */
  ofType(type: string): ClientToolBinding | undefined {
    for (const binding of this.byName.values()) if (binding.tool.toolType === type) return binding;
    return undefined;
  }

  /** The name calls of this tool had in the model's view (for replaying earlier calls). */
  nameOf(tool: ClientTool): string {
    return this.ofType(tool.toolType)?.spec.name ?? tool.declare({ type: tool.toolType }).name;
  }
}

/** A client's own function may already have the name: the other tool steps aside. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) if (!taken.has(`${name}_${n}`)) return `${name}_${n}`;
}
