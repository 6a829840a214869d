/** `doctor`: prints the effective configuration and whether each provider answers. */
import { existsSync, statSync } from 'node:fs';
import { request } from 'undici';
import type { CodeSandboxConfig, GatewayConfig, ProviderConfig } from '../config/config-schema.js';
import { sandboxRuntime } from '../tools/containers/code-containers.js';
import { describeWebSearch } from '../tools/web-search/web-search-status.js';

export async function runDoctor(
  config: GatewayConfig,
  print: (line: string) => void = console.log,
): Promise<number> {
  print(`listen      ${config.host}:${config.port}`);
  print(`store       ${config.db}`);
  print(
    `api keys    ${config.apiKeys.length > 0 ? `${config.apiKeys.length} static key(s)` : 'none (loopback callers only)'}`,
  );
  const sandbox = await checkCodeSandbox(config.codeSandbox);
  print(`code sandbox ${sandbox.detail}`);
  print(`web search  ${describeWebSearch(config).detail}`);
  if (config.providers.length === 0) {
    print('providers   none configured: set OPENAI_BASE_URL / OPENAI_API_KEY or a config file');
    return 1;
  }
  let failures = sandbox.ok ? 0 : 1;
  for (const provider of config.providers) {
    const result = await checkProvider(provider);
    if (!result.ok) failures++;
    print(
      `provider    ${provider.name} (${provider.type}) ${provider.baseUrl ?? provider.modelPath ?? ''}: ${result.detail}`,
    );
  }
  return failures === 0 ? 0 : 1;
}

/** Whether code_interpreter can run here: a sandbox started, and the libraries found inside it. */
async function checkCodeSandbox(config: CodeSandboxConfig): Promise<{ ok: boolean; detail: string }> {
  if (config.mode === 'off')
    return { ok: true, detail: 'off (RGW_CODE_SANDBOX=off): code_interpreter answers 400' };
  const runtime = sandboxRuntime(config, 0);
  try {
    const availability = await runtime.availability();
    if (!availability.ok) {
      return { ok: false, detail: `unavailable (code_interpreter_unavailable): ${availability.reason}` };
    }
    const libraries = await runtime.libraries();
    const missing = Object.entries(libraries).filter(([, version]) => version === null);
    const found = Object.entries(libraries)
      .filter(([, version]) => version !== null)
      .map(([name, version]) => `${name} ${version}`);
    const detail =
      `bubblewrap ${availability.bwrap}, Python ${availability.pythonVersion} (${availability.python})` +
      (found.length > 0 ? `: ${found.join(', ')}` : '') +
      (missing.length > 0
        ? `; missing ${missing.map(([name]) => name).join(', ')} (apt-get install ${missing.map(([name]) => `python3-${name}`).join(' ')})`
        : '');
    return { ok: true, detail };
  } finally {
    await runtime.close();
  }
}

/** What "the provider answers" means for each wire format: its own model listing. */
function modelListProbe(provider: ProviderConfig): {
  url: string;
  headers: Record<string, string>;
  count: (json: { data?: unknown[]; models?: unknown[] }) => number;
} {
  const base = (provider.baseUrl ?? '').replace(/\/+$/, '');
  const key = provider.apiKey;
  switch (provider.type) {
    case 'anthropic':
      return {
        url: `${base || 'https://api.anthropic.com'}/v1/models`,
        headers: { 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) },
        count: (json) => json.data?.length ?? 0,
      };
    case 'gemini':
      return {
        url: `${base || 'https://generativelanguage.googleapis.com'}/v1beta/models`,
        headers: key ? { 'x-goog-api-key': key } : {},
        count: (json) => json.models?.length ?? 0,
      };
    default:
      return {
        url: `${base || 'https://api.openai.com/v1'}/models`,
        headers: key ? { authorization: `Bearer ${key}` } : {},
        count: (json) => json.data?.length ?? 0,
      };
  }
}

async function checkProvider(provider: ProviderConfig): Promise<{ ok: boolean; detail: string }> {
  if (provider.type === 'local') {
    const path = provider.modelPath ?? '';
    if (!existsSync(path)) return { ok: false, detail: `model file not found: ${path}` };
    return { ok: true, detail: `model file present (${statSync(path).size} bytes; loaded on first use)` };
  }
  const probe = modelListProbe(provider);
  try {
    const response = await request(probe.url, {
      headers: probe.headers,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      return { ok: false, detail: `${probe.url} answered ${response.statusCode}` };
    return { ok: true, detail: `ok, ${probe.count(JSON.parse(text))} model(s)` };
  } catch (error) {
    return { ok: false, detail: `unreachable: ${(error as Error).message}` };
  }
}
