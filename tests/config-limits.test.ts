import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../lib/config/index.ts';

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
