import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { ModeBadge } from '@/components/mode-badge';
import { ThemeScript } from '@/components/theme-script';
import { ThemeToggle } from '@/components/theme-toggle';
import { UserMenu } from '@/components/user-menu';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Optiscope', template: '%s · Optiscope' },
  description: 'Track prompt-optimization runs: scores per iteration, samples, leaderboards.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <ThemeScript />
      </head>
      <body className="min-h-screen bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-zinc-900">
          Skip to content
        </a>
        <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <div className="mx-auto flex h-14 max-w-7xl items-center gap-3 px-4 sm:px-6">
            <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
              {/* eslint-disable-next-line @next/next/no-img-element -- a static SVG needs no optimization */}
              <img src="/icon.svg" alt="" width={24} height={24} />
              Optiscope
            </Link>
            <Suspense>
              <ModeBadge />
            </Suspense>
            <div className="ml-auto flex items-center gap-2">
              <Suspense>
                <UserMenu />
              </Suspense>
              <ThemeToggle />
            </div>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 focus:outline-none sm:px-6 sm:py-8">
          {children}
        </main>
      </body>
    </html>
  );
}
