// The health check of a store on a database server (/healthz): the server's
// answer to a trivial query, or a failure after about a second, so that a
// monitor polling a hub whose server hangs gets its 503 quickly.

/** How long /healthz waits for the database server to answer. */
const HEALTH_QUERY_MS = 1000;

/** Resolves when `answer` does, or rejects once HEALTH_QUERY_MS have passed without it. */
export async function raceHealthCheck(answer: Promise<unknown>, server: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${server} did not answer within ${HEALTH_QUERY_MS / 1000} s`)),
      HEALTH_QUERY_MS,
    );
  });
  try {
    await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
