// Public pages: registration countdown and auto-submitting sort select. No dependencies.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var zh = lang.indexOf("zh") === 0;

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick(el) {
    var deadline = Date.parse(el.getAttribute("data-deadline"));
    if (isNaN(deadline)) { return; }
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600);
    var m = Math.floor((left % 3600) / 60), s = left % 60;
    el.textContent = zh
      ? d + " 天 " + pad(h) + " 时 " + pad(m) + " 分 " + pad(s) + " 秒"
      : d + "d " + pad(h) + "h " + pad(m) + "m " + pad(s) + "s";
  }

  var counters = document.querySelectorAll(".countdown[data-deadline]");
  if (counters.length) {
    var run = function () { for (var i = 0; i < counters.length; i++) { tick(counters[i]); } };
    run();
    window.setInterval(run, 1000);
  }

  var selects = document.querySelectorAll("select.js-autosubmit");
  for (var i = 0; i < selects.length; i++) {
    selects[i].addEventListener("change", function (event) { event.target.form.submit(); });
  }
})();
