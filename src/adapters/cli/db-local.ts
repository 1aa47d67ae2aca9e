/**
 * `npm run db:local [-- --port N]`: a throwaway PostgreSQL cluster from the system's binaries, to
 * try the scale-out store without installing anything by hand. Prints the DATABASE_URL; Ctrl-C
 * stops the cluster and deletes its data.
 */
import pg from 'pg';
import { startLocalCluster } from '../store/postgres/local-cluster.js';

async function main(args: string[]): Promise<void> {
  const i = args.indexOf('--port');
  const port = i >= 0 ? Number(args[i + 1]) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error('--port expects a port number');
  const cluster = await startLocalCluster(port !== undefined ? { port } : {});
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping PostgreSQL and deleting its data…\n');
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('exit', () => cluster.stopSync());
  const client = new pg.Client(cluster.url);
  await client.connect();
  await client.query('CREATE DATABASE rewards');
  await client.end();
  const url = new URL(cluster.url);
  url.pathname = '/rewards';
  process.stdout.write(
    [
      `PostgreSQL is running on 127.0.0.1:${cluster.port} (throwaway: fsync off, data in ${cluster.dir}, deleted on stop).`,
      '',
      `DATABASE_URL=${url.toString()}`,
      '',
      'In another terminal:',
      `  export DATABASE_URL='${url.toString()}'`,
      '  npm run db:migrate   # optional: the bot also migrates at start-up',
      '  npm start',
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  setInterval(() => undefined, 1 << 30); // keeps the process (and so the cluster) up until a signal
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
});
