// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Region selects: province -> regency -> district, filled from the public regions API.
  function fill(select, rows) {
    var keep = select.value;
    select.innerHTML = "";
    var blank = document.createElement("option");
    blank.value = ""; blank.textContent = "—";
    select.appendChild(blank);
    rows.forEach(function (r) {
      var o = document.createElement("option");
      o.value = r.code; o.textContent = r.name;
      if (r.code === keep) { o.selected = true; }
      select.appendChild(o);
    });
  }
  function clearChain(select) {
    var next = select.dataset.regionTarget && document.getElementById(select.dataset.regionTarget);
    if (next) { fill(next, []); clearChain(next); }
  }
  document.querySelectorAll("select[data-region-target]").forEach(function (select) {
    select.addEventListener("change", function () {
      var target = document.getElementById(select.dataset.regionTarget);
      clearChain(select);
      if (!select.value || !target) { return; }
      var url = select.dataset.regionLevel === "province"
        ? "/api/v1/regions/provinces/" + select.value + "/regencies"
        : "/api/v1/regions/regencies/" + select.value + "/districts";
      fetch(url).then(function (r) { return r.json(); }).then(function (rows) {
        fill(target, rows);
        target.dispatchEvent(new Event("regions-loaded"));
      });
    });
  });

  // Aptitude test: count down, and save each answer as it is chosen so a dropped
  // connection loses nothing; the server's clock still decides what counts.
  var timer = document.querySelector(".timer[data-seconds-left]");
  if (timer) {
    var left = parseInt(timer.dataset.secondsLeft, 10);
    var out = timer.querySelector("span");
    var tick = function () {
      var m = Math.floor(left / 60), s = left % 60;
      out.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      if (left > 0) { left -= 1; setTimeout(tick, 1000); }
    };
    tick();
  }
  var form = document.querySelector("form[data-autosave]");
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.type !== "radio") { return; }
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append("action", "save");
      data.append(event.target.name, event.target.value);
      fetch(form.action || window.location.href, { method: "POST", body: data, credentials: "same-origin" });
    });
  }
})();
