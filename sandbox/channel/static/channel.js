// The local channel: polls the stand-in for the channel as the chosen user sees it, draws the
// messages (updated in place by ts), and sends what the user types or presses back to it.
(function () {
  "use strict";
  const M = window.Mrkdwn;
  const $ = (id) => document.getElementById(id);

  const page = {
    me: null,
    version: -1,
    state: null,
    poller: null,
    nodes: new Map(), // ts -> {sig, node}
    dismissed: new Set(), // ephemeral messages the user closed
    thread: null, // ts of the open thread
    shownView: null, // id of the modal on screen
    history: [],
  };

  // -- talking to the stand-in --------------------------------------------------------------
  async function send(path, body) {
    const resp = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: page.me, ...body }),
    });
    return resp.json();
  }

  async function pollForever() {
    for (;;) {
      const controller = new AbortController();
      page.poller = controller;
      const user = page.me;
      try {
        const url = `/channel/api/state?user=${encodeURIComponent(user)}&since=${page.version}`;
        const resp = await fetch(url, { signal: controller.signal });
        const state = await resp.json();
        if (state.ok && user === page.me) apply(state);
      } catch (err) {
        if (!controller.signal.aborted) await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  function restartPoll() {
    page.version = -1;
    if (page.poller) page.poller.abort();
  }

  // -- drawing ------------------------------------------------------------------------------
  function names(state) {
    const byId = new Map(state.users.map((u) => [u.id, u.name]));
    byId.set(state.bot.id, state.bot.name);
    return {
      userName: (id) => byId.get(id) || id,
      channelName: (id) => (id === state.channel.id ? state.channel.name : id),
    };
  }

  function avatar(msg) {
    const node = document.createElement("div");
    node.className = "avatar";
    if (msg.user === "USLACKBOT") {
      node.classList.add("slackbot");
      node.textContent = "💬";
    } else if (msg.bot) {
      node.classList.add("bot");
      node.textContent = "⛴";
    } else {
      let hash = 0;
      for (const c of msg.user) hash = (hash * 31 + c.charCodeAt(0)) % 360;
      node.style.background = `hsl(${hash}, 45%, 45%)`;
      node.textContent = (msg.author || "?").slice(0, 1).toUpperCase();
    }
    return node;
  }

  function clock(seconds) {
    const d = new Date(seconds * 1000);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function messageNode(msg, ctx, inThread) {
    const node = document.createElement("div");
    node.className = "message" + (msg.ephemeral ? " ephemeral" : "") + (msg.bot ? " from-bot" : "");
    node.dataset.ts = msg.ts;
    node.dataset.edited = String(msg.edited);
    node.dataset.user = msg.user;
    node.appendChild(avatar(msg));
    const body = document.createElement("div");
    body.className = "message-body";
    if (msg.ephemeral) {
      const note = document.createElement("div");
      note.className = "ephemeral-note";
      note.innerHTML = '<span class="eye">👁</span> Only visible to you';
      body.appendChild(note);
    }
    const meta = document.createElement("div");
    meta.className = "message-meta";
    meta.innerHTML = `<span class="author">${M.esc(msg.author)}</span>` +
      (msg.bot && msg.user !== "USLACKBOT" ? '<span class="app-badge">APP</span>' : "") +
      `<span class="time" title="ts ${M.esc(msg.ts)}">${clock(msg.posted_at)}</span>`;
    body.appendChild(meta);
    const content = window.BlockKit.render(msg.blocks, msg.text, {
      ...ctx,
      onButton: (button, el) => press(msg, button, el),
    });
    content.classList.add("message-content");
    body.appendChild(content);
    for (const file of msg.files || []) body.appendChild(fileNode(file));
    if (!inThread && msg.replies.length) {
      const link = document.createElement("button");
      link.type = "button";
      link.className = "thread-link";
      const n = msg.replies.length;
      link.textContent = `${n} ${n === 1 ? "reply" : "replies"}`;
      link.addEventListener("click", () => openThread(msg.ts));
      body.appendChild(link);
    }
    if (msg.ephemeral) {
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "dismiss";
      dismiss.textContent = "Dismiss";
      dismiss.addEventListener("click", () => {
        page.dismissed.add(msg.ts);
        draw();
      });
      body.appendChild(dismiss);
    }
    node.appendChild(body);
    return node;
  }

  // A shared file, as Slack shows it: an image inline (click opens it full size), anything
  // else a download card with its name and size. textContent only: names are user text.
  function fileNode(file) {
    const box = document.createElement("div");
    box.className = "file";
    box.dataset.fileId = file.id;
    const title = document.createElement("div");
    title.className = "file-title";
    title.textContent = file.title || file.name;
    box.appendChild(title);
    if (/^image\/(png|jpeg|gif)$/.test(file.mimetype)) {
      const link = document.createElement("a");
      link.href = file.url;
      link.target = "_blank";
      link.rel = "noopener";
      const img = document.createElement("img");
      img.className = "file-image";
      img.src = file.url;
      img.alt = file.alt || file.title || file.name;
      link.appendChild(img);
      box.appendChild(link);
    } else {
      const link = document.createElement("a");
      link.className = "file-download";
      link.href = file.url;
      link.download = file.name;
      link.textContent = `${file.name} · ${Math.max(1, Math.round(file.size / 1024))} KB`;
      box.appendChild(link);
    }
    return box;
  }

  // Keyed by ts: an unchanged message keeps its node; a changed one (chat.update) is redrawn
  // in the same place and flashes, as Slack's in-place edits do.
  function drawList(container, messages, nodes, ctx, inThread) {
    const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
    const keep = new Set();
    let previous = null;
    for (const msg of messages) {
      const sig = JSON.stringify([msg.text, msg.blocks, msg.edited, msg.replies.length, msg.files]);
      const known = nodes.get(msg.ts);
      let node = known && known.node;
      if (!known || known.sig !== sig) {
        node = messageNode(msg, ctx, inThread);
        if (known) {
          known.node.replaceWith(node);
          node.classList.add("updated");
        }
        nodes.set(msg.ts, { sig, node });
      }
      keep.add(msg.ts);
      const want = previous ? previous.nextSibling : container.firstChild;
      if (want !== node) container.insertBefore(node, want);
      previous = node;
    }
    for (const [ts, { node }] of nodes) {
      if (!keep.has(ts)) {
        node.remove();
        nodes.delete(ts);
      }
    }
    if (nearBottom) container.scrollTop = container.scrollHeight;
  }

  const threadNodes = new Map();

  function draw() {
    const state = page.state;
    if (!state) return;
    const ctx = names(state);
    const visible = state.messages.filter((m) => !page.dismissed.has(m.ts));
    drawList($("messages"), visible, page.nodes, ctx, false);
    const parent = page.thread && state.messages.find((m) => m.ts === page.thread);
    $("thread").classList.toggle("hidden", !parent);
    if (parent) {
      const items = [{ ...parent, replies: [] }, ...parent.replies];
      drawList($("thread-messages"), items, threadNodes, ctx, true);
    }
    drawModal(state, ctx);
  }

  function apply(state) {
    page.state = state;
    page.version = state.version;
    document.body.dataset.version = String(state.version);
    document.body.dataset.me = page.me;
    draw();
  }

  // -- threads ------------------------------------------------------------------------------
  function openThread(ts) {
    page.thread = ts;
    threadNodes.forEach(({ node }) => node.remove());
    threadNodes.clear();
    draw();
  }

  // -- buttons and their confirm dialogs ----------------------------------------------------
  function press(msg, button, el) {
    if (button.url) {
      window.open(button.url, "_blank", "noopener");
      if (!button.action_id) return;
    }
    const go = async () => {
      el.disabled = true;
      el.classList.add("pending");
      try {
        await send("/channel/api/click", { ts: msg.ts, action_id: button.action_id, value: button.value || "" });
      } finally {
        el.disabled = false;
        el.classList.remove("pending");
      }
    };
    if (button.confirm) confirmDialog(button, go);
    else go();
  }

  function dialog(cls) {
    const overlay = $("overlay");
    overlay.innerHTML = "";
    overlay.classList.remove("hidden");
    const box = document.createElement("div");
    box.className = "dialog " + cls;
    box.setAttribute("role", "dialog");
    overlay.appendChild(box);
    return box;
  }

  function closeOverlay() {
    $("overlay").classList.add("hidden");
    $("overlay").innerHTML = "";
  }

  function confirmDialog(button, onConfirm) {
    const c = button.confirm;
    const ctx = names(page.state);
    const box = dialog("confirm-dialog");
    box.innerHTML = `<h2>${M.plain(c.title && c.title.text)}</h2>` +
      `<div class="dialog-text">${window.BlockKit.text(c.text, ctx)}</div>` +
      '<div class="dialog-buttons"><button type="button" class="bk-button deny"></button>' +
      '<button type="button" class="bk-button confirm"></button></div>';
    const deny = box.querySelector(".deny");
    const ok = box.querySelector(".confirm");
    deny.innerHTML = M.plain((c.deny && c.deny.text) || "Cancel");
    ok.innerHTML = M.plain((c.confirm && c.confirm.text) || "Yes");
    ok.classList.add(button.style === "danger" || c.style === "danger" ? "danger" : "primary");
    deny.addEventListener("click", closeOverlay);
    ok.addEventListener("click", () => {
      closeOverlay();
      onConfirm();
    });
    ok.focus();
  }

  // -- modals (views.open) ------------------------------------------------------------------
  function drawModal(state, ctx) {
    const view = state.views[0];
    if (!view) {
      if (page.shownView) closeOverlay();
      page.shownView = null;
      return;
    }
    if (page.shownView === view.id) return;
    page.shownView = view.id;
    const box = dialog("modal");
    box.dataset.viewId = view.id;
    box.innerHTML = `<header><h2>${M.plain(view.title && view.title.text)}</h2>` +
      '<button type="button" class="close" aria-label="Close">×</button></header>';
    const form = document.createElement("form");
    form.appendChild(window.BlockKit.render(view.blocks || [], "", { ...ctx, onButton: () => {} }));
    const error = document.createElement("div");
    error.className = "modal-error";
    form.appendChild(error);
    const footer = document.createElement("div");
    footer.className = "dialog-buttons";
    footer.innerHTML = '<button type="button" class="bk-button deny"></button>' +
      '<button type="submit" class="bk-button primary submit"></button>';
    footer.querySelector(".deny").innerHTML = M.plain((view.close && view.close.text) || "Cancel");
    footer.querySelector(".submit").innerHTML = M.plain((view.submit && view.submit.text) || "Submit");
    form.appendChild(footer);
    box.appendChild(form);
    const cancel = () => send("/channel/api/view/close", { view_id: view.id });
    box.querySelector(".close").addEventListener("click", cancel);
    footer.querySelector(".deny").addEventListener("click", cancel);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const field = form.querySelector(".bk-input-field");
      const result = await send("/channel/api/view", { view_id: view.id, text: field ? field.value : "" });
      if (!result.ok) {
        const errors = Object.values(result.errors || {});
        error.textContent = errors.length ? errors.join(" ") : `Could not submit (${result.error}).`;
      }
    });
    const first = form.querySelector(".bk-input-field");
    if (first) first.focus();
  }

  // -- the message boxes and the user switcher ----------------------------------------------
  function composer(formId, inputId, threadTs) {
    const input = $(inputId);
    let recalled = -1;
    $(formId).addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      page.history.unshift(text);
      recalled = -1;
      input.value = "";
      await send("/channel/api/message", { text, thread_ts: threadTs ? threadTs() : null });
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowUp" && page.history.length && recalled < page.history.length - 1) {
        recalled += 1;
        input.value = page.history[recalled];
        event.preventDefault();
      } else if (event.key === "ArrowDown" && recalled >= 0) {
        recalled -= 1;
        input.value = recalled >= 0 ? page.history[recalled] : "";
        event.preventDefault();
      }
    });
  }

  function setUser(id, users) {
    page.me = id;
    const user = users.find((u) => u.id === id);
    $("user-role").textContent = user ? `${user.id} · ${user.role}` : id;
    $("user-switcher").value = id;
    const url = new URL(window.location.href);
    url.searchParams.set("as", id);
    window.history.replaceState(null, "", url);
    page.shownView = null;
    closeOverlay();
    // Another person sees another channel (their own ephemeral messages): draw it afresh.
    for (const nodes of [page.nodes, threadNodes]) {
      nodes.forEach(({ node }) => node.remove());
      nodes.clear();
    }
    page.dismissed.clear();
    restartPoll();
  }

  async function start() {
    const first = await (await fetch("/channel/api/state?since=-1")).json();
    const users = first.users;
    const switcher = $("user-switcher");
    for (const u of users) {
      const option = document.createElement("option");
      option.value = u.id;
      option.textContent = `${u.name} (${u.role})`;
      switcher.appendChild(option);
    }
    const wanted = new URL(window.location.href).searchParams.get("as");
    page.me = users.some((u) => u.id === wanted) ? wanted : users[0].id;
    $("channel-name").textContent = `# ${first.channel.name}`;
    $("sidebar-channel").textContent = `# ${first.channel.name}`;
    $("composer-input").placeholder = `Message #${first.channel.name} — try /migrate status`;
    switcher.addEventListener("change", () => setUser(switcher.value, users));
    setUser(page.me, users);
    composer("composer", "composer-input", null);
    composer("thread-composer", "thread-input", () => page.thread);
    $("thread-close").addEventListener("click", () => {
      page.thread = null;
      draw();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("overlay").classList.contains("hidden")) {
        const modal = document.querySelector(".modal");
        if (modal) send("/channel/api/view/close", { view_id: modal.dataset.viewId });
        else closeOverlay();
      }
    });
    pollForever();
  }

  start();
})();
