"use strict";
// The relaybot web chat: posts what the visitor types through the outbox, renders what the bot
// says live. What was sent shows at once, marked until the server has acknowledged it.

const UI = {
  en: { bots: "Bots", send: "Send", placeholder: "Type a message…", message: "Message",
        online: "online", offline: "reconnecting…", pick: "Pick a bot on the left to start.",
        hello: "Say hello to start", sending: "Sending…", notSent: "Not sent.", retry: "Retry",
        refused: "Not sent:", skip: "Skip to message box", language: "Language",
        conversation: "Conversation", title: "relaybot — web chat", menu: "Menu",
        attach: "Attach a photo or file", toSend: "Files to send", remove: "Remove",
        uploading: "uploading…", uploadFailed: "could not be sent, try again", photo: "Photo",
        file: "File" },
  ru: { bots: "Боты", send: "Отправить", placeholder: "Напишите сообщение…", message: "Сообщение",
        online: "на связи", offline: "переподключение…", pick: "Выберите бота слева, чтобы начать.",
        hello: "Начните с приветствия", sending: "Отправляется…", notSent: "Не отправлено.",
        retry: "Повторить", refused: "Не отправлено:", skip: "Перейти к полю сообщения",
        language: "Язык", conversation: "Переписка", title: "relaybot — веб-чат", menu: "Меню",
        attach: "Прикрепить фото или файл", toSend: "Файлы к отправке", remove: "Убрать",
        uploading: "загружается…", uploadFailed: "не отправлен, попробуйте ещё раз",
        photo: "Фото", file: "Файл",
        // Why a file was refused, in the page's language (the English page shows the server's).
        fileTooBig: "файл слишком большой", fileWrongType: "принимаются только фото (JPEG, PNG, GIF, WebP) и PDF",
        fileTooMany: "в этом чате уже слишком много файлов" },
};
// An upload's refusal by its status: the Russian page says it itself.
const FILE_REFUSALS = { 413: "fileTooBig", 415: "fileWrongType", 429: "fileTooMany" };
// A message still not acknowledged after this long says so and offers a retry (it keeps trying).
const NOT_SENT_AFTER_MS = 10000;

const state = {
  bots: [], bot: null, lastId: 0, shown: new Set(),
  lang: localStorage.getItem("relaybot.lang") || ((navigator.language || "ru").startsWith("en") ? "en" : "ru"),
  socket: null, online: false, menuPress: null, files: [],
};
const FILES_PER_MESSAGE = 10;

const $ = (id) => document.getElementById(id);
const newId = () => (crypto.randomUUID ? crypto.randomUUID().replaceAll("-", "") :
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));
// One id per bot message: however often and wherever its buttons are pressed, one tap counts.
const tapId = (messageId) => `tap-${String(messageId).padStart(8, "0")}`;

function t(key) { return (UI[state.lang] || UI.en)[key]; }

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  document.querySelectorAll("[data-i18n-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nLabel)); });
  showStatus();
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  document.querySelectorAll(".lang-btn").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang)));
  document.querySelectorAll(".msg.in[data-state]").forEach(showDelivery);
}

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
}

async function post(entry) {
  let response;
  try {
    response = await fetch(`/chat/api/${encodeURIComponent(entry.bot)}/messages`, {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: entry.id, text: entry.text, payload: entry.payload, locale: entry.locale,
                             files: (entry.files || []).map((f) => f.id) }),
    });
  } catch {
    return "retry"; // no answer at all: the server is down or the network is
  }
  if (response.ok) {
    const data = await response.json().catch(() => ({}));
    return data.throttled ? "retry" : "sent";
  }
  if (response.status >= 500 || response.status === 408 || response.status === 429) return "retry";
  const data = await response.json().catch(() => ({}));
  return { refused: typeof data.detail === "string" ? data.detail : String(response.status) };
}

