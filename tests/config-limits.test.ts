import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDatabaseSettings, loadLauncherSettings } from '../lib/config/index.ts';

// The settings of the throttles and the live re-check: defaults per mode, and bad values
// named in the error.
const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' };
const supabase = { ...base, SUPABASE_URL: 'https://ref.supabase.co', SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_x', SUPABASE_JWT_SECRET: 'x'.repeat(32) };

describe('throttle and live settings', () => {
  it('default to a 60 s refresh interval in Supabase mode, none in local mode, and a 30 s re-check', () => {
    expect(loadConfig(supabase)).toMatchObject({ mode: 'supabase', analyticsRefreshMinIntervalSeconds: 60, liveRecheckSeconds: 30 });
    expect(loadConfig(base)).toMatchObject({ mode: 'local', analyticsRefreshMinIntervalSeconds: 0, liveRecheckSeconds: 30 });
  });

  it('read ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS and LIVE_RECHECK_SECONDS', () => {
    expect(loadConfig({ ...supabase, ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS: '0', LIVE_RECHECK_SECONDS: '5' })).toMatchObject({
      analyticsRefreshMinIntervalSeconds: 0,
      liveRecheckSeconds: 5,
    });
  });

  it.each([
    [{ ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS: '-1' }, 'ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS must be a non-negative integer, got "-1"'],
    [{ ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS: 'soon' }, 'ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS must be a non-negative integer, got "soon"'],
    [{ LIVE_RECHECK_SECONDS: '0' }, 'LIVE_RECHECK_SECONDS must be at least 1'],
    [{ LIVE_RECHECK_SECONDS: '1.5' }, 'LIVE_RECHECK_SECONDS must be a non-negative integer, got "1.5"'],
  ])('refuses %j', (env, problem) => {
    let error: unknown;
    try {
      loadConfig({ ...supabase, ...env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContain(problem);
  });
});

// The database and data-layer settings, read by lib/db and the scripts without the app's
// full configuration.
describe('database settings', () => {
  it('default without any variable', () => {
    expect(loadDatabaseSettings({})).toMatchObject({
      url: null,
      listenUrl: null,
      embedded: false,
      embeddedPort: 54329,
      dataDir: null,
      poolMax: 10,
      prepare: true,
      pipeline: true,
      runCountCap: 1000,
    });
  });

  it('pipeline off by default behind the pooler (prepare off), unless asked for', () => {
    expect(loadDatabaseSettings({ DATABASE_PREPARE: 'false' })).toMatchObject({ prepare: false, pipeline: false });
    expect(loadDatabaseSettings({ DATABASE_PREPARE: 'false', DATABASE_PIPELINE: 'true' })).toMatchObject({ prepare: false, pipeline: true });
    expect(loadDatabaseSettings({ DATABASE_PIPELINE: 'false' })).toMatchObject({ prepare: true, pipeline: false });
  });

  it('reads every variable', () => {
    expect(
      loadDatabaseSettings({
        DATABASE_URL: 'postgresql://u@h:5432/d',
        DATABASE_LISTEN_URL: 'postgres://u@direct:5432/d',
        OPTISCOPE_EMBEDDED_DB: '1',
        EMBEDDED_DB_PORT: '6000',
        OPTISCOPE_DATA_DIR: 'tmp/data',
        DATABASE_POOL_MAX: '3',
        RUN_COUNT_CAP: '50',
      }),
    ).toMatchObject({ url: 'postgresql://u@h:5432/d', listenUrl: 'postgres://u@direct:5432/d', embedded: true, embeddedPort: 6000, dataDir: 'tmp/data', poolMax: 3, runCountCap: 50 });
  });

  it.each([
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [{ DATABASE_LISTEN_URL: 'direct:5432' }, 'DATABASE_LISTEN_URL must be a postgres:// or postgresql:// URL'],
    [{ EMBEDDED_DB_PORT: '70000' }, 'EMBEDDED_DB_PORT must be a port number (1-65535), got "70000"'],
    [{ DATABASE_POOL_MAX: '0' }, 'DATABASE_POOL_MAX must be a whole number of at least 1, got "0"'],
    [{ RUN_COUNT_CAP: 'many' }, 'RUN_COUNT_CAP must be a whole number of at least 1, got "many"'],
    [{ DATABASE_PREPARE: 'no' }, 'DATABASE_PREPARE must be true or false (or 1 or 0), got "no"'],
    [{ OPTISCOPE_EMBEDDED_DB: 'yes' }, 'OPTISCOPE_EMBEDDED_DB must be true or false (or 1 or 0), got "yes"'],
  ])('refuses %j', (env, problem) => {
    expect(() => loadDatabaseSettings(env)).toThrow(ConfigError);
    try {
      loadDatabaseSettings(env);
    } catch (error) {
      expect((error as ConfigError).problems).toContain(problem);
    }
  });
});

describe('launcher settings', () => {
  it('default to port 3000 and the demo by mode', () => {
    expect(loadLauncherSettings({})).toEqual({ port: 3000, seedDemo: null });
    expect(loadLauncherSettings({ PORT: '8080', OPTISCOPE_SEED_DEMO: 'false' })).toEqual({ port: 8080, seedDemo: false });
    expect(loadLauncherSettings({ OPTISCOPE_SEED_DEMO: 'TRUE' })).toEqual({ port: 3000, seedDemo: true });
  });

  it('name a bad port or demo flag', () => {
    expect(() => loadLauncherSettings({ PORT: '0' })).toThrow('PORT must be a port number (1-65535), got "0"');
    expect(() => loadLauncherSettings({ OPTISCOPE_SEED_DEMO: 'sometimes' })).toThrow('OPTISCOPE_SEED_DEMO must be true or false (or 1 or 0), got "sometimes"');
  });
});
