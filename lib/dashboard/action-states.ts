import type { FormError, ProjectRole } from '../supabase-optimization/index.ts';

// What the dashboard's server actions return, shared by the actions (app/) and the forms
// that show it (components/), so components need nothing from app/.

export type CreateProjectState = { error: FormError | null; values: { id: string; name: string; description: string } };

export type CreateApiKeyState =
  | { status: 'idle' }
  | { status: 'created'; secret: string; name: string; keyPrefix: string }
  | { status: 'error'; error: FormError; values: { name: string; scopes: string[] } };

export type AddMemberState =
  | { status: 'idle' }
  | { status: 'added'; email: string; role: ProjectRole }
  | { status: 'error'; error: FormError; values: { email: string; role: string } };

export type RefreshAnalyticsState =
  | { status: 'idle' }
  | { status: 'refreshed'; refreshedAt: string | null; durationMs: number | null }
  | { status: 'throttled'; refreshedAt: string | null; retryAfterSeconds: number }
  | { status: 'error'; error: FormError };

export type SettingsActionResult = { ok: true } | { ok: false; error: FormError };
