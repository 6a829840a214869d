/** Which search backend the env and config choose, and how start-up and doctor describe it. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { chooseBackend } from '../../../src/tools/web-search/choose-backend.js';
import { describeWebSearch } from '../../../src/tools/web-search/web-search-status.js';

const load = (env: Record<string, string>) => loadConfig({}, { RGW_DB: ':memory:', ...env });

describe('chooseBackend', () => {
  it('takes SearXNG first, then Brave, Tavily and Exa', () => {
    expect(chooseBackend(load({ EXA_API_KEY: 'e', BRAVE_API_KEY: 'b' }).webSearch)?.name).toBe('brave');
    expect(chooseBackend(load({ EXA_API_KEY: 'e', RGW_SEARXNG_URL: 'http://s:8080' }).webSearch)?.name).toBe(
      'searxng',
    );
    expect(chooseBackend(load({ TAVILY_API_KEY: 't' }).webSearch)?.name).toBe('tavily');
    expect(chooseBackend(load({}).webSearch)).toBeUndefined();
  });

  it('takes the one RGW_WEB_SEARCH_BACKEND names, and refuses one not configured', () => {
    const env = { EXA_API_KEY: 'e', BRAVE_API_KEY: 'b', RGW_WEB_SEARCH_BACKEND: 'exa' };
    expect(chooseBackend(load(env).webSearch)?.name).toBe('exa');
    expect(() => load({ RGW_WEB_SEARCH_BACKEND: 'tavily' })).toThrow(/tavily.*tavilyApiKey/);
  });

  it('says how web_search is served', () => {
    expect(describeWebSearch(load({ RGW_SEARXNG_URL: 'http://s:8080' }))).toEqual({
      backend: 'searxng',
      detail: 'run by the gateway through searxng',
    });
    const none = describeWebSearch(load({}));
    expect(none.backend).toBe('none');
    expect(none.detail).toMatch(/left out .*webSearchWhenUnavailable: drop/);
    const native = describeWebSearch(load({ OPENAI_API: 'responses', OPENAI_API_KEY: 'k' }));
    expect(native.detail).toMatch(
      /passed through to native Responses upstreams \(openai\); elsewhere left out/,
    );
  });
});
