import type { TestProject } from 'vitest/node';
import { findRedisServer, startRedisServer } from './support/redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A redis-server for this whole run, or undefined when none is installed (the Redis tests then skip). */
    redisUrl: string | undefined;
  }
}

/** Starts one throwaway redis-server for the run; test files share it, each in its own database number. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const executable = findRedisServer();
  if (!executable) {
    // On CI a missing server must fail the run, never quietly skip the Redis store's tests.
    if (process.env.CI === 'true') throw new Error('redis-server is not installed (apt-get install redis-server)');
    console.warn('redis-server is not installed: the Redis store tests are skipped (they run, and must pass, on CI)');
    project.provide('redisUrl', undefined);
    return async () => {};
  }
  const server = await startRedisServer(executable);
  project.provide('redisUrl', server.url);
  return () => server.stop();
}
