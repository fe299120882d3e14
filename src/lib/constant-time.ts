const encoder = new TextEncoder();

// Random values may only be drawn while handling a request in workerd, hence lazily.
let isolateKey: Promise<CryptoKey> | undefined;

function macKey(): Promise<CryptoKey> {
  return (isolateKey ??= crypto.subtle.importKey("raw", crypto.getRandomValues(new Uint8Array(32)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
}

async function mac(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign("HMAC", await macKey(), encoder.encode(value));
}

/**
 * Compares two secrets without leaking where they differ, or how long the expected one
 * is: both sides are HMAC'd with a per-isolate random key first, so the byte comparison
 * always runs over two 32-byte digests, whatever the inputs' lengths.
 */
export async function constantTimeEqual(candidate: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([mac(candidate), mac(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** True when `candidate` equals any of `expected`; every entry is compared, so the match position does not show in the timing. */
export async function matchesAnySecret(candidate: string, expected: readonly string[]): Promise<boolean> {
  const results = await Promise.all(expected.map((secret) => constantTimeEqual(candidate, secret)));
  return results.some(Boolean);
}
