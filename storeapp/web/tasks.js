// The call-back tasks: the day's list as the server ranks it (tap to call, record the
// outcome and a note), and the printable morning slip of the same list at receipt width.

import { h } from "./dom.js";
import { graphql, ServerUnreachable } from "./http.js";

const FIELDS = `id kind status reason dueOn runsOutOn outcome note doneAt
  member { name phone }`;
const TASKS = `query($due: Date) { callbackTasks(dueOn: $due, first: 100) {
  edges { node { ${FIELDS} } } } }`;
const COMPLETE = `mutation($id: ID!, $outcome: CallbackOutcome!, $note: String) {
  callbackTaskComplete(id: $id, outcome: $outcome, note: $note) {
    task { ${FIELDS} } errors { code message field } } }`;

export const OUTCOMES = ["REACHED", "NO_ANSWER", "WRONG_NUMBER", "DECLINED"];

/** The brand's day as YYYY-MM-DD: today in Asia/Shanghai, whatever the device's zone. */
export function brandToday(now = new Date()) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(now);
}

export class TaskList {
  /** @param {object} app t(), token(), store(), notify(kind, text) */
  constructor(root, app) {
    this.root = root;
    this.app = app;
    this.day = null;
    this.tasks = [];
    this.loaded = false;
    this.slip = false;
    this.notes = new Map();
  }

  clear() {
    this.day = null;
    this.tasks = [];
    this.loaded = false;
    this.slip = false;
    this.notes.clear();
    document.body.classList.remove("slip-preview");
    this.render();
  }

  async refresh(day = this.day) {
    this.day = day || brandToday();
    try {
      const data = await graphql(TASKS, { due: this.day }, this.app.token());
      this.tasks = data.callbackTasks.edges.map((e) => e.node);
      this.loaded = true;
    } catch (err) {
      this.fail(err);
    }
    this.render();
    this.app.onCount();
  }

  get open() {
    return this.tasks.filter((task) => task.status === "OPEN").length;
  }

  fail(err) {
    const key = err instanceof ServerUnreachable ? "error.unreachable" : "error.generic";
    this.app.notify("error", this.app.t(key, { message: err.message }));
  }

  async complete(task, outcome) {
    const note = (this.notes.get(task.id) || "").trim() || null;
    let data;
    try {
      data = await graphql(COMPLETE, { id: task.id, outcome, note }, this.app.token());
    } catch (err) {
      this.fail(err);
      return;
    }
    const payload = data.callbackTaskComplete;
    if (payload.errors.length) {
      this.app.notify("error", payload.errors[0].message);
      await this.refresh();
      return;
    }
    this.tasks = this.tasks.map((t) => (t.id === task.id ? payload.task : t));
    this.notes.delete(task.id);
    this.app.notify("done", this.app.t("tasks.recorded", {
      name: task.member.name, outcome: this.app.t(`outcome.${outcome}`) }));
    this.render();
    this.app.onCount();
  }

  toggleSlip(on = !this.slip) {
    this.slip = on;
    document.body.classList.toggle("slip-preview", on);
    this.render();
  }

  render() {
    const { t } = this.app;
    const day = h("input", { type: "date", name: "task-day", value: this.day || brandToday(),
      min: "2000-01-01", max: "2100-12-31", "aria-label": t("tasks.day"),
      onchange: (e) => e.target.value && this.refresh(e.target.value) });
    const tools = h("div", { class: "row task-tools" }, day,
      h("button", { type: "button", class: "print-slip", onclick: () => this.toggleSlip() },
        this.slip ? t("tasks.closeSlip") : t("tasks.printSlip")));
    const list = this.tasks.length
      ? h("div", { class: "list" }, this.tasks.map((task, i) => this.card(task, i + 1)))
      : h("p", { class: "empty-note" }, this.loaded ? t("tasks.empty") : "");
    this.root.replaceChildren(h("h2", {}, t("tab.tasks")), tools,
      this.slip ? this.slipView() : list);
  }

  card(task, rank) {
    const { t } = this.app;
    const open = task.status === "OPEN";
    const header = h("header", {},
      h("span", { class: "rank" }, `${rank}.`),
      h("strong", { class: "task-member" }, task.member.name),
      h("span", { class: `kind kind-${task.kind}` }, t(`kind.${task.kind}`)));
    const call = h("a", { class: "call", href: `tel:${task.member.phone}` }, `☎ ${task.member.phone}`);
    const body = [
      header,
      h("p", { class: "reason" }, task.reason),
      task.runsOutOn ? h("p", { class: "meta" }, t("tasks.runsOut", { day: task.runsOutOn })) : "",
      h("div", { class: "call-row" }, call,
        h("span", { class: `task-status status-${task.status}` }, t(`taskStatus.${task.status}`))),
    ];
    if (open) {
      const note = h("textarea", { name: "note", rows: 2, maxlength: 1000,
        placeholder: t("tasks.note"), "aria-label": t("tasks.note"),
        oninput: (e) => this.notes.set(task.id, e.target.value) });
      note.value = this.notes.get(task.id) || "";
      body.push(note, h("div", { class: "outcomes" }, OUTCOMES.map((o) =>
        h("button", { type: "button", class: `outcome outcome-${o}`, dataset: { outcome: o },
          onclick: () => this.complete(task, o) }, t(`outcome.${o}`)))));
    } else if (task.outcome) {
      body.push(h("p", { class: "done-as" }, t(`outcome.${task.outcome}`),
        task.note ? ` — ${task.note}` : ""));
    }
    return h("article", { class: `card task${open ? "" : " task-closed"}`,
      dataset: { id: task.id, kind: task.kind, status: task.status } }, ...body);
  }

  slipView() {
    const { t } = this.app;
    const store = this.app.store();
    const boxes = OUTCOMES.map((o) => `□${t(`outcome.${o}`)}`).join(" ");
    return h("div", { class: "slip-wrap" },
      h("button", { type: "button", class: "primary do-print", onclick: () => window.print() },
        t("tasks.print")),
      h("div", { class: "slip", role: "document" },
        h("p", { class: "slip-title" }, t("slip.title")),
        h("p", {}, store ? `${store.code} ${store.name}` : ""),
        h("p", {}, t("slip.day", { day: this.day, count: this.tasks.length })),
        h("hr"),
        this.tasks.length === 0 ? h("p", {}, t("tasks.empty")) : "",
        this.tasks.map((task, i) => h("div", { class: "slip-task" },
          h("p", {}, h("strong", {}, `${i + 1}. ${t(`kind.${task.kind}`)}`), ` ${task.member.name}`),
          h("p", {}, task.member.phone),
          h("p", { class: "slip-reason" }, task.reason),
          task.status === "OPEN"
            ? h("p", { class: "slip-boxes" }, boxes)
            : h("p", {}, `✓ ${t(`taskStatus.${task.status}`)}`
              + (task.outcome ? ` ${t(`outcome.${task.outcome}`)}` : "")),
          h("hr"))),
        h("p", { class: "slip-foot" }, t("slip.foot"))));
  }
}
