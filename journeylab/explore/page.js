/* journeylab pages: explorers and process maps that work in a static HTML report, with no
   kernel and no network. Written by journeylab; loaded once per page.
   - An explorer (.jl-page) holds its controls (standard <select>, <input type=range>,
     checkboxes) and, in a JSON block, every drawn piece precomputed at render time: a
     control change shows the piece for the new control values. Pieces are HTML made and
     escaped by journeylab in Python; nothing from the data is turned into markup here.
   - Every Graphviz process map on the page gets pan (drag), zoom (wheel, + and -), details
     on hover (touchpoint or edge: counts and times) and SVG / PNG export. */
(function () {
  "use strict";
  if (window.journeylabPage) { window.journeylabPage.scan(); return; }

  function controlIndex(root, name) {
    var el = root.querySelector('[data-control="' + name + '"]');
    if (!el) return 0;
    if (el.type === "checkbox") return el.checked ? 1 : 0;
    return parseInt(el.value, 10) || 0;
  }

  function showPage(root, spec) {
    Object.keys(spec.controls).forEach(function (name) {
      var el = root.querySelector('[data-control="' + name + '"]');
      if (!el || el.type !== "range") return;
      var text = spec.controls[name][controlIndex(root, name)];
      el.setAttribute("aria-valuetext", text);
      var out = root.querySelector('output[data-for="' + name + '"]');
      if (out) out.textContent = text;
    });
    spec.panels.forEach(function (panel) {
      var key = panel.depends.map(function (n) { return controlIndex(root, n); }).join(",");
      var el = root.querySelector('[data-panel="' + panel.name + '"]');
      if (!el) return;
      var i = panel.pieces[key];
      if (el.getAttribute("data-piece") === String(i)) return;
      el.setAttribute("data-piece", String(i));
      el.innerHTML = i === undefined ? "" : spec.pieces[i];
      enhanceMaps(el);
      drawFigures(el);
    });
  }

  function setupPage(root) {
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    var block = root.querySelector("script.jl-state");
    if (!block) return;
    var spec = JSON.parse(block.textContent);
    enhanceMaps(root);
    unpack(spec.pieces_gz).then(function (pieces) {
      spec.pieces = pieces;
      root.querySelectorAll("[data-control]").forEach(function (el) {
        el.addEventListener("input", function () { showPage(root, spec); });
        el.addEventListener("change", function () { showPage(root, spec); });
      });
      showPage(root, spec);
      root.setAttribute("data-ready", "2");
    }).catch(function (err) {
      var note = document.createElement("p");
      note.className = "jl-note";
      note.textContent = "This browser cannot unpack the explorer's views (" + err +
        "); open the report in a current browser.";
      root.insertBefore(note, root.firstChild);
    });
  }

  function unpack(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  // ------------------------------------------------------------------ process maps
  var tip = null;

  function tooltip() {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "jl-tooltip";
      tip.setAttribute("role", "tooltip");
      tip.style.cssText = "position:fixed;z-index:1000;pointer-events:none;display:none;" +
        "background:#fff;border:1px solid #888;border-radius:4px;padding:4px 8px;" +
        "font:12px/1.4 sans-serif;white-space:pre;box-shadow:0 1px 4px rgba(0,0,0,.2)";
      document.body.appendChild(tip);
    }
    return tip;
  }

  function hoverText(target) {
    var g = target.closest ? target.closest("g.node, g.edge") : null;
    if (!g) return null;
    var a = g.querySelector("a");
    var text = a && (a.getAttribute("xlink:title") ||
                     a.getAttributeNS("http://www.w3.org/1999/xlink", "title"));
    return text || null;
  }

  function download(name, blob) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  function svgText(svg) {
    var copy = svg.cloneNode(true);
    copy.setAttribute("viewBox", svg.getAttribute("data-viewbox"));
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    copy.setAttribute("xmlns:xlink", "http://www.w3.org/1999/xlink");
    return new XMLSerializer().serializeToString(copy);
  }

  function exportPng(svg) {
    var box = svg.getAttribute("data-viewbox").split(/[ ,]+/).map(Number);
    var scale = 2, img = new Image();
    img.onload = function () {
      var c = document.createElement("canvas");
      c.width = Math.ceil(box[2] * scale); c.height = Math.ceil(box[3] * scale);
      var ctx = c.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, c.width, c.height);
      ctx.drawImage(img, 0, 0, c.width, c.height);
      c.toBlob(function (b) { download("process_map.png", b); }, "image/png");
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText(svg));
  }

  function enhanceMap(svg) {
    if (svg.getAttribute("data-jl-map")) return;
    svg.setAttribute("data-jl-map", "1");
    var vb = svg.getAttribute("viewBox");
    if (!vb) return;
    svg.setAttribute("data-viewbox", vb);
    var box = vb.split(/[ ,]+/).map(Number), view = box.slice();
    var bar = document.createElement("div");
    bar.className = "jl-map-tools";
    bar.style.cssText = "display:flex;gap:4px;margin:2px 0;font:12px sans-serif";
    function button(label, title, act) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = label; b.title = title;
      b.setAttribute("aria-label", title);
      b.addEventListener("click", act);
      bar.appendChild(b);
      return b;
    }
    function apply() { svg.setAttribute("viewBox", view.join(" ")); }
    function zoom(f, cx, cy) {
      cx = cx === undefined ? view[0] + view[2] / 2 : cx;
      cy = cy === undefined ? view[1] + view[3] / 2 : cy;
      view[0] = cx - (cx - view[0]) * f; view[1] = cy - (cy - view[1]) * f;
      view[2] *= f; view[3] *= f; apply();
    }
    button("+", "zoom in", function () { zoom(0.8); });
    button("\u2212", "zoom out", function () { zoom(1.25); });
    button("reset", "fit the whole map", function () {
      view = box.slice();
      svg.setAttribute("viewBox", vb);
    });
    button("SVG", "download the map as SVG", function () {
      download("process_map.svg", new Blob([svgText(svg)], {type: "image/svg+xml"}));
    });
    button("PNG", "download the map as PNG", function () { exportPng(svg); });
    svg.parentNode.insertBefore(bar, svg);
    svg.style.cursor = "grab";
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = svg.getBoundingClientRect();
      var cx = view[0] + (e.clientX - r.left) / r.width * view[2];
      var cy = view[1] + (e.clientY - r.top) / r.height * view[3];
      zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85, cx, cy);
    }, {passive: false});
    var drag = null;
    svg.style.touchAction = "none";
    svg.addEventListener("dragstart", function (e) { e.preventDefault(); });
    svg.addEventListener("pointerdown", function (e) {
      e.preventDefault();  // no native drag of the map's links
      drag = {x: e.clientX, y: e.clientY, v: view.slice()};
      svg.style.cursor = "grabbing";
      if (svg.setPointerCapture) svg.setPointerCapture(e.pointerId);
    });
    window.addEventListener("pointerup", function () { drag = null; svg.style.cursor = "grab"; });
    svg.addEventListener("pointermove", function (e) {
      var t = tooltip(), text = hoverText(e.target);
      if (text && !drag) {
        t.textContent = text; t.style.display = "block";
        t.style.left = (e.clientX + 14) + "px"; t.style.top = (e.clientY + 14) + "px";
      } else { t.style.display = "none"; }
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      view[0] = drag.v[0] - (e.clientX - drag.x) / r.width * view[2];
      view[1] = drag.v[1] - (e.clientY - drag.y) / r.height * view[3];
      apply();
    });
    svg.addEventListener("pointerleave", function () { tooltip().style.display = "none"; });
  }

  var SVG_DATA = "data:image/svg+xml;base64,";

  function inlineMap(img) {
    // A report embeds each SVG output as an image; a Graphviz map among them is put in
    // the page as SVG (so that it can be hovered and zoomed), without anything active:
    // no script, no foreign content, no event attribute, no javascript: link.
    var text;
    try {
      var bin = atob(img.getAttribute("src").slice(SVG_DATA.length));
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      text = new TextDecoder("utf-8").decode(bytes);
    } catch (err) { return; }
    var doc = new DOMParser().parseFromString(text, "image/svg+xml");
    var svg = doc.documentElement;
    if (!svg || svg.nodeName !== "svg" || !svg.querySelector(":scope > g.graph")) return;
    svg.querySelectorAll("script, foreignObject, iframe, object, embed").forEach(
      function (e) { e.remove(); });
    svg.querySelectorAll("*").forEach(function (e) {
      Array.prototype.slice.call(e.attributes).forEach(function (a) {
        var v = (a.value || "").trim().toLowerCase();
        if (/^on/i.test(a.name) || (/href$/i.test(a.name) && v.indexOf("javascript:") === 0))
          e.removeAttribute(a.name);
      });
    });
    svg.setAttribute("role", "img");
    if (img.getAttribute("alt")) svg.setAttribute("aria-label", img.getAttribute("alt"));
    svg.style.maxWidth = "100%";
    svg.style.height = "auto";
    img.replaceWith(document.importNode(svg, true));
  }

  function enhanceMaps(scope) {
    scope = scope || document;
    scope.querySelectorAll('img[src^="' + SVG_DATA + '"]').forEach(inlineMap);
    scope.querySelectorAll("svg").forEach(function (svg) {
      if (svg.querySelector(":scope > g.graph")) enhanceMap(svg);
    });
  }

  // ------------------------------------------------------------------ plotly figures
  function drawFigures(scope) {
    (scope || document).querySelectorAll(".jl-plotly").forEach(function (div) {
      if (div.getAttribute("data-drawn")) return;
      var block = div.querySelector("script.jl-figure");
      if (!block) return;
      div.setAttribute("data-drawn", "1");
      if (!window.Plotly) {
        var note = document.createElement("p");
        note.className = "jl-note";
        note.textContent = "This figure needs plotly.min.js, written beside the report: " +
          "keep the two files in the same folder.";
        div.appendChild(note);
        return;
      }
      var fig = JSON.parse(block.textContent), target = document.createElement("div");
      div.appendChild(target);
      window.Plotly.newPlot(target, fig.data || [], fig.layout || {},
                            {displaylogo: false, responsive: true});
    });
  }

  function scan() {
    document.querySelectorAll(".jl-page").forEach(setupPage);
    enhanceMaps(document);
    drawFigures(document);
  }

  window.journeylabPage = {scan: scan};
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
