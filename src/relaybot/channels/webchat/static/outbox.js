"use strict";
// What the visitor sent that the server has not acknowledged yet. It lives in localStorage, so a
// reload or a closed tab loses nothing, and is sent oldest first, retried with backoff for as long
// as the page is open. Every entry keeps the client id it was made with: a repeat is the server's
// to drop, so retrying is always safe.

class Outbox {
  static KEY = "relaybot.outbox";
  static FIRST_DELAY_MS = 1000;
  static MAX_DELAY_MS = 8000;

  // post(entry) resolves to "sent", "retry" or { refused: reason }; it never throws.
  constructor({ post, onSent, onRefused }) {
    this.post = post;
    this.onSent = onSent;
    this.onRefused = onRefused;
    this.memory = [];
    this.running = false;
    this.wake = null;
  }

  entries() {
    try {
      const stored = JSON.parse(localStorage.getItem(Outbox.KEY) || "[]");
      return Array.isArray(stored) ? stored.filter((e) => e && typeof e.id === "string") : [];
    } catch {
      return this.memory; // storage blocked or unreadable: keep them for this page at least
    }
  }

  save(entries) {
    this.memory = entries;
    try { localStorage.setItem(Outbox.KEY, JSON.stringify(entries)); } catch { /* memory only */ }
  }

  has(id) { return this.entries().some((e) => e.id === id); }

  add(entry) {
    if (this.has(entry.id)) return false;
    this.save([...this.entries(), entry]);
    this.kick();
    return true;
  }

  remove(id) { this.save(this.entries().filter((e) => e.id !== id)); }

  // Try now: the page saw the server again (socket open, back online) or the visitor asked.
  kick() {
    if (this.wake) this.wake();
    else this.flush();
  }

  async flush() {
    if (this.running) return;
    this.running = true;
    let failures = 0;
    try {
      for (let entry = this.entries()[0]; entry; entry = this.entries()[0]) {
        const outcome = await this.post(entry);
        if (outcome === "sent") {
          failures = 0;
          this.remove(entry.id);
          this.onSent(entry);
        } else if (outcome !== "retry") {
          this.remove(entry.id);
          this.onRefused(entry, outcome.refused);
        } else {
          const delay = Math.min(Outbox.FIRST_DELAY_MS * 2 ** failures, Outbox.MAX_DELAY_MS);
          failures += 1;
          await this.pause(delay * (0.8 + Math.random() * 0.4));
        }
      }
    } finally {
      this.running = false;
    }
  }

  pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() { clearTimeout(timer); self.wake = null; resolve(); }
      this.wake = done;
    });
  }
}