const outbox = new Outbox({
  post,
  onSent: (entry) => {
    bubbleOf(entry.id)?.removeAttribute("data-state");
    if (entry.id === state.menuPress) releaseMenu();
  },
  onRefused: (entry, reason) => {
    if (entry.id === state.menuPress) releaseMenu();
    const li = bubbleOf(entry.id);
    if (!li) return;
    li.dataset.state = "refused";
    li.dataset.reason = reason;
    showDelivery(li);
  },
});

const bubbleOf = (clientId) => document.querySelector(`.msg.in[data-client-id="${CSS.escape(clientId)}"]`);

async function loadBots() {
  const data = await api(`/chat/api/bots?locale=${state.lang}`);
  state.bots = data.bots;
  const list = $("bot-list");
  list.replaceChildren();
  for (const bot of state.bots) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.bot = bot.name;
    const name = document.createElement("span"); name.className = "bot-name"; name.textContent = bot.title;
    const desc = document.createElement("span"); desc.className = "bot-desc"; desc.textContent = bot.description;
    button.append(name, desc);
    button.addEventListener("click", () => selectBot(bot.name));
    li.append(button);
    list.append(li);
  }
  const wanted = new URLSearchParams(location.search).get("bot") || localStorage.getItem("relaybot.bot");
  const initial = state.bots.find((b) => b.name === wanted) || state.bots[0];
  if (initial) await selectBot(initial.name);
}

async function selectBot(name) {
  state.bot = name;
  localStorage.setItem("relaybot.bot", name);
  const bot = state.bots.find((b) => b.name === name);
  $("chat-title").textContent = bot ? bot.title : name;
  $("chat-subtitle").textContent = bot ? bot.description : "";
  document.querySelectorAll("#bot-list button").forEach((b) => b.setAttribute("aria-current", String(b.dataset.bot === name)));
  const list = $("messages");
  list.replaceChildren();
  state.shown.clear();
  const data = await api(`/chat/api/${encodeURIComponent(name)}/history`);
  data.messages.forEach(render);
  renderMenu(data.menu);
  for (const entry of outbox.entries()) {
    if (entry.bot === name && !bubbleOf(entry.id)) list.append(pendingBubble(entry));
  }
  if (!list.children.length) showEmpty();
  refreshButtons();
  $("composer-input").focus();
}

function showEmpty() {
  const li = document.createElement("li");
  li.className = "empty";
  li.textContent = t("hello");
  $("messages").append(li);
}

function bubble(direction, text, at, media = []) {
  const li = document.createElement("li");
  li.className = `msg ${direction}`;
  const body = document.createElement("div");
  body.textContent = text;
  li.append(body);
  if (media.length) li.append(mediaOf(media));
  const time = document.createElement("time");
  time.dateTime = at;
  time.textContent = new Date(at).toLocaleTimeString(state.lang, { hour: "2-digit", minute: "2-digit" });
  li.append(time);
  return li;
}

// Photos are shown, documents offered as links; what the page cannot show is named.
function mediaOf(media) {
  const box = document.createElement("div");
  box.className = "media";
  for (const item of media) {
    const url = item.url || (/^https:\/\//.test(item.ref || "") ? item.ref : null);
    if (url && item.kind === "photo") {
      const link = document.createElement("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      const img = document.createElement("img");
      img.src = url;
      img.alt = item.name || item.caption || t("photo");
      img.loading = "lazy";
      link.append(img);
      box.append(link);
    } else if (url) {
      const link = document.createElement("a");
      link.href = url;
      link.className = "file";
      link.textContent = `📎 ${item.name || t("file")}`;
      box.append(link);
    } else {
      const chip = document.createElement("span");
      chip.className = "file";
      chip.textContent = `📎 ${item.name || (item.kind === "photo" ? t("photo") : t("file"))}`;
      box.append(chip);
    }
  }
  return box;
}

// Files chosen for the next message: each is uploaded at once and shown with its state.
async function uploadFile(file) {
  if (!state.bot || state.files.length >= FILES_PER_MESSAGE) return;
  const item = { key: newId(), name: file.name, status: "uploading" };
  state.files.push(item);
  showAttachments();
  try {
    const response = await fetch(`/chat/api/${encodeURIComponent(state.bot)}/files?name=${encodeURIComponent(file.name)}`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": file.type || "application/octet-stream" }, body: file,
    });
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      item.status = "ready";
      item.file = data;
    } else {
      item.status = "refused";
      const own = (UI[state.lang] || {})[FILE_REFUSALS[response.status]];
      item.reason = own || (typeof data.detail === "string" ? data.detail : String(response.status));
    }
  } catch {
    item.status = "refused";
    item.reason = t("uploadFailed");
  }
  showAttachments();
}

