// The store app: sign-in, the live offer list, the delivery board, the counter and the
// call-back tasks.

import { $, h } from "./dom.js";
import { GraphQLSocket } from "./gqlws.js";
import { graphql, socketUrl, ServerUnreachable } from "./http.js";
import { language, setLanguage, t } from "./i18n.js";
import { OfferList, OFFERS_SUBSCRIPTION } from "./offers.js";
import { DeliveryBoard } from "./board.js";
import { Counter } from "./counter.js";
import { TaskList } from "./tasks.js";
import { unlockSound } from "./sound.js";

// The store app signs in to the phone's staff account, never to a member account on it.
const LOGIN = `mutation($phone: String!, $password: String!) {
  tokenCreate(phone: $phone, password: $password, role: STAFF) {
    token
    viewer { role staff { name } store { id code name location { latitude longitude } } }
    errors { code message }
  }
}`;

const STAFF_ROLES = new Set(["CLERK", "MANAGER"]);
const SESSION_KEY = "o2o.store.session";
const NOTICE_MS = 8000;
const TITLE = document.title;

let session = null;
let socket = null;
let droppedAt = null;

const app = {
  t,
  token: () => session && session.token,
  store: () => session && session.viewer.store,
  notify,
  onAccepted: () => board.refresh(),
  onCount: () => updateCounts(),
};

const offers = new OfferList($("#offers"), app);
const board = new DeliveryBoard($("#board"), app);
const counter = new Counter($("#counter"), app);
const tasks = new TaskList($("#tasks"), app);

function notify(kind, text) {
  const notice = h("p", { class: `notice notice-${kind}`, dataset: { kind } }, text);
  const area = $("#notices");
  area.append(notice);
  while (area.children.length > 4) area.firstElementChild.remove();
  setTimeout(() => notice.remove(), kind === "error" ? NOTICE_MS * 2 : NOTICE_MS);
}

function updateCounts() {
  const pending = offers.entries.size;
  $("#offer-count").textContent = String(pending);
  $("#board-count").textContent = String(board.orders.length);
  $("#task-count").textContent = String(tasks.open);
  document.title = pending ? `(${pending}) ${TITLE}` : TITLE;
}

// ---- connection state -------------------------------------------------------------------

function showConnection(state, detail = {}) {
  const el = $("#connection");
  el.dataset.state = state;
  el.textContent =
    state === "reconnecting" && detail.retryInMs
      ? t("conn.reconnectingIn", { seconds: Math.max(1, Math.round(detail.retryInMs / 1000)) })
      : t(`conn.${state}`);
}

function onSocketState(state, detail) {
  showConnection(state, detail);
  if (state === "live") {
    droppedAt = null;
    setStale(false);
    if (detail.reconnected) {
      offers.reconcile().catch(() => {});
      board.refresh();
    }
  } else if (state === "reconnecting") {
    droppedAt = droppedAt || new Date();
    setStale(true);
  } else if (state === "rejected") {
    logout(t("login.expired"));
  }
}

function setStale(stale) {
  const banner = $("#stale-banner");
  banner.hidden = !stale;
  if (stale) banner.textContent = t("stale.banner", { time: droppedAt.toLocaleTimeString() });
  document.body.classList.toggle("stale", stale);
  offers.setStale(stale);
  board.setStale(stale);
}

// ---- session ----------------------------------------------------------------------------

async function login(event) {
  event.preventDefault();
  unlockSound();
  const form = event.target;
  const error = $("#login-error");
  error.hidden = true;
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const variables = { phone: form.phone.value.trim(), password: form.password.value };
    const payload = (await graphql(LOGIN, variables)).tokenCreate;
    if (payload.errors.length) {
      showLoginError(payload.errors[0].code === "INVALID" ? t("login.wrong") : payload.errors[0].message);
    } else if (!STAFF_ROLES.has(payload.viewer.role)) {
      showLoginError(t("login.notStaff"));
    } else {
      session = { token: payload.token, viewer: payload.viewer };
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      form.password.value = "";
      enter();
    }
  } catch (err) {
    showLoginError(err instanceof ServerUnreachable ? t("error.unreachable") : err.message);
  } finally {
    button.disabled = false;
  }
}

function showLoginError(text) {
  const error = $("#login-error");
  error.textContent = text;
  error.hidden = false;
}

function enter() {
  $("#login-view").hidden = true;
  $("#work-view").hidden = false;
  $("#logout").hidden = false;
  $("#store-name").textContent = `${session.viewer.store.code} ${session.viewer.store.name}`;
  board.refresh();
  counter.loadCatalogue();
  tasks.refresh();
  socket = new GraphQLSocket({
    url: socketUrl(),
    connectionParams: () => ({ Authorization: `Bearer ${session.token}` }),
    onState: onSocketState,
  });
  socket.subscribe(OFFERS_SUBSCRIPTION, {}, {
    next: (payload) => {
      if (payload.data) offers.handle(payload.data.orderOffers);
      else notify("error", (payload.errors || [{ message: "?" }])[0].message);
    },
    error: (errors) => notify("error", errors[0].message),
  });
  socket.start();
}

function logout(message = null) {
  if (socket) socket.stop();
  socket = null;
  session = null;
  droppedAt = null;
  sessionStorage.removeItem(SESSION_KEY);
  setStale(false);
  offers.clear();
  board.clear();
  counter.clear();
  tasks.clear();
  $("#work-view").hidden = true;
  $("#logout").hidden = true;
  $("#login-view").hidden = false;
  $("#store-name").textContent = "";
  showConnection("signed-out");
  if (message) showLoginError(message);
}

// ---- layout -----------------------------------------------------------------------------

function selectTab(name) {
  document.body.dataset.tab = name;
  if (name !== "tasks") tasks.toggleSlip(false);
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  }
}

function switchLanguage() {
  setLanguage(language() === "en" ? "zh" : "en");
  $("#lang").textContent = language() === "en" ? "中文" : "English";
  showConnection($("#connection").dataset.state);
  if (droppedAt) setStale(true);
  offers.rebuild();
  board.render();
  counter.render();
  tasks.render();
}

function start() {
  setLanguage(language());
  $("#lang").textContent = language() === "en" ? "中文" : "English";
  $("#lang").addEventListener("click", switchLanguage);
  $("#login-form").addEventListener("submit", login);
  $("#logout").addEventListener("click", () => logout());
  for (const tab of document.querySelectorAll("nav [data-tab]")) {
    tab.addEventListener("click", () => selectTab(tab.dataset.tab));
  }
  selectTab("offers");
  counter.render();
  const saved = sessionStorage.getItem(SESSION_KEY);
  session = saved ? JSON.parse(saved) : null;
  if (session) enter();
  else showConnection("signed-out");
}

start();
