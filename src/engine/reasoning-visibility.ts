/**
 * Stored reasoning may carry sealed upstream tokens the client never asked for; reads show
 * `encrypted_content` only when `include` names `reasoning.encrypted_content`.
 */
export function showItems<T extends { type: string }>(items: T[], include: readonly string[] = []): T[] {
  if (include.includes('reasoning.encrypted_content')) return items;
  return items.map((item) => {
    if (item.type !== 'reasoning' || !('encrypted_content' in item)) return item;
    const visible = { ...item };
    Reflect.deleteProperty(visible, 'encrypted_content');
    return visible;
  });
}
