/* Live pipeline status: websocket events update the page; nothing polls.
 *
 * The detail page marks its status block with data-websocket-url (one pipeline) and the list
 * page its table with data-user-websocket-url (all of the user's pipelines). The server sends a
 * snapshot on connect and after {"type": "resync"}, then one update per committed change, each
 * with a per-pipeline `seq` that only grows. A gap in `seq` asks for a fresh snapshot; a dropped
 * connection reconnects with backoff and gets a snapshot on reconnect. Without JavaScript the
 * pages still show the state they were rendered with.
 */
(function () {
  "use strict";

  var BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
  var SILENCE_MS = 60000; // the server pings every 25 s; this much silence means a dead link
  var CLOSE_FINAL = { 4401: "Sign in again to see live updates.", 4404: "This pipeline is not available." };
  var TERMINAL = ["succeeded", "failed", "canceled", "expired"];
  var MARKS = { succeeded: "✓", running: "●", failed: "✗", canceled: "–" };

  function label(value) {
    return value ? value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, " ") : "";
  }

  function socketUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function LiveSocket(path, indicator, onMessage) {
    this.path = path;
    this.indicator = indicator;
    this.onMessage = onMessage;
    this.attempt = 0;
    this.timer = null;
    this.connect();
    var self = this;
    window.addEventListener("offline", function () { self.state("Offline: waiting for the network…", "wait"); });
    window.addEventListener("online", function () {
      // Back online: reconnect at once, or ask an open socket for what was missed.
      if (!self.ws || self.ws.readyState > 1) { self.attempt = 0; self.connect(); }
      else { self.state("Live", "on"); self.send({ type: "resync" }); }
    });
  }

  LiveSocket.prototype.state = function (text, kind) {
    if (!this.indicator) return;
    this.indicator.textContent = text;
    this.indicator.className = "live-indicator live-" + kind;
  };

  LiveSocket.prototype.connect = function () {
    var self = this;
    clearTimeout(this.retry);
    var ws = new WebSocket(socketUrl(this.path));
    this.ws = ws;
    ws.onopen = function () { self.attempt = 0; self.state("Live", "on"); self.watch(); };
    ws.onmessage = function (event) {
      self.watch();
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "ping") return;
      self.onMessage(message, self);
    };
    ws.onclose = function (event) {
      clearTimeout(self.timer);
      if (self.ws !== ws) return;
      if (CLOSE_FINAL[event.code]) { self.state(CLOSE_FINAL[event.code], "off"); return; }
      var base = BACKOFF_MS[Math.min(self.attempt, BACKOFF_MS.length - 1)];
      self.attempt += 1;
      self.state("Reconnecting…", "wait");
      self.retry = setTimeout(function () { self.connect(); }, base * (0.75 + Math.random() * 0.5));
    };
  };

  LiveSocket.prototype.watch = function () {
    var ws = this.ws;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { ws.close(); }, SILENCE_MS);
  };

  LiveSocket.prototype.send = function (message) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(message));
  };

  function setProgress(bar, value) {
    if (!bar) return;
    bar.setAttribute("aria-valuenow", value);
    var fill = bar.querySelector("span");
    if (fill) fill.style.width = value + "%";
  }

  function setBadge(badge, status) {
    if (!badge) return;
    badge.className = "badge badge-" + status;
    badge.textContent = label(status);
  }

  /* Detail page: one pipeline. */
  function watchPipeline(section) {
    var lastSeq = Number((section.querySelector("[data-seq]") || section).getAttribute("data-seq") || 0);
    var lastStatus = (section.querySelector("[data-status]") || section).getAttribute("data-status");
    var statusUrl = section.getAttribute("data-status-url");
    var indicator = document.createElement("p");
    indicator.setAttribute("role", "status");
    section.parentNode.insertBefore(indicator, section);

    function rerender() {
      // The finished state (asset link, retry button, error text) comes from the server's partial.
      fetch(statusUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) section.innerHTML = html; });
    }

    function apply(pipeline) {
      setBadge(section.querySelector("#pipeline-status-badge"), pipeline.status);
      setProgress(section.querySelector("#pipeline-progress"), pipeline.progress);
      var text = section.querySelector("#pipeline-progress-text");
      if (text) text.textContent = pipeline.progress + "%";
      pipeline.stages.forEach(function (stage) {
        var item = section.querySelector("#pipeline-stage-" + stage.name);
        if (!item) return;
        item.className = "stage stage-" + stage.status;
        item.setAttribute("data-status", stage.status);
        var mark = item.querySelector(".stage-mark");
        if (mark) mark.textContent = MARKS[stage.status] || "○";
        setBadge(item.querySelector(".badge"), stage.status);
      });
      if (pipeline.status !== lastStatus || TERMINAL.indexOf(pipeline.status) >= 0) rerender();
      lastStatus = pipeline.status;
    }

    new LiveSocket(section.getAttribute("data-websocket-url"), indicator, function (message, socket) {
      var pipeline = message.pipeline;
      if (!pipeline) return;
      if (message.type === "update" && pipeline.seq > lastSeq + 1) socket.send({ type: "resync" });
      if (message.type === "update" && pipeline.seq <= lastSeq) return;
      lastSeq = pipeline.seq;
      apply(pipeline);
    });
  }

  /* List page: every pipeline of the user. */
  function watchList(table) {
    var body = table.querySelector("tbody");
    var seqs = {};
    var indicator = document.createElement("p");
    indicator.setAttribute("role", "status");
    table.parentNode.insertBefore(indicator, table);

    function row(pipeline) {
      var existing = document.getElementById("pipeline-row-" + pipeline.pipeline_id);
      if (existing) return existing;
      var tr = document.createElement("tr");
      tr.id = "pipeline-row-" + pipeline.pipeline_id;
      var link = document.createElement("a");
      link.href = "/pipelines/" + pipeline.pipeline_id + "/";
      link.textContent = pipeline.prompt || "New pipeline";
      var cells = [link,
        '<span class="badge" data-role="status"></span>',
        '<div class="progress" role="progressbar" aria-label="Progress" aria-valuemin="0" aria-valuemax="100" data-role="progress"><span></span></div><small class="help" data-role="current-stage"></small>',
        "just now", ""];
      cells.forEach(function (content, index) {
        var td = document.createElement("td");
        if (typeof content === "string") td.innerHTML = content; else td.appendChild(content);
        if (index === 4) td.setAttribute("data-role", "asset");
        tr.appendChild(td);
      });
      body.insertBefore(tr, body.firstChild);
      return tr;
    }

    var statusFilter = table.getAttribute("data-status-filter") || "";

    function apply(pipeline) {
      var known = document.getElementById("pipeline-row-" + pipeline.pipeline_id);
      // A filtered list only gains rows that match its filter; rows it shows keep updating.
      if (!known && statusFilter && pipeline.status !== statusFilter) return;
      table.hidden = false;
      var empty = document.getElementById("pipeline-list-empty");
      if (empty) empty.remove();
      var tr = row(pipeline);
      setBadge(tr.querySelector('[data-role="status"]'), pipeline.status);
      setProgress(tr.querySelector('[data-role="progress"]'), pipeline.progress);
      var stage = tr.querySelector('[data-role="current-stage"]');
      if (stage) stage.textContent = TERMINAL.indexOf(pipeline.status) < 0 ? label(pipeline.current_stage) : "";
      var asset = tr.querySelector('[data-role="asset"]');
      if (asset && pipeline.asset_id && !asset.querySelector("a")) {
        var link = document.createElement("a");
        link.href = "/assets/" + pipeline.asset_id + "/";
        if (pipeline.thumbnail_url) {
          var img = document.createElement("img");
          img.src = pipeline.thumbnail_url; img.alt = "Generated asset"; img.width = 48; img.height = 48;
          img.className = "thumb-small";
          link.appendChild(img);
        } else {
          link.textContent = "Open asset";
        }
        asset.appendChild(link);
      }
    }

    new LiveSocket(table.getAttribute("data-user-websocket-url"), indicator, function (message, socket) {
      if (message.type === "snapshot" && message.pipelines) {
        message.pipelines.forEach(function (pipeline) {
          seqs[pipeline.pipeline_id] = pipeline.seq;
          if (document.getElementById("pipeline-row-" + pipeline.pipeline_id)) apply(pipeline);
        });
        return;
      }
      var pipeline = message.pipeline;
      if (!pipeline) return;
      var last = seqs[pipeline.pipeline_id];
      if (last !== undefined && pipeline.seq <= last) return;
      if (last !== undefined && pipeline.seq > last + 1) socket.send({ type: "resync" });
      seqs[pipeline.pipeline_id] = pipeline.seq;
      apply(pipeline);
    });
  }

  function start() {
    if (!("WebSocket" in window)) return;
    var section = document.querySelector("[data-websocket-url]");
    if (section) watchPipeline(section);
    var table = document.querySelector("[data-user-websocket-url]");
    if (table) watchList(table);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
