'use client';

import { useCallback, useSyncExternalStore } from 'react';

// JSON state kept in Web Storage and shared by every component that reads the same key.
// It outlives remounts (the page's loading boundary remounts the table on every filter
// change); the server and the first client render see `fallback`, so hydration matches.

const listeners = new Map<string, Set<() => void>>();
const cache = new Map<string, { raw: string | null; value: unknown }>();

function storage(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null;
  }
}

function notify(key: string) {
  for (const listener of listeners.get(key) ?? []) listener();
}

export function useStoredState<T>(
  kind: 'local' | 'session',
  key: string,
  fallback: T,
  validate: (value: unknown) => T | null,
): [T, (next: T | ((current: T) => T)) => void] {
  const subscribe = useCallback(
    (listener: () => void) => {
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      set.add(listener);
      const onStorage = (event: StorageEvent) => {
        if (event.key === key) listener();
      };
      window.addEventListener('storage', onStorage);
      return () => {
        set.delete(listener);
        window.removeEventListener('storage', onStorage);
      };
    },
    [key],
  );

  const read = useCallback((): T => {
    const raw = storage(kind)?.getItem(key) ?? null;
    const hit = cache.get(`${kind}:${key}`);
    if (hit && hit.raw === raw) return hit.value as T;
    let value: T = fallback;
    if (raw !== null) {
      try {
        value = validate(JSON.parse(raw)) ?? fallback;
      } catch {
        value = fallback;
      }
    }
    cache.set(`${kind}:${key}`, { raw, value });
    return value;
  }, [kind, key, fallback, validate]);

  const value = useSyncExternalStore(subscribe, read, () => fallback);

  const update = useCallback(
    (next: T | ((current: T) => T)) => {
      const resolved = typeof next === 'function' ? (next as (current: T) => T)(read()) : next;
      try {
        storage(kind)?.setItem(key, JSON.stringify(resolved));
      } catch {
        // storage full or blocked: the choice lasts until the page is left
        cache.set(`${kind}:${key}`, { raw: storage(kind)?.getItem(key) ?? null, value: resolved });
      }
      notify(key);
    },
    [kind, key, read],
  );

  return [value, update];
}
