/* twitchcheck: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  // Body map: each target of the figure is one place on one side. A tap selects that target only; the
  // form's real controls follow (the place's checkbox, and "Which side?" where the form has it), and
  // ticking the list lights the figure the same way.
  document.querySelectorAll(".bodymap").forEach(function (map) {
    var parts = map.querySelectorAll(".figure [data-loc]");
    var sides = map.querySelectorAll('input[name="side"]');
    var picked = map.querySelector(".bodymap-picked");
    function box(loc) { return map.querySelector('input[name="loc"][value="' + loc + '"]'); }
    function chosenSide() {
      var value = "";
      sides.forEach(function (input) { if (input.checked) { value = input.value; } });
      return value;
    }
    function announce() {
      if (!picked) { return; }
      var names = [];
      parts.forEach(function (part) {
        if (part.classList.contains("selected")) { names.push(part.getAttribute("data-name")); }
      });
      picked.textContent = names.length ? "Chosen: " + names.join(", ") + "." : "";
    }
    function fromInputs(onlyLoc) {
      var side = chosenSide();
      parts.forEach(function (part) {
        if (onlyLoc && part.getAttribute("data-loc") !== onlyLoc) { return; }
        var input = box(part.getAttribute("data-loc"));
        var own = part.getAttribute("data-side");
        var on = !!input && input.checked && (!own || !side || side === "both" || own === side);
        part.classList.toggle("selected", on);
      });
      announce();
    }
    function fromFigure() {
      var locs = {}, left = false, right = false;
      parts.forEach(function (part) {
        if (!part.classList.contains("selected")) { return; }
        locs[part.getAttribute("data-loc")] = true;
        left = left || part.getAttribute("data-side") === "left";
        right = right || part.getAttribute("data-side") === "right";
      });
      map.querySelectorAll('input[name="loc"]').forEach(function (input) { input.checked = !!locs[input.value]; });
      var side = left && right ? "both" : left ? "left" : right ? "right" : "";
      sides.forEach(function (input) { input.checked = input.value === side; });
      announce();
    }
    parts.forEach(function (part) {
      part.addEventListener("click", function () {
        part.classList.toggle("selected");
        fromFigure();
      });
    });
    map.addEventListener("change", function (event) {
      var input = event.target;
      fromInputs(input.name === "loc" ? input.value : null);
    });
    if (window.matchMedia("(max-width: 40rem)").matches) {  // on a phone the figure is enough at first
      map.querySelectorAll("details[data-js-collapse]").forEach(function (d) { d.removeAttribute("open"); });
    }
    fromInputs(null);
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
