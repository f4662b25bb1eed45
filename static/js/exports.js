/* Exports: the dialog's preset picker, and live status of running exports; nothing polls.
 *
 * A preset fills the format, quality and texture selects in one click (the server applies it
 * too, so the form works without JavaScript). Each running export's status block carries
 * data-export-ws (its run's websocket) and data-status-url; updates move the progress bar, and
 * when the run ends the block is replaced with the server's (download link or error). Blocks
 * swapped in by htmx (the dialog's result) are picked up after each swap.
 */
(function () {
  "use strict";

  var TERMINAL = ["succeeded", "failed", "canceled", "expired"];
  var watched = new WeakSet();

  function socketUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function label(value) {
    return value ? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, " ") : "";
  }

  function refresh(block) {
    var url = block.getAttribute("data-status-url");
    if (window.htmx && url) {
      window.htmx.ajax("GET", url, { target: block, swap: "outerHTML" });
    } else {
      location.reload();
    }
  }

  function watch(block) {
    if (watched.has(block)) return;
    watched.add(block);
    var path = block.getAttribute("data-export-ws");
    var attempt = 0;
    var seq = -1;
    function connect() {
      var ws = new WebSocket(socketUrl(path));
      ws.onmessage = function (event) {
        var message;
        try { message = JSON.parse(event.data); } catch (e) { return; }
        var run = message.pipeline;
        if (!run || run.seq <= seq) return;
        seq = run.seq;
        var bar = block.querySelector("[data-export-progress]");
        var badge = block.querySelector("[data-export-badge]");
        var stage = block.querySelector("[data-export-stage]");
        if (bar) { bar.value = run.progress; bar.textContent = run.progress + "%"; }
        if (badge) { badge.textContent = label(run.status); badge.className = "badge badge-" + run.status; }
        if (stage) stage.textContent = label(run.current_stage || "");
        block.setAttribute("data-status", run.status);
        if (TERMINAL.indexOf(run.status) !== -1) {
          ws.onclose = null;
          ws.close();
          refresh(block);
        }
      };
      ws.onopen = function () { attempt = 0; };
      ws.onclose = function (event) {
        if (event.code === 4401 || event.code === 4404 || !document.body.contains(block)) return;
        attempt += 1;
        setTimeout(connect, Math.min(15000, 500 * Math.pow(2, attempt)));
      };
    }
    connect();
  }

  function presetPicker(select) {
    if (watched.has(select)) return;
    watched.add(select);
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var form = select.form;
      if (!option || !option.value) return;
      var pairs = { format: "data-format", quality: "data-quality", texture_size: "data-texture-size" };
      Object.keys(pairs).forEach(function (name) {
        var field = form.elements[name];
        if (field) field.value = option.getAttribute(pairs[name]);
      });
    });
  }

  function scan(root) {
    root.querySelectorAll("[data-export-ws]").forEach(watch);
    root.querySelectorAll("[data-export-preset]").forEach(presetPicker);
  }

  function start() {
    scan(document);
    document.body.addEventListener("htmx:afterSwap", function (event) { scan(event.target.parentNode || document); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
