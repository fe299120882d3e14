import type { AppConfig, WorkerEnv } from "./env.ts";
import type { Services } from "./lib/services.ts";

/** Hono's typing of `c.env` and `c.var` for every route and middleware. */
export interface AppEnv {
  Bindings: WorkerEnv;
  Variables: {
    requestId: string;
    config: AppConfig;
    services: Services;
  };
}
