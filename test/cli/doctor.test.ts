import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor.js';
import { BUNDLED_MODEL_PATH, loadConfig } from '../../src/config/load-config.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';

describe('rgw doctor', () => {
  let mock: MockChatUpstream;
  beforeAll(async () => {
    mock = await startMockChatUpstream({ apiKey: 'upstream-key' });
  });
  afterAll(() => mock.close());

  const run = async (env: Record<string, string>) => {
    const lines: string[] = [];
    const code = await runDoctor(loadConfig({}, { RGW_DB: ':memory:', ...env }), (line) => lines.push(line));
    return { code, text: lines.join('\n') };
  };

  it('reports a reachable provider and its model count', async () => {
    const { code, text } = await run({ OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: 'upstream-key' });
    expect(code).toBe(0);
    expect(text).toMatch(/provider {4}openai \(openai-chat\) .*: ok, 1 model\(s\)/);
    expect(text).toContain('none (loopback callers only)');
    expect(text).toMatch(
      /web search {2}no backend .* left out of upstream requests \(tools\.webSearchWhenUnavailable: drop\)/,
    );
    expect(text).toMatch(/^✔ store {7}:memory:: reachable/m);
    expect(text).toMatch(/^✔ provider {4}openai/m);
  });

  it('says which backend serves web_search', async () => {
    const { text } = await run({
      OPENAI_BASE_URL: mock.baseUrl,
      OPENAI_API_KEY: 'upstream-key',
      RGW_SEARXNG_URL: 'http://127.0.0.1:9',
    });
    expect(text).toContain('web search  run by the gateway through searxng');
  });

  it('says whether traces are exported, and where to', async () => {
    const off = await run({ OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: 'upstream-key' });
    expect(off.text).toMatch(/^ {2}tracing {5}off \(set OTEL_EXPORTER_OTLP_ENDPOINT/m);
    const on = await run({
      OPENAI_BASE_URL: mock.baseUrl,
      OPENAI_API_KEY: 'upstream-key',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
    });
    expect(on.text).toContain(
      'tracing     on: OTLP/HTTP to http://collector:4318/v1/traces as service responses-gateway, every trace',
    );
  });

  it('makes a 1-token call per configured model and alias, in a ✔/✘ table', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rgw-doctor-')), 'config.yaml');
    writeFileSync(
      path,
      `providers:\n  - { name: up, type: openai-chat, baseUrl: "${mock.baseUrl}", apiKey: upstream-key, models: [{ id: gpt-4o, contextWindow: 128000 }] }\n  - { name: bad, type: openai-chat, baseUrl: "${mock.baseUrl}", apiKey: wrong }\naliases:\n  fast: { targets: [up/gpt-4o] }\n  broken: { targets: [bad/gpt-4o] }\n`,
    );
    mock.defaultReply = { kind: 'text', text: 'OK' };
    const lines: string[] = [];
    const code = await runDoctor(
      loadConfig({ config: path }, { RGW_DB: ':memory:', RGW_CODE_SANDBOX: 'off' }),
      (l) => lines.push(l),
    );
    const text = lines.join('\n');
    expect(text).toMatch(/^✔ model {7}up\/gpt-4o: answered$/m);
    expect(text).toMatch(/^✔ model {7}fast: answered$/m);
    expect(text).toMatch(/^✘ model {7}broken: /m);
    expect(code).toBe(1);
    const sent = mock.requests.at(-1)!.body as { max_completion_tokens?: number };
    expect(sent.max_completion_tokens).toBe(1);
  });

  it('fails on a rejected key and on an unreachable upstream', async () => {
    const rejected = await run({ OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: 'wrong' });
    expect(rejected.code).toBe(1);
    expect(rejected.text).toContain('answered 401');
    const closed = await run({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'k' });
    expect(closed.code).toBe(1);
    expect(closed.text).toContain('unreachable');
  });

  it('checks a local model file', async () => {
    const bundled = await run({});
    expect(bundled.code).toBe(0);
    expect(bundled.text).toContain(BUNDLED_MODEL_PATH);
    expect(bundled.text).toContain('model file present');
    const missing = await run({ RGW_LOCAL_MODEL: '/nonexistent/model.gguf' });
    expect(missing.code).toBe(1);
    expect(missing.text).toContain('model file not found');
  });
});

describe('rgw doctor: the code sandbox', () => {
  const run = async (env: Record<string, string>) => {
    const lines: string[] = [];
    const code = await runDoctor(loadConfig({}, { RGW_DB: ':memory:', ...env }), (line) => lines.push(line));
    return { code, text: lines.join('\n') };
  };

  it('shows bubblewrap, Python and the libraries found inside a sandbox', async () => {
    const { code, text } = await run({});
    expect(code).toBe(0);
    expect(text).toMatch(
      /code sandbox bubblewrap \/\S*bwrap, Python 3\.\d+\.\d+ \(\/usr\/bin\/python3\): numpy \S+, pandas \S+, matplotlib \S+/,
    );
  });

  it('says what to install when the interpreter is missing', async () => {
    const { code, text } = await run({ RGW_PYTHON: '/nonexistent/python3' });
    expect(code).toBe(1);
    expect(text).toContain(
      'code sandbox unavailable (code_interpreter_unavailable): Python (/nonexistent/python3) is not installed',
    );
    expect(text).toContain('apt-get install bubblewrap');
  });

  it('reports a sandbox turned off', async () => {
    const { text } = await run({ RGW_CODE_SANDBOX: 'off' });
    expect(text).toContain('code sandbox off');
  });
});
