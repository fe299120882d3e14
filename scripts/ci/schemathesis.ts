import { spawn } from "node:child_process";
import { LOCAL_ADMIN_TOKEN, startLocalApi } from "../../test/e2e/helpers/local-api.ts";

/**
 * `npm run test:schema`: Schemathesis, an OpenAPI conformance oracle nobody here wrote, against
 * a throwaway local stack and `wrangler dev`. Every documented operation and its generated
 * cases: no 5xx, every response in its documented schema, status code and content type. The
 * admin operations run with the token (they open throwaway import jobs on this stack only).
 * SCHEMATHESIS_SEED replays a run; SCHEMATHESIS_MAX_EXAMPLES sets the cases per operation.
 */
const seed = process.env.SCHEMATHESIS_SEED ?? "20261128";
const maxExamples = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? "30";

const api = await startLocalApi({ ADMIN_RATE_LIMIT_PER_MINUTE: "1000000" });
let code = 1;
try {
  console.log(`schemathesis: ${api.origin}/openapi.json, seed ${seed}, ${maxExamples} examples per operation`);
  const st = spawn(
    "st",
    [
      "run",
      `${api.origin}/openapi.json`,
      "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
      "--header", `Authorization: Bearer ${LOCAL_ADMIN_TOKEN}`,
      "--max-examples", maxExamples,
      "--seed", seed,
      "--request-timeout", "30",
      "--phases", "examples,coverage,fuzzing",
    ],
    { stdio: "inherit", env: { ...process.env, NO_COLOR: "1" } },
  );
  code = await new Promise<number>((resolve) => st.on("exit", (exit) => resolve(exit ?? 1)));
} finally {
  await api.stop();
}
process.exit(code);
