import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { matchesAnySecret } from "../lib/constant-time.ts";
import { ApiError } from "../lib/errors.ts";

export const ADMIN_REALM = 'Bearer realm="lieux-admin"';

/** `Bearer` then one space and a token of visible ASCII (RFC 6750 allows fewer characters; ours are a superset). */
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/i;

type FailureReason = "missing_header" | "malformed_header" | "invalid_token";

/**
 * Guards /v1/admin/*: `Authorization: Bearer <token>` must equal one of ADMIN_TOKEN's
 * comma-separated values (several, so a token can be rotated without downtime), compared
 * in constant time. No header → 401; a header that is not `Bearer <token>` → 400; a wrong
 * token → 401. With no ADMIN_TOKEN configured the routes answer 503 configuration_error:
 * the operator's fix is on the server, and a 401 would send them hunting for a typo in a
 * token that cannot work. Admin responses are never cached.
 */
export const adminAuth = createMiddleware<AppEnv>(async function adminAuth(c, next) {
  const { config, logger } = c.get("services");
  const reject = (reason: FailureReason, error: ApiError): never => {
    // The header is never logged: a near-miss token is still a secret.
    logger.log("warn", "admin authentication failed", { reason, method: c.req.method, path: c.req.path });
    throw error;
  };

  if (config.ADMIN_TOKEN.length === 0) {
    throw new ApiError("configuration_error", "Admin routes are disabled: ADMIN_TOKEN is not configured.");
  }
  const header = c.req.header("Authorization");
  if (!header) {
    return reject("missing_header", new ApiError("unauthorized", "Admin routes need `Authorization: Bearer <token>`.", { headers: { "WWW-Authenticate": ADMIN_REALM } }));
  }
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    return reject(
      "malformed_header",
      new ApiError("bad_request", "The Authorization header must be `Bearer <token>`, with a token of visible ASCII characters.", {
        headers: { "WWW-Authenticate": `${ADMIN_REALM}, error="invalid_request"` },
      }),
    );
  }
  if (!(await matchesAnySecret(token, config.ADMIN_TOKEN))) {
    return reject("invalid_token", new ApiError("unauthorized", "Invalid admin token.", { headers: { "WWW-Authenticate": `${ADMIN_REALM}, error="invalid_token"` } }));
  }
  await next();
  c.res.headers.set("Cache-Control", "no-store");
});
