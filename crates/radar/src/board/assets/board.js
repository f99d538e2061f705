// The Radar board: a Telegram Mini App. Plain script, no build step: the
// binary embeds this file as it is (crates/radar/src/board/assets).
//
// It authenticates every API call with Telegram's initData
// ("Authorization: tma <initData>"), renders the active project's board,
// and moves cards optimistically: the card moves at once, the change is
// sent with an idempotency key (a retry after a network failure reuses it,
// so the change applies once), and a refusal puts the card back.
"use strict";

(function () {
  const tg = window.Telegram && window.Telegram.WebApp;

  // Telegram passes the launch parameters in the URL fragment; its script
  // reads them from there too. Used when the script could not load.
  function launchParam(name) {
    const hash = new URLSearchParams(location.hash.slice(1));
    return hash.get(name) || "";
  }

  const initData = (tg && tg.initData) || launchParam("tgWebAppData");

  function initUser() {
    if (tg && tg.initDataUnsafe && tg.initDataUnsafe.user) return tg.initDataUnsafe.user;
    try {
      return JSON.parse(new URLSearchParams(initData).get("user") || "null");
    } catch (_) {
      return null;
    }
  }
  const user = initUser();
  const langHint = (user && user.language_code) || navigator.language || "en";

  // Telegram's theme colours. telegram-web-app.js sets these variables
  // itself; without it, themeParams from the fragment are applied here.
  function applyTheme(params) {
    if (!params) return;
    for (const [k, v] of Object.entries(params)) {
      document.documentElement.style.setProperty("--tg-theme-" + k.replace(/_/g, "-"), v);
    }
  }
  if (tg) {
    tg.ready();
    if (tg.expand) tg.expand();
    applyTheme(tg.themeParams);
    if (tg.onEvent) tg.onEvent("themeChanged", () => applyTheme(tg.themeParams));
  } else {
    try {
      applyTheme(JSON.parse(launchParam("tgWebAppThemeParams") || "null"));
    } catch (_) {
      /* no theme: the light fallback */
    }
  }

  const $ = (id) => document.getElementById(id);
  let state = null; // the last board from the server
  let words = {};

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 14);
  }

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers["Authorization"] = "tma " + initData;
    if (opts.body) opts.headers["Content-Type"] = "application/json";
    const sep = path.includes("?") ? "&" : "?";
    const res = await fetch(path + sep + "lang=" + encodeURIComponent(langHint), opts);
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    if (res.status === 401 || res.status === 403) {
      showUnauthorized(body && body.message);
      throw new Error("not authorized");
    }
    if (!res.ok) throw Object.assign(new Error((body && body.message) || res.statusText), { status: res.status });
    return body;
  }

  function showUnauthorized(message) {
    $("board").hidden = true;
    $("releases").hidden = true;
    $("switch-label").hidden = true;
    $("context").textContent = "Radar";
    const box = $("unauthorized");
    box.textContent = message || "Not authorized.";
    box.hidden = false;
    document.body.dataset.state = "unauthorized";
  }

  function toast(text) {
    const t = $("toast");
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (t.hidden = true), 4000);
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e[k] = v;
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  function render() {
    const b = state;
    words = b.words;
    document.documentElement.lang = b.lang;
    document.title = "Radar · " + words.title;
    $("context").textContent = b.context;

    const sel = $("project");
    sel.replaceChildren();
    for (const p of b.projects) {
      const o = el("option", { value: String(p.id), textContent: p.name + (p.archived ? " 🗄" : "") });
      if (b.project && p.id === b.project.id) o.selected = true;
      sel.append(o);
    }
    if (!b.project) sel.prepend(el("option", { value: "", textContent: "—", selected: true }));
    $("switch-word").textContent = words.switch_project;
    $("switch-label").hidden = b.projects.length === 0;

    const rel = $("releases");
    rel.replaceChildren();
    for (const r of b.releases) {
      const pct = r.total ? Math.round((100 * r.done) / r.total) : 0;
      rel.append(
        el(
          "div",
          { class: "release", "data-release": r.version },
          el("strong", { textContent: "🚀 " + r.version + " " }),
          el("small", { textContent: r.done + "/" + r.total + (r.target_date ? " · " + r.target_date : "") }),
          el("div", { class: "bar", role: "progressbar", "aria-valuenow": String(pct), "aria-valuemin": "0", "aria-valuemax": "100" },
            el("span", { style: "width:" + pct + "%" }))
        )
      );
    }

    const board = $("board");
    board.replaceChildren();
    board.setAttribute("aria-busy", "false");
    if (!b.project) {
      board.append(el("p", { class: "empty", textContent: words.no_project }));
      return;
    }
    for (const col of b.columns) {
      const cards = b.features.filter((f) => f.status === col.status);
      const list = el("div", { class: "cards" });
      for (const f of cards) list.append(cardEl(f));
      if (!cards.length) list.append(el("p", { class: "empty", textContent: words.empty_column }));
      const heading = el("h2", {}, el("span", { textContent: col.icon + " " + col.label }), el("span", { class: "count", textContent: String(cards.length) }));
      let section;
      if (col.folded) {
        section = el("section", { class: "column", "data-column": col.status },
          el("details", {}, el("summary", { textContent: col.icon + " " + col.label + " (" + cards.length + ")" }), list));
      } else {
        section = el("section", { class: "column", "data-column": col.status }, heading, list);
      }
      section.addEventListener("dragover", (e) => {
        e.preventDefault();
        section.classList.add("drop");
      });
      section.addEventListener("dragleave", () => section.classList.remove("drop"));
      section.addEventListener("drop", (e) => {
        e.preventDefault();
        section.classList.remove("drop");
        const id = Number(e.dataTransfer.getData("text/plain"));
        const f = state.features.find((x) => x.id === id);
        if (f && f.status !== col.status) move(f, col.status);
      });
      board.append(section);
    }
  }

  function cardEl(f) {
    const meta = [f.reason && "⛔ " + f.reason, f.teams && "👥 " + f.teams, f.po && "👤 " + f.po, f.release && "🚀 " + f.release].filter(Boolean).join(" · ");
    const c = el(
      "button",
      { class: "card" + (f.saving ? " saving" : ""), type: "button", draggable: true, "data-number": String(f.number), "data-id": String(f.id), onclick: () => openDetail(f.number) },
      el("span", { class: "num", textContent: "#" + f.number }),
      el("span", { class: "name", textContent: f.name }),
      meta ? el("span", { class: "meta", textContent: meta }) : null
    );
    c.addEventListener("dragstart", (e) => e.dataTransfer.setData("text/plain", String(f.id)));
    return c;
  }

  async function load() {
    state = await api("/app/api/board");
    render();
    document.body.dataset.state = "ready";
  }

  // Sends a change, retrying network failures with the same key (so it
  // applies once), and returns the server's answer.
  async function send(body) {
    const key = newKey();
    let last;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await api("/app/api/command", { method: "POST", body: JSON.stringify(Object.assign({ key }, body)) });
      } catch (e) {
        last = e;
        if (e.status || e.message === "not authorized") break; // an answer, not a network failure
        await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
      }
    }
    throw last;
  }

  // Optimistic: the card moves now; a refusal puts it back.
  async function move(f, status) {
    const before = JSON.parse(JSON.stringify(state));
    const card = state.features.find((x) => x.id === f.id);
    card.status = status;
    card.saving = true;
    render();
    try {
      const r = await send({ action: "status", feature: f.id, status, version: f.version });
      if (r.outcome === "rejected") {
        state = before;
        render();
        toast(words.refused + ": " + r.message);
      }
      await load();
    } catch (e) {
      state = before;
      render();
      if (e.message !== "not authorized") toast(words.refused + ": " + e.message);
    }
  }

  async function openDetail(number) {
    const d = await api("/app/api/feature/" + number);
    const f = d.card;
    $("detail-title").textContent = "#" + f.number + " " + f.name;
    const dl = $("detail-fields");
    dl.replaceChildren();
    const col = state.columns.find((c) => c.status === f.status);
    const rows = [
      ["", (col ? col.icon + " " + col.label : f.status) + (f.reason ? ": " + f.reason : "")],
      [words.teams, f.teams],
      [words.po, f.po],
      [words.release, f.release],
    ];
    for (const [k, v] of rows) if (v) dl.append(el("dt", { textContent: k }), el("dd", { textContent: v }));
    $("detail-description").textContent = f.description || "";
    $("move-word").textContent = words.move_to;
    const pick = $("detail-status");
    pick.replaceChildren();
    for (const c of state.columns) pick.append(el("option", { value: c.status, textContent: c.icon + " " + c.label, selected: c.status === f.status }));
    $("detail-apply").textContent = "✓";
    $("detail-apply").setAttribute("aria-label", words.move_to);
    $("detail-apply").onclick = () => {
      const to = pick.value;
      $("detail").close();
      if (to !== f.status) move(f, to);
    };
    $("history-word").textContent = words.history;
    const h = $("detail-history");
    h.replaceChildren();
    for (const line of d.history) h.append(el("li", { textContent: line }));
    $("detail-close").textContent = words.close;
    $("detail").showModal();
  }

  $("project").addEventListener("change", async (e) => {
    const id = Number(e.target.value);
    if (!id) return;
    try {
      const r = await send({ action: "use", project: id });
      if (r.outcome === "rejected") toast(words.refused + ": " + r.message);
    } catch (err) {
      if (err.message !== "not authorized") toast(words.refused + ": " + err.message);
    }
    await load().catch(() => {});
  });

  // Without initData the server answers 401 with the sentence to show.
  load().catch((e) => {
    if (e.message !== "not authorized") toast(e.message);
  });
})();
