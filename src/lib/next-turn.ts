/**
 * Resolves on a timer, one macrotask turn later: awaiting a resolved promise only queues a
 * microtask, which runs before any other request or the response's return. Two uses: work
 * chained to it runs after the request's response has been returned, so not even its
 * serialisation delays the answer (the Redis pipeline's flush, the cache tiers' writes; the
 * caller still hands the chain to waitUntil); and a long CPU-bound loop awaiting it lets the
 * isolate's other requests run in between (an import chunk's parse).
 */
export const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
