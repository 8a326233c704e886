// The delivery board: accepted orders, then out for delivery, until completed.

import { h } from "./dom.js";
import { graphql, ServerUnreachable } from "./http.js";

const BOARD = `query {
  accepted: orders(status: ACCEPTED, first: 100) { edges { node { ...BoardOrder } } }
  onTheWay: orders(status: OUT_FOR_DELIVERY, first: 100) { edges { node { ...BoardOrder } } }
}
fragment BoardOrder on Order {
  id number status total deliveryAddress acceptedAt
  items { quantity product { name } }
}`;

const MOVES = {
  ACCEPTED: { field: "orderStartDelivery", label: "board.start" },
  OUT_FOR_DELIVERY: { field: "orderComplete", label: "board.complete" },
};

const move = (field) => `mutation($id: ID!) { ${field}(id: $id) {
  order { id status } errors { code message } } }`;

export class DeliveryBoard {
  /** @param {object} app t(), token(), notify(kind, text), onCount(n) */
  constructor(root, app) {
    this.root = root;
    this.list = root.querySelector(".list");
    this.app = app;
    this.orders = [];
  }

  clear() {
    this.orders = [];
    this.render();
  }

  async refresh() {
    try {
      const data = await graphql(BOARD, {}, this.app.token());
      const nodes = (connection) => connection.edges.map((edge) => edge.node);
      this.orders = [...nodes(data.onTheWay), ...nodes(data.accepted)];
    } catch (err) {
      if (!(err instanceof ServerUnreachable)) this.app.notify("error", err.message);
    }
    this.render();
  }

  render() {
    const { t } = this.app;
    this.list.replaceChildren(
      ...this.orders.map((order) => {
        const next = MOVES[order.status];
        return h(
          "article",
          { class: "card delivery", dataset: { orderId: order.id, number: order.number, status: order.status } },
          h("header", {}, h("strong", { class: "number" }, `#${order.number}`),
            h("span", { class: "status" }, t(`status.${order.status}`))),
          h("ul", { class: "lines" },
            order.items.map((item) => h("li", {}, `${item.quantity} × ${item.product.name}`))),
          h("p", { class: "address" }, order.deliveryAddress),
          h("div", { class: "actions" },
            h("button", { class: "primary", type: "button", onclick: (e) => this.advance(order, e.target) },
              t(next.label))),
        );
      }),
    );
    this.root.classList.toggle("has-items", this.orders.length > 0);
    this.app.onCount(this.orders.length);
  }

  setStale(stale) {
    this.root.classList.toggle("stale", stale);
    for (const button of this.list.querySelectorAll("button")) button.disabled = stale;
  }

  async advance(order, button) {
    button.disabled = true;
    try {
      const field = MOVES[order.status].field;
      const payload = (await graphql(move(field), { id: order.id }, this.app.token()))[field];
      if (payload.errors.length) this.app.notify("error", payload.errors[0].message);
      else if (payload.order.status === "DELIVERED") {
        this.app.notify("delivered", this.app.t("board.delivered", { number: order.number }));
      }
    } catch (err) {
      const key = err instanceof ServerUnreachable ? "error.unreachable" : "error.generic";
      this.app.notify("error", this.app.t(key, { message: err.message }));
    }
    await this.refresh();
  }
}
