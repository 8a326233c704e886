// GraphQL over HTTP, and the server's clock as the Date header tells it.

export class ServerUnreachable extends Error {}

export class GraphQLRequestError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

let clockSkewMs = 0;

/** Milliseconds since the epoch on the server's clock (as far as the Date header tells). */
export function serverNow() {
  return Date.now() + clockSkewMs;
}

function noteServerDate(response) {
  const header = response.headers.get("date");
  if (!header) return;
  const skew = Date.parse(header) - Date.now();
  // The header has whole seconds: correct only a skew larger than its rounding.
  clockSkewMs = Math.abs(skew) > 2000 ? skew : 0;
}

/**
 * Run one operation; resolves to `data`. A GraphQL error rejects with GraphQLRequestError
 * (its `code` from `extensions.code`), a network failure with ServerUnreachable.
 */
export async function graphql(query, variables = {}, token = null) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(new URL("../graphql", document.baseURI), {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ServerUnreachable(String(err));
  }
  noteServerDate(response);
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ServerUnreachable(`HTTP ${response.status}`);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    throw new GraphQLRequestError(first.message, (first.extensions || {}).code || null);
  }
  return body.data;
}

export function socketUrl() {
  const url = new URL("../graphql", document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** A key for one sale or redemption: the same click retried must not count twice. */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