function showAttachments() {
  const list = $("attachments");
  list.replaceChildren();
  for (const item of state.files) {
    const li = document.createElement("li");
    li.className = `attachment ${item.status}`;
    if (item.status === "ready" && item.file.kind === "photo") {
      const img = document.createElement("img");
      img.src = item.file.url;
      img.alt = "";
      li.append(img);
    }
    const name = document.createElement("span");
    name.textContent = item.status === "refused" ? `${item.name}: ${item.reason}`
      : item.status === "uploading" ? `${item.name} — ${t("uploading")}` : item.name;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `${t("remove")}: ${item.name}`);
    remove.addEventListener("click", () => {
      state.files = state.files.filter((f) => f !== item);
      showAttachments();
    });
    li.append(name, remove);
    list.append(li);
  }
  list.hidden = state.files.length === 0;
}

function pendingBubble(entry) {
  const li = bubble("in", entry.text, new Date(entry.at).toISOString(), entry.files || []);
  li.dataset.clientId = entry.id;
  li.dataset.state = "pending";
  li.dataset.since = String(entry.at);
  showDelivery(li);
  return li;
}

// The bubble's delivery mark: sending, not sent (with a retry), refused (with the reason).
function showDelivery(li) {
  li.querySelector(".delivery")?.remove();
  const stateName = li.dataset.state;
  if (!stateName) return;
  const mark = document.createElement("span");
  mark.className = "delivery";
  if (stateName === "refused") {
    mark.textContent = `${t("refused")} ${li.dataset.reason}`;
  } else if (stateName === "late") {
    mark.textContent = `${t("notSent")} `;
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = t("retry");
    retry.addEventListener("click", () => outbox.kick());
    mark.append(retry);
  } else {
    mark.textContent = t("sending");
  }
  li.append(mark);
}

function markLate() {
  const now = Date.now();
  document.querySelectorAll('.msg.in[data-state="pending"]').forEach((li) => {
    if (now - Number(li.dataset.since) >= NOT_SENT_AFTER_MS) {
      li.dataset.state = "late";
      showDelivery(li);
    }
  });
}

function render(message) {
  state.lastId = Math.max(state.lastId, message.id);
  if (message.bot !== state.bot || state.shown.has(message.id)) return;
  state.shown.add(message.id);
  const list = $("messages");
  list.querySelector(".empty")?.remove();
  const pending = message.client_id ? bubbleOf(message.client_id) : null;
  if (pending) {
    pending.dataset.id = message.id; // the server has it: the bubble shown at once is this one
    pending.removeAttribute("data-state");
    showDelivery(pending);
    return;
  }
  const li = bubble(message.direction, message.text, message.at, message.media || []);
  li.dataset.id = message.id;
  if (message.client_id) li.dataset.clientId = message.client_id;
  if (message.buttons && message.buttons.length) li.insertBefore(buttonsOf(li, message), li.lastChild);
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function buttonsOf(li, message) {
  const box = document.createElement("div");
  box.className = "buttons";
  for (const row of message.buttons) {
    const rowEl = document.createElement("div");
    rowEl.className = "button-row";
    for (const b of row) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.text;
      button.addEventListener("click", () => tap(li, message.id, b));
      rowEl.append(button);
    }
    box.append(rowEl);
  }
  return box;
}

