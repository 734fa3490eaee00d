import Foundation
import HTTP
import PorteroModel
import CoreStorage
import BackOffice
/// The UI's one stylesheet and one script, served from /static (the pages allow nothing inline).
package enum WebAssets {
    /// A turnstile arm in a square: the tab's icon.
    package static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">\
        <rect width="32" height="32" rx="6" fill="#10263f"/>\
                <path d="M8 24V8h4v16zM14 14h12v4H14z" fill="#f0b429"/></svg>
        """

    package static let css = """
        :root { --fg: #1b1f24; --muted: #5a6470; --bg: #f6f7f9; --card: #fff; --accent: #0b5cad; --ok: #17702e; \
        --bad: #b3261e; --line: #d8dde3; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); \
        background: var(--bg); }
        a { color: var(--accent); }
        a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid #f0b429; \
        outline-offset: 2px; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; \
        z-index: 10; }
        header { background: #10263f; color: #fff; }
        header nav { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; padding: 8px 16px; }
        header a { color: #fff; text-decoration: none; } header a[aria-current] { text-decoration: underline; \
        font-weight: 600; }
        header ul { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 0; padding: 0; \
        align-items: center; }
        .brand { font-weight: 700; font-size: 1.2em; margin-right: 8px; }
        .bell .count { background: var(--bad); color: #fff; border-radius: 9px; padding: 0 6px; font-size: .8em; \
        margin-left: 2px; }
        main { max-width: 1200px; margin: 0 auto; padding: 16px; }
        h1 { font-size: 1.6em; margin: .4em 0 .6em; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; \
        margin: 0 0 16px; }
        .card.narrow { max-width: 420px; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
        .row { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-end; }
        .field { margin: 6px 0; display: flex; flex-direction: column; }
        .field label { font-size: .9em; color: var(--muted); }
        input, select, button, .button { font: inherit; padding: 6px 10px; border-radius: 6px; \
        border: 1px solid var(--line); max-width: 100%; }
        fieldset:has(#holder-guest:checked) .for-member, fieldset:has(#holder-member:checked) .for-guest, \
        fieldset:has(#how-sell:checked) .for-give { display: none; }
        button, .button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; \
        text-decoration: none; display: inline-block; }
        button.small { padding: 2px 8px; font-size: .85em; } button.danger { background: var(--bad); \
        border-color: var(--bad); }
        button.link { background: none; border: none; color: #fff; text-decoration: underline; padding: 0; }
        form.inline { display: inline; }
        .invalid input, .invalid select { border-color: var(--bad); border-width: 2px; }
        .error { color: var(--bad); font-weight: 600; } .ok, .granted { color: var(--ok); } \
        .denied { color: var(--bad); }
        .notice { background: #e7f3ea; border: 1px solid #b7dcc0; padding: 8px 12px; border-radius: 6px; }
        .muted { color: var(--muted); }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; background: var(--card); }
        th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; } dt { color: var(--muted); } \
        dd { margin: 0; }
        .avatar { display: inline-flex; align-items: center; justify-content: center; width: 40px; height: 40px; \
        border-radius: 50%; background: #c9d6e3; color: #10263f; font-weight: 700; flex: none; }
        .avatar.big { width: 72px; height: 72px; font-size: 1.5em; }
        img.avatar { object-fit: cover; background: none; }
        .live { list-style: none; padding: 0; }
        .live li { display: flex; gap: 12px; align-items: center; background: var(--card); \
        border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 8px; padding: 8px 12px; \
        margin: 0 0 8px; }
        .live li.denied { border-left-color: var(--bad); }
        .live .what { flex: 1; } .live .plan { display: block; color: var(--muted); font-size: .9em; } \
        .live .where { color: var(--muted); text-align: right; }
        .live-on { color: var(--ok); } .live-off { color: var(--bad); }
        .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; \
        margin: 12px 0; }
        .figure { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px; } \
        .figure .label { display: block; color: var(--muted); } .figure .value { font-size: 1.25em; font-weight: 700; \
        overflow-wrap: anywhere; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        .chart { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; \
        margin: 0 0 16px; overflow-x: auto; }
        .chart figcaption { font-weight: 600; margin-bottom: 6px; } .legend { list-style: none; padding: 0; } \
        .swatch { margin-right: 6px; vertical-align: middle; }
        .tabs { display: flex; gap: 12px; margin-bottom: 12px; } .tabs a[aria-current] { font-weight: 700; }
        .notifications { list-style: none; padding: 0; } .notifications li { background: var(--card); \
        border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin-bottom: 8px; }
        .notifications li.unread { border-left: 6px solid var(--accent); } \
        .notifications li.urgent { border-left-color: var(--bad); }
        .code { font-size: 1.3em; font-weight: 700; letter-spacing: .05em; } code.changes { font-size: .8em; \
        word-break: break-all; }
        .standing.current { color: var(--ok); } .standing.expired, .standing.cancelled { color: var(--bad); }
        @media (max-width: 640px) { header nav { padding: 8px; } main { padding: 8px; } .live li { flex-wrap: wrap; } }
        @media print { header, .noprint { display: none; } main { padding: 0; } .invoice { border: none; } }
        """

    /// Live attendance: an EventSource that adds each entry at the top and shows the connection
    /// state; the browser reconnects by itself (with Last-Event-ID) after errors and restarts.
    package static let liveScript = """
        (function () {
          "use strict";
          var list = document.getElementById("live");
          var state = document.getElementById("live-state");
          if (!list || !state || !window.EventSource) { return; }
          var source = new EventSource(list.getAttribute("data-events") + "?after=" + \
        encodeURIComponent(list.getAttribute("data-after") || ""));
          var pending = null;
          source.addEventListener("open", function () {
            if (pending) { clearTimeout(pending); pending = null; }
            state.textContent = state.getAttribute("data-connected");
            state.className = "live-on";
          });
          // Each answer ends its response and the browser asks again at once; only a
          // reconnection that takes a while (the core is down) is shown.
          source.addEventListener("error", function () {
            // Refused for good (the session ended): reload, which signs in and comes back here.
            if (source.readyState === EventSource.CLOSED) { setTimeout(function () { location.reload(); }, 2500); }
            if (pending) { return; }
            pending = setTimeout(function () {
              pending = null;
              state.textContent = state.getAttribute("data-reconnecting");
              state.className = "live-off";
            }, 2500);
          });
          source.addEventListener("attendance", function (event) {
            var holder = document.createElement("ol");
            holder.innerHTML = event.data;
            if (holder.firstElementChild) { list.insertBefore(holder.firstElementChild, list.firstChild); }
            while (list.children.length > 100) { list.removeChild(list.lastElementChild); }
          });
        })();
        """
}
