// The counter (POS): find a member by phone, record a sale (with the units' codes, scanned),
// redeem a reward or a voucher.

import { h } from "./dom.js";
import { graphql, idempotencyKey, ServerUnreachable } from "./http.js";

const MEMBER_FIELDS = `id name phone tier pointsBalance
  vouchers(status: ISSUED) { id status product { name } }`;

const FIND = `query($phone: String!) { memberByPhone(phone: $phone) { ${MEMBER_FIELDS} } }`;
const CATALOGUE = `query { products { id name price } rewards { id name pointsCost } }`;
const PURCHASE = `mutation($input: PurchaseRecordInput!) { purchaseRecord(input: $input) {
  entry { id delta balanceAfter kind }
  member { id name pointsBalance tier }
  vouchersIssued { id status }
  serials { code kind alertId }
  errors { code message field } } }`;
const REDEEM = `mutation($input: PointsRedeemInput!) { pointsRedeem(input: $input) {
  entry { id delta balanceAfter kind }
  member { id name pointsBalance tier }
  errors { code message field } } }`;
const VOUCHER = `mutation($id: ID!, $memberId: ID!) { voucherRedeem(id: $id, memberId: $memberId) {
  voucher { id status } errors { code message field } } }`;

const productName = (voucher) => (voucher.product ? voucher.product.name : "");

// The server's rule for a unit code (domain/crm/channel/serials.py): a code that breaks it is
// refused at once, where the clerk can scan again, rather than by the whole sale.
const SERIAL = /^[A-Z0-9-]{8,40}$/;
// What the scan found of a code: kind null is in order.
const SCAN_STATE = { DIVERTED: "diverted", DUPLICATE_SCAN: "duplicate", UNKNOWN_SERIAL: "unknown" };

