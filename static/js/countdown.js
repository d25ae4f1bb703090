// Live countdown for the registration window. It counts the seconds the server computed (so a wrong phone clock
// does not matter); the server-rendered text stays as the no-JS fallback.
(function () {
  document.querySelectorAll("[data-seconds]").forEach(function (el) {
    var seconds = parseInt(el.getAttribute("data-seconds"), 10);
    var out = el.querySelector(".countdown-value");
    if (isNaN(seconds) || !out) return;
    var target = Date.now() + seconds * 1000;
    var days = el.getAttribute("data-days-label") || "d";
    function pad(n) { return n < 10 ? "0" + n : "" + n; }
    function tick() {
      var left = Math.max(0, Math.floor((target - Date.now()) / 1000));
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      out.textContent = (d ? d + " " + days + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
      if (left === 0) { clearInterval(timer); window.setTimeout(function () { window.location.reload(); }, 2000); }
    }
    var timer = setInterval(tick, 1000); tick();
  });
})();
