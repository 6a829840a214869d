/** Parsed wire JSON (request and response bodies, event data), read freely by tests. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON without narrowing it first
export type JsonBody = any;
