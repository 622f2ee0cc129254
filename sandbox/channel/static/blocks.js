// Block Kit -> DOM, as Slack draws it: header, section (text, fields, accessory), context,
// divider, actions (buttons with styles and confirm dialogs), image, and the input of a modal.
(function () {
  "use strict";
  const M = window.Mrkdwn;

  function el(tag, cls, html) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (html !== undefined) node.innerHTML = html;
    return node;
  }

  // A text object: {"type": "mrkdwn" | "plain_text", "text": …}
  function text(obj, ctx) {
    if (!obj) return "";
    if (typeof obj === "string") return M.render(obj, ctx);
    return obj.type === "plain_text" ? M.plain(obj.text, obj.emoji) : M.render(obj.text, ctx);
  }

  function button(b, ctx) {
    const node = el("button", "bk-button" + (b.style ? " " + b.style : ""), M.plain(b.text && b.text.text));
    node.type = "button";
    node.dataset.actionId = b.action_id || "";
    node.dataset.value = b.value || "";
    if (b.confirm) node.dataset.confirm = "1";
    if (b.url) node.dataset.url = b.url;
    node.addEventListener("click", () => ctx.onButton(b, node));
    return node;
  }

  function image(b) {
    const node = el("img", "bk-image");
    node.src = b.image_url;
    node.alt = b.alt_text || "";
    node.title = b.alt_text || "";
    return node;
  }

  function element(e, ctx) {
    if (e.type === "button") return button(e, ctx);
    if (e.type === "image") return image(e);
    return el("span", "bk-unsupported", `[${M.esc(e.type)}]`);
  }

  const RENDER = {
    header(b) {
      return el("div", "bk-header", M.plain(b.text && b.text.text, b.text && b.text.emoji));
    },
    section(b, ctx) {
      const node = el("div", "bk-section");
      const body = el("div", "bk-section-body");
      if (b.text) body.appendChild(el("div", "bk-text", text(b.text, ctx)));
      if (b.fields && b.fields.length) {
        const fields = el("div", "bk-fields");
        b.fields.forEach((f) => fields.appendChild(el("div", "bk-field", text(f, ctx))));
        body.appendChild(fields);
      }
      node.appendChild(body);
      if (b.accessory) {
        const side = el("div", "bk-accessory");
        side.appendChild(element(b.accessory, ctx));
        node.appendChild(side);
      }
      return node;
    },
    context(b, ctx) {
      const node = el("div", "bk-context");
      (b.elements || []).forEach((e) => {
        if (e.type === "image") node.appendChild(image(e));
        else node.appendChild(el("span", "bk-context-text", text(e, ctx)));
      });
      return node;
    },
    divider() {
      return el("hr", "bk-divider");
    },
    actions(b, ctx) {
      const node = el("div", "bk-actions");
      (b.elements || []).forEach((e) => node.appendChild(element(e, ctx)));
      return node;
    },
    image(b) {
      const node = el("figure", "bk-image-block");
      if (b.title) node.appendChild(el("figcaption", "", M.plain(b.title.text, b.title.emoji)));
      node.appendChild(image(b));
      return node;
    },
    input(b, ctx) {
      const node = el("label", "bk-input");
      node.appendChild(el("span", "bk-input-label", M.plain(b.label && b.label.text)));
      const e = b.element || {};
      const field = document.createElement(e.multiline ? "textarea" : "input");
      field.className = "bk-input-field";
      field.name = (b.block_id || "input") + "." + (e.action_id || "text");
      if (e.min_length) field.minLength = e.min_length;
      if (e.max_length) field.maxLength = e.max_length;
      if (e.placeholder) field.placeholder = e.placeholder.text;
      field.required = !b.optional;
      node.appendChild(field);
      if (b.hint) node.appendChild(el("span", "bk-input-hint", M.plain(b.hint.text)));
      return node;
    },
  };

  // blocks: a message's Block Kit; fallback: its text, drawn when there are no blocks.
  function render(blocks, fallback, ctx) {
    const root = el("div", "bk");
    if (!blocks || !blocks.length) {
      root.appendChild(el("div", "bk-text", M.render(fallback || "", ctx)));
      return root;
    }
    blocks.forEach((b) => {
      const draw = RENDER[b.type];
      const node = draw ? draw(b, ctx) : el("div", "bk-unsupported", `[unsupported block: ${M.esc(b.type)}]`);
      node.dataset.blockType = b.type;
      if (b.block_id) node.dataset.blockId = b.block_id;
      root.appendChild(node);
    });
    return root;
  }

  window.BlockKit = { render, text };
})();
