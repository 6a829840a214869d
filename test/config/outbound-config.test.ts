/** `outbound` settings: the config file key, RGW_OUTBOUND_ALLOW over it, and entry validation. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-outbound-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withFile(content: string): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, content);
  return path;
}

describe('outbound config', () => {
  it('defaults to no exceptions', () => {
    const config = loadConfig({}, { RGW_CONFIG: withFile('{}') });
    expect(config.outbound).toEqual({ allow: [], maxMediaBytes: 20 * 1024 * 1024, mediaTimeoutMs: 15_000 });
  });

  it('reads RGW_OUTBOUND_ALLOW as comma-separated hosts and CIDRs', () => {
    const config = loadConfig(
      {},
      { RGW_CONFIG: withFile('{}'), RGW_OUTBOUND_ALLOW: ' minio.internal, 10.0.0.0/8 ,,127.0.0.1,fd00::/8' },
    );
    expect(config.outbound.allow).toEqual(['minio.internal', '10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
  });

  it('reads the config file key, env replacing its list but not its other settings', () => {
    const path = withFile('outbound:\n  allow: [files.internal]\n  maxMediaBytes: 1000\n');
    expect(loadConfig({}, { RGW_CONFIG: path }).outbound).toEqual({
      allow: ['files.internal'],
      maxMediaBytes: 1000,
      mediaTimeoutMs: 15_000,
    });
    expect(loadConfig({}, { RGW_CONFIG: path, RGW_OUTBOUND_ALLOW: 'localhost' }).outbound).toEqual({
      allow: ['localhost'],
      maxMediaBytes: 1000,
      mediaTimeoutMs: 15_000,
    });
  });

  it.each(['10.0.0.0/33', 'host.test/8', 'http://host.test', 'host.test:8080'])(
    'refuses the entry %s',
    (entry) => {
      expect(() => loadConfig({}, { RGW_CONFIG: withFile('{}'), RGW_OUTBOUND_ALLOW: entry })).toThrow(
        ConfigError,
      );
    },
  );
});
