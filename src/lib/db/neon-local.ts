import { neonConfig } from "@neondatabase/serverless";

let configuredFor: string | undefined;

/** Points the Neon driver at the local endpoint. Called only when env NEON_LOCAL_PROXY (e.g. "127.0.0.1:54321") is set; production talks to Neon directly. */
export function useLocalNeonEndpoint(proxyHost: string): void {
  // Called per request; neonConfig is global to the isolate, so configure it once.
  if (configuredFor === proxyHost) return;
  // The driver adds the protocol itself (ws: because useSecureWebSocket is false), so none here.
  neonConfig.wsProxy = (host, port) => `${proxyHost}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  // The default ("password") pipelines a cleartext-password reply, which fails against SCRAM auth.
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  // The default endpoint rewrites the host's first label to "api.", which breaks an IP address.
  neonConfig.fetchEndpoint = `http://${proxyHost}/sql`;
  // Pool queries must keep using the WebSocket path so transactions and sessions behave as in production.
  neonConfig.poolQueryViaFetch = false;
  configuredFor = proxyHost;
}
