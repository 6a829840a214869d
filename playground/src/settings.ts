/** What the playground keeps in the browser: the API key, choices, the chats list, a pending run. */
const PREFIX = 'rgw.';

export function load<T>(name: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(PREFIX + name);
    return raw == null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

export function save(name: string, value: unknown): void {
  if (value === undefined) localStorage.removeItem(PREFIX + name);
  else localStorage.setItem(PREFIX + name, JSON.stringify(value));
}

export interface ChatEntry {
  id: string;
  title: string;
  updated: number;
}

/** The Conversations API has no list endpoint (as OpenAI's), so the sidebar remembers its own. */
export function chats(): ChatEntry[] {
  return load<ChatEntry[]>('chats', []);
}

export function rememberChat(entry: ChatEntry): void {
  const rest = chats().filter((c) => c.id !== entry.id);
  save('chats', [entry, ...rest].slice(0, 100));
}

export function forgetChat(id: string): void {
  save(
    'chats',
    chats().filter((c) => c.id !== id),
  );
}
