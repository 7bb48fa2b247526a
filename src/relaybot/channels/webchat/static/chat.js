"use strict";
// The relaybot web chat: posts what the visitor types, renders what the bot says live.

const UI = {
  en: { bots: "Bots", send: "Send", placeholder: "Type a message…", message: "Message",
        online: "online", offline: "reconnecting…", pick: "Pick a bot on the left to start.",
        hello: "Say hello to start" },
  ru: { bots: "Боты", send: "Отправить", placeholder: "Напишите сообщение…", message: "Сообщение",
        online: "на связи", offline: "переподключение…", pick: "Выберите бота слева, чтобы начать.",
        hello: "Начните с приветствия" },
};

const state = {
  bots: [], bot: null, lastId: 0, shown: new Set(),
  lang: localStorage.getItem("relaybot.lang") || ((navigator.language || "ru").startsWith("en") ? "en" : "ru"),
  socket: null,
};

const $ = (id) => document.getElementById(id);
const newId = () => (crypto.randomUUID ? crypto.randomUUID().replaceAll("-", "") :
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));

function t(key) { return (UI[state.lang] || UI.en)[key]; }

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  document.querySelectorAll(".lang-btn").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang)));
}

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
}

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
  if (!data.messages.length) showEmpty();
  refreshButtons();
  $("composer-input").focus();
}

function showEmpty() {
  const li = document.createElement("li");
  li.className = "empty";
  li.textContent = t("hello");
  $("messages").append(li);
}

function render(message) {
  state.lastId = Math.max(state.lastId, message.id);
  if (message.bot !== state.bot || state.shown.has(message.id)) return;
  state.shown.add(message.id);
  const list = $("messages");
  list.querySelector(".empty")?.remove();
  const li = document.createElement("li");
  li.className = `msg ${message.direction}`;
  li.dataset.id = message.id;
  const text = document.createElement("div");
  text.textContent = message.text;
  li.append(text);
  if (message.buttons && message.buttons.length) {
    const box = document.createElement("div");
    box.className = "buttons";
    for (const row of message.buttons) {
      const rowEl = document.createElement("div");
      rowEl.className = "button-row";
      for (const b of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.text;
        button.addEventListener("click", () => send(b.text, b.payload));
        rowEl.append(button);
      }
      box.append(rowEl);
    }
    li.append(box);
  }
  const time = document.createElement("time");
  time.dateTime = message.at;
  time.textContent = new Date(message.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  li.append(time);
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function refreshButtons() {
  // Only the bot's latest message keeps live buttons, like in a messenger.
  const outs = [...document.querySelectorAll(".msg.out")];
  const latest = outs[outs.length - 1];
  const lastIn = [...document.querySelectorAll(".msg.in")].pop();
  const answered = lastIn && latest && Number(lastIn.dataset.id) > Number(latest.dataset.id);
  outs.forEach((li) => li.querySelectorAll(".buttons button").forEach((b) => { b.disabled = li !== latest || answered; }));
}

async function send(text, payload) {
  if (!state.bot) return;
  const body = { id: newId(), text, payload: payload || null, locale: state.lang };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await api(`/chat/api/${encodeURIComponent(state.bot)}/messages`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      return;
    } catch (error) {
      if (String(error.message).startsWith("4")) { console.error(error); return; }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt)); // same id: safe to retry
    }
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/chat/ws?after=${state.lastId}`);
  state.socket = socket;
  socket.addEventListener("open", () => { $("status").textContent = t("online"); });
  socket.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    data.messages.forEach(render);
    refreshButtons();
  });
  socket.addEventListener("close", () => {
    $("status").textContent = t("offline");
    setTimeout(connect, 1500);
  });
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
    if (!text) return;
    input.value = "";
    send(text, null);
  });
  loadBots().then(connect).catch((error) => {
    $("status").textContent = String(error.message);
  });
}

document.addEventListener("DOMContentLoaded", setup);
