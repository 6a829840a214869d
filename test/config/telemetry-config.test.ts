/** Where traces go: the standard OTEL_* variables over the `telemetry` section of the config file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { describeTracing, tracingSettings } from '../../src/observability/tracing.js';

const load = (env: Record<string, string>, file?: string) => {
  const extra: Record<string, string> = {};
  if (file !== undefined) {
    const path = join(mkdtempSync(join(tmpdir(), 'rgw-telemetry-')), 'config.yaml');
    writeFileSync(path, file);
    extra.RGW_CONFIG = path;
  }
  return loadConfig({}, { RGW_DB: ':memory:', ...extra, ...env });
};

describe('telemetry config', () => {
  it('is off without an endpoint', () => {
    const config = load({});
    expect(tracingSettings(config)).toBeUndefined();
    expect(describeTracing(undefined)).toMatch(/^off/);
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and takes the traces endpoint as is', () => {
    expect(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/' }).telemetry.otlpEndpoint).toBe(
      'http://otel:4318/v1/traces',
    );
    const both = load({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
    });
    expect(both.telemetry.otlpEndpoint).toBe('http://traces:9999/custom');
  });

  it('reads the file, with OTEL_SERVICE_NAME over its service name', () => {
    const config = load(
      { OTEL_SERVICE_NAME: 'gw-east' },
      'telemetry:\n  otlpEndpoint: http://c:4318/v1/traces\n  serviceName: gw\n  sampleRatio: 0.25\n  headers: { x-token: abc }\n',
    );
    const settings = tracingSettings(config);
    expect(settings).toEqual({
      endpoint: 'http://c:4318/v1/traces',
      serviceName: 'gw-east',
      sampleRatio: 0.25,
      headers: { 'x-token': 'abc' },
    });
    expect(describeTracing(settings)).toBe(
      'on: OTLP/HTTP to http://c:4318/v1/traces as service gw-east, 25% of new traces',
    );
  });

  it('refuses a ratio outside 0–1 and an endpoint that is not a URL', () => {
    expect(() => load({}, 'telemetry: { otlpEndpoint: http://c/v1/traces, sampleRatio: 2 }\n')).toThrow(
      /sampleRatio/,
    );
    expect(() => load({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' })).toThrow(/otlpEndpoint/);
  });
});
