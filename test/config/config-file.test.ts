import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('config files', () => {
  it('interpolates $-brace ENV and ENV:-default placeholders in values', () => {
    const path = file(
      'env.yaml',
      `port: 9000
providers:
  - name: vllm
    type: openai-chat
    baseUrl: \${VLLM_URL:-http://gpu-box:8000/v1}
    apiKey: \${VLLM_KEY}
    headers: { x-note: "cost $\${NOT_A_VAR}" }
prices:
  my-model: { input: 1, output: 2 }
`,
    );
    const config = loadConfig({ config: path }, { VLLM_KEY: 'k-123' });
    expect(config.providers[0]).toMatchObject({
      baseUrl: 'http://gpu-box:8000/v1',
      apiKey: 'k-123',
      headers: { 'x-note': `cost ${'$'}{NOT_A_VAR}` },
    });
    expect(
      loadConfig({ config: path }, { VLLM_KEY: 'k', VLLM_URL: 'http://other:1/v1' }).providers[0]!.baseUrl,
    ).toBe('http://other:1/v1');
    expect(() => loadConfig({ config: path }, {})).toThrow(
      /providers\[0\]\.apiKey: environment variable VLLM_KEY is not set/,
    );
  });

  it('names the path and the problem of an invalid value', () => {
    const path = file('bad.yaml', 'limits:\n  tenants:\n    acme: { rpm: -3 }\n');
    let error: unknown;
    try {
      loadConfig({ config: path }, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/limits\.tenants\.acme\.rpm/);
    expect((error as Error).message).toMatch(/>0|positive|greater/i);
  });

  it('reads a LiteLLM proxy config.yaml: model_list, os.environ/ keys, fallbacks, retries, master key', () => {
    const path = file(
      'litellm.yaml',
      `model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_base: http://backup:8000/v1
      api_key: os.environ/BACKUP_KEY
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
  - model_name: local-llama
    litellm_params:
      model: ollama/llama3.2
      api_base: http://localhost:11434
router_settings:
  num_retries: 2
  fallbacks: [{ "gpt-4o": ["claude"] }]
general_settings:
  master_key: sk-master-0123456789
litellm_settings:
  drop_params: true
`,
    );
    const config = loadConfig(
      { config: path },
      { OPENAI_API_KEY: 'sk-o', BACKUP_KEY: 'sk-b', ANTHROPIC_API_KEY: 'sk-a' },
    );
    expect(config.providers.map((p) => [p.name, p.type, p.baseUrl, p.apiKey])).toEqual([
      ['openai', 'openai-chat', 'https://api.openai.com/v1', 'sk-o'],
      ['openai-2', 'openai-chat', 'http://backup:8000/v1', 'sk-b'],
      ['anthropic', 'anthropic', 'https://api.anthropic.com', 'sk-a'],
      ['openai-3', 'openai-chat', 'http://localhost:11434/v1', undefined],
    ]);
    expect(config.aliases['gpt-4o']).toEqual({
      strategy: 'weighted',
      targets: [
        { target: 'openai/gpt-4o', weight: 1 },
        { target: 'openai-2/gpt-4o', weight: 1 },
        { target: 'anthropic/claude-sonnet-4-5', weight: 0 },
      ],
    });
    expect(config.aliases['local-llama']!.targets).toEqual([{ target: 'openai-3/llama3.2', weight: 1 }]);
    expect(config.routing.retries).toBe(2);
    expect(config.adminKey).toBe('sk-master-0123456789');
    expect(() => loadConfig({ config: path }, {})).toThrow(
      /model_list\[0\]\.litellm_params\.api_key: environment variable OPENAI_API_KEY/,
    );
    const bedrock = file(
      'bedrock.yaml',
      'model_list:\n  - model_name: x\n    litellm_params: { model: bedrock/claude }\n',
    );
    expect(() => loadConfig({ config: bedrock }, {})).toThrow(
      /model_list\[0\]\.litellm_params\.model: LiteLLM provider 'bedrock'/,
    );
  });
});

describe('shipped examples', () => {
  it('deploy/gateway.config.yaml loads, placeholders typed', () => {
    const config = loadConfig({ config: 'deploy/gateway.config.yaml' }, { ACME_BUDGET_USD: '25' });
    expect(config.limits.tenants.acme).toMatchObject({ rpm: 1200, budgetUsd: 25, budgetPeriod: 'month' });
    expect(loadConfig({ config: 'deploy/gateway.config.yaml' }, {}).limits.tenants.acme!.budgetUsd).toBe(500);
  });
});
