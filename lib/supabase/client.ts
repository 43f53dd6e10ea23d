'use client';
import { createBrowserClient } from '@supabase/ssr';

// The browser gets the public URL and publishable key from the server at render time,
// so one build serves both modes.
export function createClient(url: string, publishableKey: string) {
  return createBrowserClient(url, publishableKey);
}
