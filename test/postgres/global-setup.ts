import type { TestProject } from 'vitest/node';
import { startPostgresServer } from '../../scripts/postgres-server.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway server's URL, connected to its `postgres` database as the superuser `plinth`. */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer().catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The postgres test project could not start its PostgreSQL server: ${reason}`, {
      cause: error,
    });
  });
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
