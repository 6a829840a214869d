/** The built-in tools this gateway runs, by the request's tool `type`. */
import type { BuiltInTool } from './types.js';

export class ToolRegistry {
  private readonly byType = new Map<string, BuiltInTool>();
  private readonly byItemType = new Map<string, BuiltInTool>();

  constructor(tools: readonly BuiltInTool[] = []) {
    for (const tool of tools) this.register(tool);
  }

  /** A later registration of the same type replaces the earlier one (tests swap tools in). */
  register(tool: BuiltInTool, aliases: readonly string[] = []): void {
    for (const type of [tool.type, ...aliases]) this.byType.set(type, tool);
    for (const itemType of [tool.itemType, ...(tool.otherItemTypes ?? [])])
      this.byItemType.set(itemType, tool);
  }

  get(type: string): BuiltInTool | undefined {
    return this.byType.get(type);
  }

  /** The tool whose items have this type, to replay them to a model. */
  forItem(itemType: string): BuiltInTool | undefined {
    return this.byItemType.get(itemType);
  }

  get types(): string[] {
    return [...this.byType.keys()];
  }
}
