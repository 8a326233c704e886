// A small graphql-transport-ws client: one socket, subscriptions re-sent after every reconnect.
// The protocol: connection_init -> connection_ack, then subscribe/next/error/complete, ping/pong.

const PROTOCOL = "graphql-transport-ws";
const ACK_TIMEOUT_MS = 10000;
const PING_EVERY_MS = 15000;
const PONG_TIMEOUT_MS = 8000;
// Close codes after which retrying with the same token cannot help.
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403]);

export class GraphQLSocket {
  /**
   * @param {object} options
   * @param {string} options.url ws:// or wss:// URL of /graphql
   * @param {() => object} options.connectionParams payload of connection_init
   * @param {(state: string, detail?: object) => void} options.onState
   *   "connecting" | "live" | "reconnecting" | "rejected" | "closed"
   * @param {number} [options.minDelayMs] first back-off delay
   * @param {number} [options.maxDelayMs] longest back-off delay
   */
  constructor({ url, connectionParams, onState, minDelayMs = 500, maxDelayMs = 10000 }) {
    this.url = url;
    this.connectionParams = connectionParams;
    this.onState = onState;
    this.minDelayMs = minDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.subscriptions = new Map();
    this.nextId = 1;
    this.attempt = 0;
    this.socket = null;
    this.stopped = true;
    this.timers = {};
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  stop() {
    this.stopped = true;
    this.clearTimers();
    if (this.socket) this.socket.close(1000, "bye");
    this.socket = null;
    this.onState("closed");
  }

  /** Subscribe for as long as the client runs; returns a function that ends it. */
  subscribe(query, variables, handlers) {
    const id = String(this.nextId++);
    this.subscriptions.set(id, { query, variables, handlers });
    if (this.live) this.sendSubscribe(id);
    return () => {
      this.subscriptions.delete(id);
      if (this.live) this.send({ id, type: "complete" });
    };
  }

  get live() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN && this.acked;
  }

  open() {
    this.acked = false;
    this.onState(this.attempt === 0 ? "connecting" : "reconnecting", { attempt: this.attempt });
    let socket;
    try {
      socket = new WebSocket(this.url, PROTOCOL);
    } catch (err) {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.send({ type: "connection_init", payload: this.connectionParams() });
      this.timers.ack = setTimeout(() => socket.close(4408, "no ack"), ACK_TIMEOUT_MS);
    };
    socket.onmessage = (event) => this.receive(socket, event.data);
    socket.onclose = (event) => this.closed(socket, event);
  }

  receive(socket, raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      socket.close(4400, "bad message");
      return;
    }
    const sub = this.subscriptions.get(message.id);
    switch (message.type) {
      case "connection_ack": {
        clearTimeout(this.timers.ack);
        this.acked = true;
        const reconnected = this.attempt > 0;
        this.attempt = 0;
        this.keepAlive(socket);
        for (const id of this.subscriptions.keys()) this.sendSubscribe(id);
        this.onState("live", { reconnected });
        break;
      }
      case "ping":
        this.send({ type: "pong" });
        break;
      case "pong":
        clearTimeout(this.timers.pong);
        break;
      case "next":
        if (sub) sub.handlers.next(message.payload);
        break;
      case "error":
        if (sub) sub.handlers.error(message.payload);
        break;
      case "complete":
        if (sub && sub.handlers.complete) sub.handlers.complete();
        break;
    }
  }

  keepAlive(socket) {
    // A dead network path shows no close event; an unanswered ping finds it.
    clearInterval(this.timers.ping);
    this.timers.ping = setInterval(() => {
      this.send({ type: "ping" });
      this.timers.pong = setTimeout(() => socket.close(4408, "no pong"), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  closed(socket, event) {
    if (socket !== this.socket) return;
    this.clearTimers();
    this.socket = null;
    this.acked = false;
    if (this.stopped) return;
    if (FATAL_CLOSE_CODES.has(event.code)) {
      this.stopped = true;
      this.onState("rejected", { code: event.code, reason: event.reason });
      return;
    }
    this.retry();
  }

  retry() {
    const ceiling = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** this.attempt);
    // Jitter spreads a whole shop floor of apps reconnecting after one server restart.
    const delay = Math.round(ceiling * (0.5 + Math.random() * 0.5));
    this.attempt += 1;
    this.onState("reconnecting", { attempt: this.attempt, retryInMs: delay });
    this.timers.retry = setTimeout(() => this.open(), delay);
  }

  sendSubscribe(id) {
    const { query, variables } = this.subscriptions.get(id);
    this.send({ id, type: "subscribe", payload: { query, variables } });
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  clearTimers() {
    clearTimeout(this.timers.ack);
    clearTimeout(this.timers.retry);
    clearTimeout(this.timers.pong);
    clearInterval(this.timers.ping);
  }
}
