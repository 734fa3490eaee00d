/// The member's pass in the browser: the script of `/my/pass` (after `qrScript`, served together
/// as `/static/pass.js`), its service worker (`/my/pass-sw.js`, scope `/my/`) and its styles.
extension WebAssets {
    package static let passScript = #"""
        // The member's pass: a key pair made here (the private key cannot leave this browser), a code
        // signed with it every few seconds and shown as a QR code, also offline once the page is loaded.
        (function () {
          "use strict";
          var root = document.getElementById("pass");
          if (!root) { return; }
          var member = root.getAttribute("data-member");
          var renew = parseInt(root.getAttribute("data-renew"), 10) || 5;
          var pageNow = parseInt(root.getAttribute("data-now"), 10);
          var holder = document.getElementById("pass-code");
          var state = document.getElementById("pass-state");
          var form = document.getElementById("pass-add");

          function say(name) { state.textContent = root.getAttribute("data-" + name); }

          if ("serviceWorker" in navigator) {
            navigator.serviceWorker.register("/my/pass-sw.js", { scope: "/my/" }).catch(function () {});
          }
          if (!window.crypto || !crypto.subtle || !window.indexedDB) { say("unsupported"); return; }

          // The core's clock minus this one's, kept for the times the page comes from the offline copy
          // (whose time is that of the copy, not of now): asked of the core whenever it answers, the
          // page's own time only as a first guess.
          var clock = null;
          try { clock = JSON.parse(localStorage.getItem("portero-pass-clock")); } catch (error) { clock = null; }
          if (!clock || typeof clock.offset !== "number") { clock = { offset: pageNow - Date.now() }; }
          var asked = Date.now();
          (navigator.onLine ? fetch("/api/v1/me/pass", { credentials: "same-origin", cache: "no-store" })
            : Promise.resolve(null))
            .then(function (answer) { return answer && answer.ok ? answer.json() : null; })
            .then(function (answer) {
              if (!answer || typeof answer.now !== "number") { return; }
              clock = { offset: answer.now - (asked + Date.now()) / 2 };
              localStorage.setItem("portero-pass-clock", JSON.stringify(clock));
            }).catch(function () {});
          // The offline copy of this page, without the notice of the form just sent, and current even
          // before the service worker is in charge.
          var worker = navigator.serviceWorker;
          if (window.caches && navigator.onLine && (location.search || !worker || !worker.controller)) {
            caches.open("portero-pass-v1").then(function (cache) { return cache.add("/my/pass"); })
              .catch(function () {});
          }
          function seconds() { return Math.floor((Date.now() + clock.offset) / 1000); }

          // One record per member in IndexedDB: the key pair, its public x and y, the phone id once known.
          function store(mode, work) {
            return new Promise(function (resolve, reject) {
              var opening = indexedDB.open("portero-pass", 1);
              opening.onupgradeneeded = function () { opening.result.createObjectStore("keys"); };
              opening.onerror = function () { reject(opening.error); };
              opening.onsuccess = function () {
                var request = work(opening.result.transaction("keys", mode).objectStore("keys"));
                request.onsuccess = function () { resolve(request.result); };
                request.onerror = function () { reject(request.error); };
              };
            });
          }
          function load() { return store("readonly", function (keys) { return keys.get(member); }); }
          function save(record) { return store("readwrite", function (keys) { return keys.put(record, member); }); }

          function pad(value, width) {
            var text = String(value);
            while (text.length < width) { text = "0" + text; }
            return text;
          }

          // The code the doors verify: 71, member, phone, time, then the signature in ten-digit groups.
          function code(record, t) {
            var digits = "71" + pad(member, 12) + pad(record.phone, 12) + pad(t, 10);
            var message = new TextEncoder().encode("portero-pass:" + digits);
            var algorithm = { name: "ECDSA", hash: "SHA-256" };
            return crypto.subtle.sign(algorithm, record.privateKey, message).then(function (sig) {
              var view = new DataView(sig);
              for (var i = 0; i < 16; i++) { digits += pad(view.getUint32(4 * i), 10); }
              return digits;
            });
          }

          function show(record) {
            var shown = -1;
            var countdown = document.getElementById("pass-countdown");
            function tick() {
              var t = seconds();
              var start = t - (t % renew);
              countdown.textContent = String(renew - (t - start));
              if (start !== shown) {
                shown = start;
                code(record, t).then(function (text) {
                  var picture = PorteroQR.svg(PorteroQR.encode(text), root.getAttribute("data-label"));
                  holder.replaceChildren(picture);
                  holder.setAttribute("data-code", text);
                }).catch(function () { say("unsupported"); });
              }
              setTimeout(tick, 1000 - ((Date.now() + clock.offset) % 1000));
            }
            root.classList.add("pass-ready");
            say("ready");
            tick();
          }

          // The phones the page lists, each with its id, its public key's x and whether it is revoked.
          var phones = Array.prototype.map.call(document.querySelectorAll("[data-phone]"), function (item) {
            return { id: item.getAttribute("data-phone"), x: item.getAttribute("data-x"),
              revoked: item.hasAttribute("data-revoked"), item: item };
          });

          load().then(function (record) {
            var mine = record && phones.filter(function (phone) { return phone.x === record.x; })[0];
            if (mine) { mine.item.classList.add("this-phone"); }
            if (mine && !mine.revoked) {
              if (form) { form.hidden = true; }
              if (record.phone !== mine.id) {
                record.phone = mine.id;
                save(record);
              }
              show(record);
            } else {
              say(record && (mine ? mine.revoked : record.phone) ? "revoked" : "nokey");
            }
          }).catch(function () { say("unsupported"); });

          // Adding this phone: a new key pair, kept here; only the public key's x and y are sent.
          if (form) {
            form.addEventListener("submit", function (event) {
              if (form.elements.x.value) { return; }
              event.preventDefault();
              var algorithm = { name: "ECDSA", namedCurve: "P-256" };
              crypto.subtle.generateKey(algorithm, false, ["sign", "verify"]).then(function (pair) {
                return crypto.subtle.exportKey("jwk", pair.publicKey).then(function (jwk) {
                  var record = { privateKey: pair.privateKey, publicKey: pair.publicKey, x: jwk.x, y: jwk.y };
                  return save(record).then(function () {
                    form.elements.x.value = jwk.x;
                    form.elements.y.value = jwk.y;
                    form.submit();
                  });
                });
              }).catch(function () { say("unsupported"); });
            });
          }
        })();
        """#

    package static let passWorker = #"""
        // The pass page and what it loads (script, style sheet, icon, the chain's logo), from the network
        // when it answers, else from the copy kept the last time it did: the pass works offline.
        var CACHE = "portero-pass-v1";
        var KEPT = ["/my/pass", "/static/pass.js", "/static/portero.css", "/static/icon.svg", "/chain-logo"];
        function keep(path, response) {
          if (!response.ok || response.redirected) { return Promise.resolve(); }
          var copy = response.clone();
          return caches.open(CACHE).then(function (cache) { return cache.put(path, copy); });
        }
        self.addEventListener("install", function (event) {
          // A first copy of each (a chain without a logo has none); the fetches below keep them fresh.
          event.waitUntil(Promise.all(KEPT.map(function (path) {
            return fetch(path).then(function (response) { return keep(path, response); }).catch(function () {});
          })).then(function () { return self.skipWaiting(); }));
        });
        self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
        self.addEventListener("fetch", function (event) {
          var url = new URL(event.request.url);
          var mine = url.origin === location.origin && KEPT.indexOf(url.pathname) >= 0;
          if (event.request.method !== "GET" || !mine) { return; }
          event.respondWith(fetch(event.request).then(function (response) {
            keep(url.pathname, response);
            return response;
          }).catch(function () {
            return caches.match(url.pathname).then(function (copy) { return copy || Response.error(); });
          }));
        });
        """#

    package static let passCSS = """
        .pass { text-align: center; }
        .pass-code svg { width: 100%; max-width: 22rem; height: auto; background: #fff; }
        .pass .pass-live { display: none; } .pass.pass-ready .pass-live { display: block; }
        .phones { list-style: none; padding: 0; }
        .phones li { padding: 6px 0; border-bottom: 1px solid var(--line); }
        .phones li.revoked { color: var(--muted); } .phones li.this-phone strong::after { content: " ★"; }
        """
}