function tap(li, messageId, button) {
  if (li.dataset.tapped) return;
  li.dataset.tapped = "true";
  li.querySelectorAll(".buttons button").forEach((b) => { b.disabled = true; });
  send(button.text, button.payload, tapId(messageId));
}

function refreshButtons() {
  // Only the bot's latest message keeps live buttons, and only until the visitor has answered.
  const outs = [...document.querySelectorAll(".msg.out")];
  const latest = outs[outs.length - 1];
  const lastIn = [...document.querySelectorAll(".msg.in")].pop();
  const answered = lastIn && latest && (latest.compareDocumentPosition(lastIn) & Node.DOCUMENT_POSITION_FOLLOWING);
  outs.forEach((li) => li.querySelectorAll(".buttons button").forEach((b) => {
    b.disabled = li !== latest || Boolean(answered) || Boolean(li.dataset.tapped) || outbox.has(tapId(li.dataset.id));
  }));
}

// The chat's persistent menu: what is always possible with this bot, under the message box.
function renderMenu(rows) {
  const bar = $("chat-menu");
  bar.replaceChildren();
  for (const row of rows || []) {
    for (const b of row) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.text;
      button.disabled = Boolean(state.menuPress);
      button.addEventListener("click", () => pressMenu(b));
      bar.append(button);
    }
  }
  bar.hidden = bar.children.length === 0;
}

// A press counts once: the bar waits until the server has it, however often it is clicked.
function pressMenu(b) {
  if (state.menuPress) return;
  state.menuPress = newId();
  $("chat-menu").querySelectorAll("button").forEach((button) => { button.disabled = true; });
  send(b.text, b.payload, state.menuPress);
}

function releaseMenu() {
  state.menuPress = null;
  $("chat-menu").querySelectorAll("button").forEach((button) => { button.disabled = false; });
}

function send(text, payload, id = newId(), files = []) {
  if (!state.bot) return;
  const entry = { id, bot: state.bot, text, payload: payload || null, locale: state.lang, at: Date.now(), files };
  if (bubbleOf(id) || !outbox.add(entry)) return;
  const list = $("messages");
  list.querySelector(".empty")?.remove();
  list.append(pendingBubble(entry));
  list.scrollTop = list.scrollHeight;
  refreshButtons();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/chat/ws?after=${state.lastId}`);
  state.socket = socket;
  socket.addEventListener("open", () => {
    state.online = true;
    showStatus();
    outbox.kick(); // the server is back: what waits goes now, not at the end of its backoff
  });
  socket.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    data.messages.forEach(render);
    if (data.menus && state.bot in data.menus) renderMenu(data.menus[state.bot]);
    refreshButtons();
  });
  socket.addEventListener("close", () => {
    state.online = false;
    showStatus();
    setTimeout(connect, 1500);
  });
}

function showStatus() {
  if (state.socket) $("status").textContent = t(state.online ? "online" : "offline");
}

function setup() {
  applyLanguage();
  document.querySelectorAll(".lang-btn").forEach((b) => b.addEventListener("click", async () => {
    state.lang = b.dataset.lang;
    localStorage.setItem("relaybot.lang", state.lang);
    applyLanguage();
    await loadBots();
  }));
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("composer-input");
    const text = input.value.trim();
    if (!state.bot || state.files.some((f) => f.status === "uploading")) return;
    const ready = state.files.filter((f) => f.status === "ready").map((f) => f.file);
    if (!text && !ready.length) return;
    input.value = "";
    state.files = [];
    showAttachments();
    send(text, null, newId(), ready);
  });
  $("attach").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", (event) => {
    const chosen = [...event.target.files];
    event.target.value = "";
    chosen.forEach(uploadFile);
  });
  window.addEventListener("online", () => outbox.kick());
  setInterval(markLate, 1000);
  loadBots().then(() => { outbox.kick(); connect(); }).catch((error) => {
    $("status").textContent = String(error.message);
  });
}

document.addEventListener("DOMContentLoaded", setup);
