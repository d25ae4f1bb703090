// Hover / touch read-out for the server-drawn SVG charts (leaderboard/charts.py). No dependencies.
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".chart-box");
  for (var b = 0; b < boxes.length; b++) { attach(boxes[b]); }

  function attach(box) {
    var svg = box.querySelector("svg");
    var rect = svg && svg.querySelector("rect.hover");
    var readout = box.querySelector(".chart-readout");
    if (!rect || !readout) { return; }
    var series = (rect.getAttribute("data-series") || "").split(",").map(function (pair) {
      var at = pair.indexOf(":");
      return { date: pair.slice(0, at), value: pair.slice(at + 1) };
    });
    if (!series.length) { return; }
    var ns = "http://www.w3.org/2000/svg";
    var cursor = document.createElementNS(ns, "line");
    cursor.setAttribute("class", "cursor");
    cursor.setAttribute("y1", rect.getAttribute("y"));
    cursor.setAttribute("y2", String(Number(rect.getAttribute("y")) + Number(rect.getAttribute("height"))));
    cursor.style.display = "none";
    svg.appendChild(cursor);
    var last = series[series.length - 1];
    readout.textContent = last.date + "  " + last.value;

    function show(clientX) {
      var box = svg.getBoundingClientRect();
      var vb = svg.viewBox.baseVal;
      var x = (clientX - box.left) / box.width * vb.width;
      var x0 = Number(rect.getAttribute("x")), w = Number(rect.getAttribute("width"));
      var t = Math.min(1, Math.max(0, (x - x0) / w));
      var i = Math.round(t * (series.length - 1));
      var cx = x0 + w * i / Math.max(1, series.length - 1);
      cursor.setAttribute("x1", cx); cursor.setAttribute("x2", cx);
      cursor.style.display = "";
      readout.textContent = series[i].date + "  " + series[i].value;
    }
    svg.addEventListener("mousemove", function (e) { show(e.clientX); });
    svg.addEventListener("touchmove", function (e) { if (e.touches.length) { show(e.touches[0].clientX); } }, { passive: true });
    svg.addEventListener("mouseleave", function () {
      cursor.style.display = "none";
      readout.textContent = last.date + "  " + last.value;
    });
  }
})();
