/* twitchcheck: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  // Body map: clicking a region of the figure ticks the matching checkbox (the real control).
  function syncRegions(form) {
    var boxes = form.querySelectorAll('input[name="loc"]');
    boxes.forEach(function (box) {
      form.querySelectorAll('[data-loc="' + box.value + '"]').forEach(function (part) {
        part.classList.toggle("selected", box.checked);
      });
    });
  }
  document.querySelectorAll(".bodymap").forEach(function (map) {
    map.querySelectorAll("[data-loc]").forEach(function (part) {
      part.addEventListener("click", function () {
        var box = map.querySelector('input[name="loc"][value="' + part.getAttribute("data-loc") + '"]');
        if (!box) { return; }
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    map.addEventListener("change", function () { syncRegions(map); });
    syncRegions(map);
  });

  // Diary times are typed in the phone's own time zone; tell the server which one that is.
  document.querySelectorAll("[data-tz-offset]").forEach(function (input) {
    if (!input.value) { input.value = String(new Date().getTimezoneOffset()); }
  });

  // Printing: open every "why" section first so the paper copy is complete.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("open", ""); });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Move focus to an error summary so screen-reader users hear what to fix.
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) { summary.focus(); }
})();
