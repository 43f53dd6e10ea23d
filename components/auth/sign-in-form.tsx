'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { createClient } from '@/lib/supabase/client';

type Pending = 'password' | 'magic-link' | null;

function describe(error: { message: string; name?: string; status?: number }): string {
  if (error.name === 'AuthRetryableFetchError' || error.status === 0 || /fetch/i.test(error.message)) {
    return 'Could not reach the sign-in service. Check your connection and try again.';
  }
  if (/invalid login credentials/i.test(error.message)) return 'Wrong email or password.';
  return error.message;
}

// Email + password, or a one-time link by email. The Supabase client is created only when
// a button is pressed: never during server rendering.
export function SignInForm({
  url,
  publishableKey,
  next,
  initialError,
}: {
  url: string;
  publishableKey: string;
  next: string;
  initialError: string | null;
}) {
  const router = useRouter();
  const uid = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<Pending>(null);
  const [error, setError] = useState<string | null>(initialError);
  const [fieldError, setFieldError] = useState<{ email?: string; password?: string }>({});
  const [sentTo, setSentTo] = useState<string | null>(null);

  const checkEmail = () => {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setFieldError({ email: 'Enter your email address.' });
      return false;
    }
    return true;
  };

  const signInWithPassword = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSentTo(null);
    setFieldError({});
    if (!checkEmail()) return;
    if (!password) {
      setFieldError({ password: 'Enter your password, or get a sign-in link by email instead.' });
      return;
    }
    setPending('password');
    try {
      const { error: authError } = await createClient(url, publishableKey).auth.signInWithPassword({
        email: email.trim(),
        password,
      });
      if (authError) {
        setError(describe(authError));
        setPending(null);
        return;
      }
      router.replace(next);
      router.refresh();
    } catch (err) {
      setError(describe(err instanceof Error ? err : { message: String(err) }));
      setPending(null);
    }
  };

  const sendMagicLink = async () => {
    setError(null);
    setSentTo(null);
    setFieldError({});
    if (!checkEmail()) return;
    setPending('magic-link');
    try {
      const callback = new URL('/auth/callback', window.location.origin);
      if (next !== '/') callback.searchParams.set('next', next);
      const { error: authError } = await createClient(url, publishableKey).auth.signInWithOtp({
        email: email.trim(),
        options: { emailRedirectTo: callback.toString() },
      });
      if (authError) setError(describe(authError));
      else setSentTo(email.trim());
    } catch (err) {
      setError(describe(err instanceof Error ? err : { message: String(err) }));
    } finally {
      setPending(null);
    }
  };

  return (
    <form onSubmit={signInWithPassword} noValidate className="space-y-4" aria-describedby={error ? `${uid}-error` : undefined}>
      {error && (
        <div
          id={`${uid}-error`}
          role="alert"
          data-testid="sign-in-error"
          className="rounded-lg border border-red-300 bg-red-50 px-3.5 py-3 text-sm text-red-800 dark:border-red-500/40 dark:bg-red-500/10 dark:text-red-200"
        >
          {error}
        </div>
      )}
      {sentTo && (
        <div
          role="status"
          data-testid="magic-link-sent"
          className="rounded-lg border border-emerald-300 bg-emerald-50 px-3.5 py-3 text-sm text-emerald-800 dark:border-emerald-500/40 dark:bg-emerald-500/10 dark:text-emerald-200"
        >
          Check your inbox: we sent a sign-in link to <strong>{sentTo}</strong>. Open it in this browser.
        </div>
      )}
      <div>
        <label htmlFor={`${uid}-email`} className="label">
          Email
        </label>
        <input
          id={`${uid}-email`}
          type="email"
          name="email"
          autoComplete="email"
          required
          autoFocus
          className="input"
          data-testid="sign-in-email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={fieldError.email ? true : undefined}
          aria-describedby={fieldError.email ? `${uid}-email-error` : undefined}
        />
        {fieldError.email && (
          <p id={`${uid}-email-error`} className="mt-1 text-xs font-medium text-red-700 dark:text-red-300">
            {fieldError.email}
          </p>
        )}
      </div>
      <div>
        <label htmlFor={`${uid}-password`} className="label">
          Password
        </label>
        <input
          id={`${uid}-password`}
          type="password"
          name="password"
          autoComplete="current-password"
          className="input"
          data-testid="sign-in-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={fieldError.password ? true : undefined}
          aria-describedby={fieldError.password ? `${uid}-password-error` : undefined}
        />
        {fieldError.password && (
          <p id={`${uid}-password-error`} className="mt-1 text-xs font-medium text-red-700 dark:text-red-300">
            {fieldError.password}
          </p>
        )}
      </div>
      <button type="submit" className="btn btn-primary w-full" disabled={pending !== null} data-testid="sign-in-submit">
        {pending === 'password' ? 'Signing in…' : 'Sign in'}
      </button>
      <div className="flex items-center gap-3 text-xs text-zinc-500 dark:text-zinc-400" aria-hidden>
        <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
        or
        <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
      </div>
      <button
        type="button"
        className="btn w-full"
        onClick={sendMagicLink}
        disabled={pending !== null}
        data-testid="sign-in-magic-link"
      >
        {pending === 'magic-link' ? 'Sending…' : 'Email me a sign-in link'}
      </button>
    </form>
  );
}
