// Behaviour that would otherwise be inline event handlers (the Content-Security-Policy forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
});

// Pickers (core/forms.py picker_widgets): a filter box above every record dropdown (type part of a
// name), and for a region dropdown a city → district cascade that narrows it (and the park dropdown
// of the same form to the parks of the region chosen). The server checks every value again.
(function () {
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function filterBox(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 picker-filter";
    box.placeholder = select.getAttribute("data-search");
    box.setAttribute("aria-label", box.placeholder);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      each(select.options, function (o) {
        o.hidden = !!q && !o.selected && o.value !== "" && o.text.toLowerCase().indexOf(q) < 0;
      });
    });
  }

  function helper(label) {
    var s = document.createElement("select");
    s.className = "form-select form-select-sm mb-1 picker-level";
    s.setAttribute("aria-label", label);
    return s;
  }

  function cascade(select) {
    var opts = Array.prototype.slice.call(select.options).filter(function (o) { return o.dataset.code; });
    var cities = opts.filter(function (o) { return o.dataset.level === "2"; });
    if (cities.length < 1 || opts.length < 15) { return; }
    var city = helper("city"), district = helper("district");
    select.parentNode.insertBefore(city, select);
    select.parentNode.insertBefore(district, select);
    function fill(target, list, blank) {
      target.innerHTML = "";
      var none = document.createElement("option");
      none.value = ""; none.textContent = blank; target.appendChild(none);
      list.forEach(function (o) {
        var c = document.createElement("option"); c.value = o.dataset.code; c.textContent = o.text; target.appendChild(c);
      });
    }
    fill(city, cities, "—");
    function narrow() {
      var prefix = district.value || city.value;
      each(select.options, function (o) {
        o.hidden = !!prefix && o.value !== "" && !o.selected && !(o.dataset.code || "").startsWith(prefix);
      });
      var form = select.form, park = form && form.querySelector("select[data-follows=region]");
      var chosen = select.selectedOptions[0], code = (chosen && chosen.dataset.code) || prefix;
      if (park) {
        each(park.options, function (o) {
          o.hidden = !!code && o.value !== "" && !o.selected && !!o.dataset.region && !o.dataset.region.startsWith(code.slice(0, 6));
        });
      }
    }
    function pick(code) {
      var match = opts.filter(function (o) { return o.dataset.code === code; })[0];
      if (match) { select.value = match.value; }
    }
    city.addEventListener("change", function () {
      fill(district, opts.filter(function (o) { return o.dataset.level === "3" && o.dataset.code.startsWith(city.value); }), "—");
      district.hidden = !city.value;
      if (city.value) { pick(city.value); } else { select.value = ""; }
      narrow();
    });
    district.addEventListener("change", function () { pick(district.value || city.value); narrow(); });
    select.addEventListener("change", narrow);
    var current = select.selectedOptions[0] && select.selectedOptions[0].dataset.code;
    if (current) {
      city.value = current.slice(0, 4);
      fill(district, opts.filter(function (o) { return o.dataset.level === "3" && o.dataset.code.startsWith(city.value); }), "—");
      if (current.length >= 6) { district.value = current.slice(0, 6); }
    } else { district.hidden = true; }
    narrow();
  }

  function init(root) {
    each(root.querySelectorAll("select[data-cascade=region]"), cascade);
    each(root.querySelectorAll("select[data-search]"), function (s) { if (s.options.length > 12) { filterBox(s); } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { init(document); }); }
  else { init(document); }
})();
