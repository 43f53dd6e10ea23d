import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { safeNextPath } from '@/lib/auth';
import { SignInForm } from '@/components/auth/sign-in-form';
import { getViewer } from '@/lib/auth';
import { getConfig } from '@/lib/config';

export const metadata: Metadata = { title: 'Sign in' };

type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await connection();
  const { supabase } = getConfig();
  // local mode has no sign-in: the local user is always signed in
  if (!supabase) redirect('/');
  const query = await searchParams;
  const next = safeNextPath(first(query.next));
  if (await getViewer()) redirect(next);
  const error = first(query.error)?.slice(0, 300) ?? null;

  return (
    <div className="mx-auto max-w-sm py-8 sm:py-16">
      <div className="card p-6 sm:p-8">
        <h1 className="text-xl font-semibold tracking-tight">Sign in to Optiscope</h1>
        <p className="muted mt-1 mb-6 text-sm">See the optimization runs of your projects.</p>
        <SignInForm url={supabase.url} publishableKey={supabase.publishableKey} next={next} initialError={error} />
      </div>
    </div>
  );
}
