// Preloaded into each `next start` worker of the launcher (lib/server/workers.ts, through
// --import). Next.js listens with `server.listen(port, hostname)`; in a node:cluster worker
// that call would share one listening socket owned by the primary, and the worker that
// wakes first accepts every connection waiting on it: 32 connections opened at once all
// went to one of two workers, which then ran at one core's speed while the other idled.
// Here the call gets `reusePort` (SO_REUSEPORT, Linux): each worker listens on a socket of
// its own on the same port, and the kernel spreads new connections over them by a hash of
// the client's address and port.
//
// When a worker dies, its socket closes with it: connections it had accepted are reset,
// as they would be with a shared socket, and so are any that had reached its socket but not
// yet been accepted; new connections go to the workers that are left.
import cluster from 'node:cluster';
import net from 'node:net';

type Listen = typeof net.Server.prototype.listen;

if (cluster.isWorker) {
  const listen: Listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const [port, host] = args;
    // only the exact call Next.js makes; anything else is passed through unchanged
    if (args.length <= 2 && typeof port === 'number' && (host === undefined || typeof host === 'string')) {
      return listen.call(this, { port, ...(host ? { host } : {}), reusePort: true });
    }
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as Listen;
}
