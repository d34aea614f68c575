'use strict';
// Runs graphql-http's server audit (GraphQL over HTTP conformance) against one URL and prints the results
// as JSON on stdout: [{id, name, status, reason, responseStatus, responseBody}].
// Usage: GRAPHQL_AUDIT_TOKEN=<token> node graphql_http_audit.cjs <npm prefix holding graphql-http> <url>
// Every request carries the bearer token (the endpoint answers 401 without one): the audit's own requests
// go through a fetch that adds the header. The token comes from the environment, not argv (ps shows argv).
const { createRequire } = require('node:module');
const path = require('node:path');

async function main() {
  const [prefix, url] = process.argv.slice(2);
  const token = process.env.GRAPHQL_AUDIT_TOKEN;
  if (!prefix || !url || !token) {
    throw new Error('usage: GRAPHQL_AUDIT_TOKEN=<token> node graphql_http_audit.cjs <prefix> <url>');
  }
  const { auditServer } = createRequire(path.join(path.resolve(prefix), 'package.json'))('graphql-http');

  function fetchFn(input, init = {}) {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  }

  const results = await auditServer({ url, fetchFn });
  const report = [];
  for (const result of results) {
    const entry = { id: result.id, name: result.name, status: result.status, reason: result.reason ?? null };
    if (result.status !== 'ok' && result.response) {
      entry.responseStatus = result.response.status;
      try {
        entry.responseBody = await result.response.text();
      } catch {
        entry.responseBody = null; // the audit has read it already
      }
    }
    report.push(entry);
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
