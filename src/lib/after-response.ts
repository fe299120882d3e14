/**
 * Resolves on a timer: work chained to it runs after the request's response has been
 * returned, so not even its serialisation delays the answer (the Redis pipeline's flush, the
 * cache tiers' writes). The caller still hands the chain to waitUntil.
 */
export const afterResponse = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
