import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The embedded database and the driver are server-side Node packages.
  serverExternalPackages: ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'postgres'],
  // `npm test` type-checks the whole project (tests included) with tsc --noEmit
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
