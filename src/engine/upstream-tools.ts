/**
 * Which built-in tools of a request the upstream runs instead of the gateway. Only a route whose
 * every target is a native Responses upstream can run them; there the provider's `builtInTools`
 * setting decides per tool, and where it says nothing the gateway runs what it has set up (its
 * vector stores, sandbox, search backend, images service) and passes the rest through — so a
 * request works with no set-up on either side.
 */
import type { UpstreamBuiltIns } from '../providers/registry.js';
import { BUILT_IN_TOOL_FAMILIES, type BuiltInToolFamily } from '../providers/types.js';

/** What the registry says of a route (ResolvedModel.builtIns). */
export type RouteBuiltIns = UpstreamBuiltIns;

export type UpstreamTools = ReadonlySet<BuiltInToolFamily>;

export const NO_UPSTREAM_TOOLS: UpstreamTools = new Set();

/** The tool a request's tool type belongs to (`web_search_preview_2025_03_11` → web_search). */
export function builtInFamily(type: string): BuiltInToolFamily | undefined {
  if (type.startsWith('web_search')) return 'web_search';
  return (BUILT_IN_TOOL_FAMILIES as readonly string[]).includes(type)
    ? (type as BuiltInToolFamily)
    : undefined;
}

/**
 * @param localHas whether the gateway serves a request type itself (a registered tool).
 */
export function upstreamTools(route: RouteBuiltIns, localHas: (type: string) => boolean): UpstreamTools {
  if (!route.runs) return NO_UPSTREAM_TOOLS;
  const passed = new Set<BuiltInToolFamily>();
  for (const family of BUILT_IN_TOOL_FAMILIES) {
    const mode = route.modes[family] ?? (localHas(family) ? 'local' : 'upstream');
    if (mode === 'upstream') passed.add(family);
  }
  return passed;
}

/** Whether `tools[i]` of this type goes to the upstream as written. */
export function passesThrough(upstream: UpstreamTools, type: string): boolean {
  const family = builtInFamily(type);
  return family !== undefined && upstream.has(family);
}
