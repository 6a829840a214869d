/** `doctor`: prints the effective configuration and whether each provider answers. */

import { existsSync, statSync } from 'node:fs';
import { request } from 'undici';
import type { CodeSandboxConfig, GatewayConfig, ProviderConfig } from '../config/config-schema.js';
import { describeTracing, tracingSettings } from '../observability/tracing.js';
import { plainRequest } from '../providers/plain-request.js';
import { ProviderRegistry } from '../providers/registry.js';
import { openStore } from '../store/open-store.js';
import { sandboxRuntime } from '../tools/containers/code-containers.js';
import { describeWebSearch } from '../tools/web-search/web-search-status.js';

interface Check {
  ok: boolean | undefined;
  label: string;
  detail: string;
}

/**
 * Checks the configuration, the store, the code sandbox, each provider (its model listing) and
 * each configured model and alias (a 1-token call), then prints a ✔/✘ table. Progress goes to
 * stderr while it runs on a terminal. Exit status 1 when any check failed.
 */
export async function runDoctor(
  config: GatewayConfig,
  print: (line: string) => void = console.log,
  progress: (line: string) => void = (line) => {
    if (process.stderr.isTTY) process.stderr.write(`  … ${line}\n`);
  },
): Promise<number> {
  const checks: Check[] = [];
  const info = (label: string, detail: string) => checks.push({ ok: undefined, label, detail });
  const add = (label: string, result: { ok: boolean; detail: string }) => checks.push({ label, ...result });
  info('listen', `${config.host}:${config.port}`);
  add('config', {
    ok: true,
    detail: `${config.providers.length} provider(s), ${Object.keys(config.aliases).length} alias(es), ${Object.keys(config.limits.tenants).length} tenant limit(s), admin API ${config.adminKey ? 'on' : 'off (no RGW_ADMIN_KEY)'}`,
  });
  info(
    'api keys',
    config.apiKeys.length > 0 ? `${config.apiKeys.length} static key(s)` : 'none (loopback callers only)',
  );
  progress('store');
  add('store', await checkStore(config.db));
  progress('code sandbox');
  add('code sandbox', await checkCodeSandbox(config.codeSandbox));
  info('web search', describeWebSearch(config).detail);
  info('tracing', describeTracing(tracingSettings(config)));
  if (config.providers.length === 0) {
    add('providers', {
      ok: false,
      detail: 'none configured: set OPENAI_BASE_URL / OPENAI_API_KEY or a config file',
    });
  }
  for (const provider of config.providers) {
    progress(`provider ${provider.name}`);
    const result = await checkProvider(provider);
    add('provider', {
      ok: result.ok,
      detail: `${provider.name} (${provider.type}) ${provider.baseUrl ?? provider.modelPath ?? ''}: ${result.detail}`,
    });
  }
  const models = [
    ...config.providers.flatMap((p) => p.models.map((m) => `${p.name}/${m.id}`)),
    ...Object.keys(config.aliases),
  ];
  if (models.length > 0) {
    const registry = new ProviderRegistry(config);
    try {
      for (const model of models) {
        progress(`model ${model} (1-token call)`);
        const result = await checkModel(registry, model);
        add('model', { ok: result.ok, detail: `${model}: ${result.detail}` });
      }
    } finally {
      await registry.close();
    }
  }
  for (const check of checks) {
    const mark = check.ok === undefined ? ' ' : check.ok ? '✔' : '✘';
    print(`${mark} ${check.label.padEnd(11)} ${check.detail}`);
  }
  return checks.some((check) => check.ok === false) ? 1 : 0;
}

/** One call asking for a single token: the model exists upstream and the key may use it. */
async function checkModel(
  registry: ProviderRegistry,
  name: string,
): Promise<{ ok: boolean; detail: string }> {
  try {
    const { model, modelId } = registry.resolve(name);
    const parts = await model.generate(
      plainRequest(modelId, [{ role: 'user', content: [{ type: 'text', text: 'Say OK.' }] }], {
        maxOutputTokens: 1,
      }),
      { signal: AbortSignal.timeout(30_000) },
    );
    const failed = parts.find((part) => part.type === 'error');
    return failed ? { ok: false, detail: 'answered with an error' } : { ok: true, detail: 'answered' };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}

async function checkStore(db: string): Promise<{ ok: boolean; detail: string }> {
  try {
    const store = openStore(db);
    try {
      await store.ping();
    } finally {
      await store.close();
    }
    return { ok: true, detail: `${db}: reachable, schema up to date` };
  } catch (error) {
    return { ok: false, detail: `${db}: ${(error as Error).message}` };
  }
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