export class Counter {
  /** @param {object} app t(), token(), notify(kind, text) */
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.member = null;
    this.products = [];
    this.rewards = [];
    this.lines = [];
    this.serials = [];
    this.serialError = null;
    this.scans = [];
    this.result = null;
  }

  clear() {
    this.member = null;
    this.lines = [];
    this.serials = [];
    this.serialError = null;
    this.scans = [];
    this.result = null;
    this.render();
  }

  async loadCatalogue() {
    try {
      const data = await graphql(CATALOGUE, {}, this.app.token());
      this.products = data.products;
      this.rewards = data.rewards;
    } catch (err) {
      this.fail(err);
    }
    this.render();
  }

  async call(query, variables) {
    try {
      return await graphql(query, variables, this.app.token());
    } catch (err) {
      this.fail(err);
      return null;
    }
  }

  fail(err) {
    const key = err instanceof ServerUnreachable ? "error.unreachable" : "error.generic";
    this.app.notify("error", this.app.t(key, { message: err.message }));
  }

  async find(phone) {
    const data = await this.call(FIND, { phone });
    if (!data) return;
    this.member = data.memberByPhone;
    this.lines = [];
    this.serials = [];
    this.serialError = null;
    this.scans = [];
    this.result = this.member ? null : { error: this.app.t("counter.noMember", { phone }) };
    this.render();
  }

  async reload() {
    if (this.member) {
      const data = await this.call(FIND, { phone: this.member.phone });
      if (data && data.memberByPhone) this.member = data.memberByPhone;
    }
    this.render();
  }

  async recordSale() {
    const input = {
      memberId: this.member.id,
      lines: this.lines.map(({ product, quantity }) => ({ productId: product.id, quantity })),
      idempotencyKey: idempotencyKey(),
    };
    if (this.serials.length) input.serials = [...this.serials];
    const data = await this.call(PURCHASE, { input });
    if (!data) return;
    const payload = data.purchaseRecord;
    if (payload.errors.length) {
      this.result = { error: payload.errors[0].message };  // the codes stay, to fix and send again
    } else {
      this.lines = [];
      this.serials = [];
      this.serialError = null;
      this.scans = payload.serials || [];
      this.result = {
        ok: this.app.t("counter.saleDone", {
          points: payload.entry ? payload.entry.delta : 0,
          balance: payload.member.pointsBalance,
          vouchers: payload.vouchersIssued.length,
        }),
      };
    }
    await this.reload();
  }

  /** A code from the scanner (a keyboard: it types the code, then Enter). */
  addSerial(text) {
    const code = text.trim().toUpperCase();
    if (!code) return;
    if (!SERIAL.test(code)) {
      this.serialError = this.app.t("counter.serialBad", { code: code.slice(0, 40) });
    } else if (this.serials.includes(code)) {
      this.serialError = this.app.t("counter.serialTwice", { code });
    } else {
      this.serials.push(code);
      this.serialError = null;
    }
    this.render();
    // The next scan goes where this one went: the field is made anew by render().
    const field = this.root.querySelector("input[name=serial]");
    if (field) field.focus();
  }

  async redeemReward(rewardId) {
    const input = { memberId: this.member.id, rewardId, channel: "STORE", idempotencyKey: idempotencyKey() };
    const data = await this.call(REDEEM, { input });
    if (!data) return;
    const payload = data.pointsRedeem;
    this.result = payload.errors.length
      ? { error: payload.errors[0].message }
      : { ok: this.app.t("counter.rewardDone", { points: -payload.entry.delta, balance: payload.member.pointsBalance }) };
    await this.reload();
  }

  async redeemVoucher(voucher) {
    // The member found at the counter: the server refuses a voucher of anyone else.
    const data = await this.call(VOUCHER, { id: voucher.id, memberId: this.member.id });
    if (!data) return;
    const payload = data.voucherRedeem;
    this.result = payload.errors.length
      ? { error: payload.errors[0].message }
      : { ok: this.app.t("counter.voucherDone", { name: productName(voucher) }) };
    await this.reload();
  }

  render() {
    const { t } = this.app;
    const phone = h("input", { name: "member-phone", type: "tel", required: true, "aria-label": t("login.phone"),
      placeholder: t("login.phone"), value: this.member ? this.member.phone : "" });
    const search = h("form", { class: "row find",
      onsubmit: (e) => { e.preventDefault(); this.find(phone.value.trim()); } },
    phone, h("button", { type: "submit", class: "primary" }, t("counter.find")));
    this.root.replaceChildren(h("h2", {}, t("tab.counter")), search, this.resultBox(),
      ...(this.member ? [this.memberCard(), this.scanResult(), this.saleForm(), this.redeemBox()] : []));
  }

  resultBox() {
    if (!this.result) return "";
    return this.result.error
      ? h("p", { class: "error counter-result", role: "alert" }, this.result.error)
      : h("p", { class: "ok counter-result", role: "status" }, this.result.ok);
  }

  memberCard() {
    const { t } = this.app;
    const m = this.member;
    return h("div", { class: "card member", dataset: { memberId: m.id } },
      h("strong", { class: "member-name" }, m.name),
      h("span", { class: "tier" }, t(`tier.${m.tier}`)),
      h("p", {}, t("counter.points"), " ", h("strong", { class: "points-balance" }, String(m.pointsBalance))));
  }

  scanResult() {
    // What the last sale's scan found of each code, in the order scanned.
    if (!this.scans.length) return "";
    const { t } = this.app;
    return h("div", { class: "card scan-result" },
      h("h3", {}, t("counter.scanned")),
      h("ul", { class: "serial-states" }, this.scans.map((s) => {
        const state = s.kind ? SCAN_STATE[s.kind] || "unknown" : "ok";
        return h("li", { class: `serial-state ${state}`, dataset: { code: s.code, kind: s.kind || "" } },
          h("code", {}, s.code), " ", h("span", { class: "state" }, t(`serial.${s.kind || "OK"}`)));
      })));
  }

  serialField() {
    const { t } = this.app;
    const field = h("input", { name: "serial", type: "text", autocomplete: "off", autocapitalize: "characters",
      spellcheck: "false", enterkeyhint: "done", "aria-label": t("counter.serial"),
      placeholder: t("counter.serialHint") });
    field.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();  // Enter ends a code, it does not record the sale
      this.addSerial(field.value);
    });
    return [
      h("div", { class: "row serial-row" }, field),
      this.serialError ? h("p", { class: "error serial-error", role: "alert" }, this.serialError) : "",
      h("ul", { class: "serials" }, this.serials.map((code, i) => h("li", { dataset: { code } }, h("code", {}, code), " ",
        h("button", { type: "button", class: "link remove-serial", "aria-label": t("counter.removeSerial", { code }),
          onclick: () => { this.serials.splice(i, 1); this.serialError = null; this.render(); } }, "✕")))),
    ];
  }

  saleForm() {
    const { t } = this.app;
    const product = h("select", { name: "product", "aria-label": t("counter.product") },
      this.products.map((p) => h("option", { value: p.id }, `${p.name} ¥${p.price}`)));
    const quantity = h("input", { name: "quantity", type: "number", min: 1, value: 1,
      "aria-label": t("counter.quantity"), class: "qty" });
    const add = () => {
      const chosen = this.products.find((p) => p.id === product.value);
      const n = Number.parseInt(quantity.value, 10);
      if (!chosen || !(n > 0)) return;
      this.lines.push({ product: chosen, quantity: n });
      this.render();
    };
    return h("form", { class: "card sale", onsubmit: (e) => { e.preventDefault(); this.recordSale(); } },
      h("h3", {}, t("counter.sale")),
      h("div", { class: "row" }, product, quantity,
        h("button", { type: "button", class: "add-line", onclick: add }, t("counter.addLine"))),
      h("ul", { class: "lines" }, this.lines.map((line, i) => h("li", {}, `${line.quantity} × ${line.product.name} `,
        h("button", { type: "button", class: "link", onclick: () => { this.lines.splice(i, 1); this.render(); } }, "✕")))),
      h("h3", {}, t("counter.serials", { n: this.serials.length })),
      ...this.serialField(),
      h("button", { type: "submit", class: "primary record-sale", disabled: this.lines.length === 0 },
        t("counter.record")));
  }

  redeemBox() {
    const { t } = this.app;
    const reward = h("select", { name: "reward", "aria-label": t("counter.reward") },
      this.rewards.map((r) => h("option", { value: r.id }, t("counter.rewardOption", { name: r.name, points: r.pointsCost }))));
    const vouchers = this.member.vouchers || [];
    return h("div", { class: "card redeem" },
      h("h3", {}, t("counter.redeem")),
      h("div", { class: "row" }, reward,
        h("button", { type: "button", class: "redeem-reward", onclick: () => this.redeemReward(reward.value) },
          t("counter.redeemReward"))),
      h("h3", {}, t("counter.vouchers")),
      vouchers.length === 0 ? h("p", { class: "empty-note" }, t("counter.noVouchers")) : "",
      h("ul", { class: "vouchers" }, vouchers.map((v) => h("li", { dataset: { voucherId: v.id } }, productName(v), " ",
        h("button", { type: "button", class: "redeem-voucher", onclick: () => this.redeemVoucher(v) },
          t("counter.useVoucher"))))));
  }
}
