// Slack's mrkdwn -> HTML: *bold*, _italic_, ~strike~, `code`, ```code blocks```, > quotes,
// <url|label> links, <#C…> and <@U…> mentions, and the emoji shortcodes Ferry uses.
// Text arrives as Slack sends it: &, < and > written as &amp; &lt; &gt;.
(function () {
  "use strict";

  const EMOJI = {
    white_check_mark: "✅", heavy_check_mark: "✔️", ballot_box_with_check: "☑️", x: "❌", warning: "⚠️", rotating_light: "🚨",
    no_entry: "⛔", no_entry_sign: "🚫", arrows_counterclockwise: "🔄", hourglass_flowing_sand: "⏳",
    hourglass: "⌛", double_vertical_bar: "⏸️", pause_button: "⏸️", arrow_forward: "▶️",
    black_square_for_stop: "⏹️", octagonal_sign: "🛑", stopwatch: "⏱️", lock: "🔒", unlock: "🔓",
    key: "🔑", rocket: "🚀", tada: "🎉", checkered_flag: "🏁", mag: "🔍", bar_chart: "📊",
    chart_with_upwards_trend: "📈", truck: "🚚", ship: "🚢", ferry: "⛴️", package: "📦",
    information_source: "ℹ️", large_green_circle: "🟢", large_yellow_circle: "🟡", large_orange_circle: "🟠", new: "🆕", red_circle: "🔴",
    white_circle: "⚪", large_blue_circle: "🔵", question: "❓", grey_question: "❔", exclamation: "❗", grey_exclamation: "❕", bell: "🔔",
    memo: "📝", clipboard: "📋", gear: "⚙️", construction: "🚧", eyes: "👀", thumbsup: "👍",
    "+1": "👍", thumbsdown: "👎", raised_hand: "✋", wave: "👋", fast_forward: "⏩", rewind: "⏪",
    leftwards_arrow_with_hook: "↩️", heavy_minus_sign: "➖", heavy_plus_sign: "➕", link: "🔗",
    floppy_disk: "💾", card_index_dividers: "🗂️", file_cabinet: "🗄️", satellite: "📡", zap: "⚡",
    fire: "🔥", zipper_mouth_face: "🤐", mute: "🔇", sos: "🆘", bulb: "💡", calendar: "📅", clock3: "🕒", busts_in_silhouette: "👥",
    bust_in_silhouette: "👤", repeat: "🔁", scales: "⚖️", shield: "🛡️", inbox_tray: "📥",
    large_purple_circle: "🟣", black_circle: "⚫", large_green_square: "🟩", large_red_square: "🟥",
    large_yellow_square: "🟨", small_red_triangle: "🔺", small_red_triangle_down: "🔻", arrow_up: "⬆️",
    arrow_down: "⬇️", alarm_clock: "⏰", mag_right: "🔎", page_facing_up: "📄", pushpin: "📌",
    chart_with_downwards_trend: "📉", speech_balloon: "💬", sparkles: "✨", broom: "🧹", ok: "🆗",
    arrows_clockwise: "🔃", vertical_traffic_light: "🚦", heavy_exclamation_mark: "❗", skull: "💀",
    outbox_tray: "📤", control_knobs: "🎛️", seedling: "🌱", wrench: "🔧", hammer_and_wrench: "🛠️", arrow_right: "➡️", arrow_left: "⬅️",
  };

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // Slack's own escaping, read back to plain characters (then escaped again for HTML).
  function unslack(s) {
    return String(s).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function emoji(html) {
    return html.replace(/:([a-z0-9_+\-]+):/g, (m, name) =>
      EMOJI[name] ? `<span class="emoji" title=":${name}:">${EMOJI[name]}</span>` : m);
  }

  // <…> tokens: links and mentions. null keeps the text as written.
  function angle(inner, ctx) {
    const bar = inner.indexOf("|");
    const target = bar < 0 ? inner : inner.slice(0, bar);
    const label = bar < 0 ? "" : inner.slice(bar + 1);
    if (/^#[CG][A-Z0-9]+$/.test(target)) {
      const name = label || ctx.channelName(target.slice(1));
      return `<span class="mention channel-mention" data-channel="${esc(target.slice(1))}">#${esc(unslack(name))}</span>`;
    }
    if (/^@[UW][A-Z0-9]+$/.test(target)) {
      const name = label || ctx.userName(target.slice(1));
      return `<span class="mention user-mention" data-user="${esc(target.slice(1))}">@${esc(unslack(name))}</span>`;
    }
    if (/^!subteam\^S[A-Z0-9]+$/.test(target)) {
      return `<span class="mention">@${esc(unslack(label || target.slice(9)))}</span>`;
    }
    if (/^!(here|channel|everyone)$/.test(target)) {
      return `<span class="mention broadcast">@${target.slice(1)}</span>`;
    }
    if (/^!date\^/.test(target)) {
      return esc(unslack(label || target));
    }
    if (/^(https?:\/\/|mailto:)/.test(target)) {
      const href = unslack(target);
      const text = label ? emoji(esc(unslack(label))) : esc(href);
      return `<a href="${esc(href)}" target="_blank" rel="noopener noreferrer">${text}</a>`;
    }
    return null;
  }

  const BOLD = /(^|[^\w*])\*(?=\S)([^*\n]*?[^*\s]|[^*\s])\*(?![\w*])/g;
  const ITALIC = /(^|[^\w_])_(?=\S)([^_\n]*?[^_\s]|[^_\s])_(?![\w_])/g;
  const STRIKE = /(^|[^\w~])~(?=\S)([^~\n]*?[^~\s]|[^~\s])~(?![\w~])/g;

  // Text between code blocks. Inline `code`, links and mentions are held aside first (so
  // *`code`* is bold code and nothing inside them is styled), then the rest is escaped and styled.
  function inline(text, ctx) {
    const held = [];
    const hold = (html) => "\u0001" + (held.push(html) - 1) + "\u0002";
    text = text.replace(/`([^`\n]+)`/g, (m, code) => hold(`<code>${esc(unslack(code))}</code>`));
    text = text.replace(/<([^<>\n]+)>/g, (m, inner) => {
      const html = angle(inner, ctx);
      return html === null ? m : hold(html);
    });
    let html = esc(unslack(text));
    html = html.replace(BOLD, "$1<b>$2</b>").replace(ITALIC, "$1<i>$2</i>").replace(STRIKE, "$1<s>$2</s>");
    html = html.replace(/(^|\n)&gt; ?([^\n]*)/g, '$1<span class="quote">$2</span>');
    html = emoji(html).replace(/\n/g, "<br>");
    return html.replace(/\u0001(\d+)\u0002/g, (m, i) => held[Number(i)]);
  }

  function render(text, ctx) {
    text = String(text || "");
    let out = "";
    let last = 0;
    const fence = /```([\s\S]*?)```/g;
    let m;
    while ((m = fence.exec(text)) !== null) {
      out += inline(text.slice(last, m.index).replace(/\n$/, ""), ctx);
      const body = m[1].replace(/^\n/, "").replace(/\n$/, "");
      out += `<pre class="code-block">${esc(unslack(body))}</pre>`;
      last = fence.lastIndex;
      if (text[last] === "\n") last += 1;
    }
    out += inline(text.slice(last), ctx);
    return out;
  }

  // plain_text objects: no styles, but emoji when "emoji": true (Slack's default).
  function plain(text, withEmoji) {
    const html = esc(text || "");
    return withEmoji === false ? html : emoji(html);
  }

  window.Mrkdwn = { render, plain, esc, EMOJI };
})();
