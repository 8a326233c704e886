// The offer list: one card per pending offer, with a live countdown to its deadline.

import { h } from "./dom.js";
import { beep } from "./sound.js";
import { graphql, serverNow, ServerUnreachable } from "./http.js";

export const OFFERS_SUBSCRIPTION = `subscription {
  orderOffers {
    kind
    offer { id status expiresAt offeredAt reason }
    order {
      id number total deliveryAddress
      deliveryLocation { latitude longitude }
      items { quantity unitPrice product { name } }
    }
  }
}`;

const PENDING_ORDERS = `query { orders(status: PENDING, first: 100) {
  edges { node { id currentOffer { id status } } } } }`;

const ACCEPT = `mutation($id: ID!) { orderAccept(id: $id) {
  order { id status } errors { code message } } }`;

const DECLINE = `mutation($id: ID!, $reason: String) { orderDecline(id: $id, reason: $reason) {
  order { id status } errors { code message } } }`;

const DECLINE_REASONS = ["reason.stock", "reason.busy", "reason.far"];
const URGENT_MS = 60000;

/** Great-circle distance in km (the server's routing uses the same formula). */
export function distanceKm(a, b) {
  const rad = (deg) => (deg * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLng = rad(b.longitude - a.longitude);
  const s =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 6372.7976 * 2 * Math.asin(Math.sqrt(s));
}

export function formatRemaining(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

export class OfferList {
  /**
   * @param {HTMLElement} root the pane
   * @param {object} app t(), token(), store(), notify(kind, text), onAccepted(), onCount(n)
   */
  constructor(root, app) {
    this.root = root;
    this.list = root.querySelector(".list");
    this.app = app;
    this.entries = new Map(); // order id -> {offer, order, epoch, card}
    this.epoch = 0;
    this.timer = setInterval(() => this.tick(), 250);
  }

  clear() {
    this.entries.clear();
    this.list.replaceChildren();
    this.changed();
  }

  /** One orderOffers event. */
  handle({ kind, offer, order }) {
    if (kind === "OFFERED") this.offered(offer, order);
    else if (kind === "WITHDRAWN") this.withdrawn(offer, order);
  }

  offered(offer, order) {
    const known = this.entries.get(order.id);
    const entry = { offer, order, epoch: this.epoch, card: null };
    entry.card = this.card(entry);
    if (known) {
      known.card.replaceWith(entry.card);
    } else {
      this.list.append(entry.card);
      entry.card.classList.add("fresh");
      setTimeout(() => entry.card.classList.remove("fresh"), 4000);
      beep();
    }
    this.entries.set(order.id, entry);
    this.changed();
  }

  withdrawn(offer, order) {
    const entry = this.entries.get(order.id);
    // This device's own answer ends the offer too; its reply tells the clerk what happened.
    if (!entry || entry.answering) return;
    const why = this.app.t(`withdrawn.${offer.status}`);
    this.app.notify("withdrawn", this.app.t("withdrawn.notice", { number: order.number, why }));
    if (offer.status === "ACCEPTED") this.app.onAccepted();
    this.remove(order.id);
  }

  remove(orderId) {
    const entry = this.entries.get(orderId);
    if (!entry) return;
    entry.card.remove();
    this.entries.delete(orderId);
    this.changed();
  }

  /**
   * After a reconnect the subscription replays what is still pending; offers that ended while
   * the app was away are not replayed, so ask which orders still wait on this store.
   */
  async reconcile() {
    this.epoch += 1;
    const epoch = this.epoch;
    const data = await graphql(PENDING_ORDERS, {}, this.app.token());
    const pending = new Set(
      data.orders.edges
        .filter(({ node }) => node.currentOffer && node.currentOffer.status === "PENDING")
        .map(({ node }) => node.id),
    );
    for (const [orderId, entry] of [...this.entries]) {
      if (entry.epoch < epoch && !pending.has(orderId)) this.remove(orderId);
    }
  }

  rebuild() {
    for (const entry of this.entries.values()) {
      const card = this.card(entry);
      entry.card.replaceWith(card);
      entry.card = card;
    }
    this.tick();
  }

  setStale(stale) {
    this.root.classList.toggle("stale", stale);
    for (const button of this.list.querySelectorAll("button")) button.disabled = stale;
  }

  changed() {
    this.root.classList.toggle("has-items", this.entries.size > 0);
    this.app.onCount(this.entries.size);
    this.tick();
  }

  tick() {
    const now = serverNow();
    for (const entry of this.entries.values()) {
      const left = Date.parse(entry.offer.expiresAt) - now;
      const clock = entry.card.querySelector(".countdown");
      clock.textContent = left > 0 ? formatRemaining(left) : this.app.t("offer.closing");
      clock.dataset.remainingMs = String(Math.max(0, Math.round(left)));
      entry.card.classList.toggle("urgent", left < URGENT_MS);
    }
  }

  card(entry) {
    const { t } = this.app;
    const { order } = entry;
    const store = this.app.store();
    const km = store ? distanceKm(store.location, order.deliveryLocation).toFixed(1) : "?";
    const lines = order.items.map((item) =>
      h("li", {}, `${item.quantity} × ${item.product.name}`),
    );
    const decline = this.declineForm(entry);
    return h(
      "article",
      { class: "card offer", dataset: { orderId: order.id, number: order.number } },
      h(
        "header",
        {},
        h("strong", { class: "number" }, `#${order.number}`),
        h("span", { class: "countdown", title: t("offer.deadline") }, ""),
      ),
      h("ul", { class: "lines" }, lines),
      h("p", { class: "address" }, order.deliveryAddress),
      h(
        "p",
        { class: "meta" },
        h("span", { class: "distance" }, t("offer.distance", { km })),
        h("span", { class: "total" }, `¥${order.total}`),
      ),
      h(
        "div",
        { class: "actions" },
        h("button", { class: "primary accept", type: "button", onclick: () => this.accept(entry) },
          t("offer.accept")),
        h("button", { class: "decline", type: "button", onclick: () => decline.toggleAttribute("hidden") },
          t("offer.decline")),
      ),
      decline,
    );
  }

  declineForm(entry) {
    const { t } = this.app;
    const input = h("input", { name: "reason", required: true,
      placeholder: t("offer.reason"), "aria-label": t("offer.reason") });
    const choices = DECLINE_REASONS.map((key) =>
      h("button", { type: "button", class: "chip", onclick: () => { input.value = t(key); } }, t(key)),
    );
    return h(
      "form",
      { class: "decline-form", hidden: true,
        onsubmit: (event) => { event.preventDefault(); this.decline(entry, input.value.trim()); } },
      h("div", { class: "chips" }, choices),
      input,
      h("button", { type: "submit", class: "danger confirm-decline" }, t("offer.confirmDecline")),
    );
  }

  async accept(entry) {
    const payload = await this.answer(entry, ACCEPT, { id: entry.order.id }, "orderAccept");
    if (!payload) return;
    if (payload.errors.length === 0) {
      this.app.notify("accepted", this.app.t("offer.accepted", { number: entry.order.number }));
      this.remove(entry.order.id);
      this.app.onAccepted();
    } else {
      this.refused(entry, payload.errors[0]);
    }
  }

  async decline(entry, reason) {
    const variables = { id: entry.order.id, reason: reason || null };
    const payload = await this.answer(entry, DECLINE, variables, "orderDecline");
    if (!payload) return;
    if (payload.errors.length === 0) {
      this.app.notify("declined", this.app.t("offer.declined", { number: entry.order.number }));
      this.remove(entry.order.id);
    } else {
      this.refused(entry, payload.errors[0]);
    }
  }

  /** Send an answer with the card's buttons held; the payload, or null after a failure. */
  async answer(entry, mutation, variables, field) {
    const buttons = entry.card.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    entry.answering = true;
    try {
      return (await graphql(mutation, variables, this.app.token()))[field];
    } catch (err) {
      const key = err instanceof ServerUnreachable ? "error.unreachable" : "error.generic";
      this.app.notify("error", this.app.t(key, { message: err.message }));
      return null;
    } finally {
      entry.answering = false;
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  refused(entry, error) {
    if (error.code === "OFFER_NOT_PENDING") {
      // Expired a moment ago, or answered on another device: it is no longer ours to act on.
      this.app.notify("taken", this.app.t("offer.takenAway", { number: entry.order.number }));
      this.remove(entry.order.id);
    } else {
      this.app.notify("error", error.message);
    }
  }
}
