/** Fixture documents uploaded into a test gateway's vector store, and the questions they answer. */
import { readFileSync } from 'node:fs';
import type { JsonBody } from '../helpers/json-body.js';
import { TEST_KEY, type TestGateway } from '../helpers/test-gateway.js';

export const FIXTURES = new URL('../fixtures/documents/', import.meta.url);

export const FIXTURE_FILES = [
  'handbook.md',
  'k7-manual.pdf',
  'security-policy.docx',
  'travel-policy.html',
  'pricing.csv',
  'faq.json',
] as const;

export interface Question {
  question: string;
  file: string;
  /** A phrase the right chunk holds (whitespace collapsed). */
  answer: string;
}

export const QUESTIONS: Question[] = JSON.parse(readFileSync(new URL('questions.json', FIXTURES), 'utf8'));

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

export async function uploadFile(
  gw: Pick<TestGateway, 'baseURL'>,
  filename: string,
  bytes: Buffer | string,
  key = TEST_KEY,
): Promise<{ status: number; body: JsonBody }> {
  const form = new FormData();
  form.append('purpose', 'assistants');
  form.append('file', new Blob([bytes]), filename);
  const response = await fetch(`${gw.baseURL}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  return { status: response.status, body: await response.json() };
}

export function holdsAnswer(text: string, answer: string): boolean {
  const collapse = (s: string) => s.replace(/\s+/g, ' ').toLowerCase();
  return collapse(text).includes(collapse(answer));
}
