import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The embedded database and the driver are server-side Node packages.
  serverExternalPackages: ['@electric-sql/pglite', '@electric-sql/pglite-socket', 'postgres'],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
