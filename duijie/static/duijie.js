// Behaviour that would otherwise be inline event handlers (the Content-Security-Policy forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
});

// Pickers (core/forms.py picker_widgets): a filter box above every record dropdown (type part of a
// name), and for a region dropdown a city → district cascade that narrows it (and the park dropdown
// of the same form to the parks of the region chosen). A dropdown over many records (data-url) holds
// only the chosen record(s) as the page arrives: its options come from the form's picker endpoint
// (core/views.py record_pick, the same scope as the form), searched as the user types and narrowed by
// the cascade. The server checks every value again.
(function () {
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // Ask the picker endpoint; of several questions on one channel (the dropdown's options, the district
  // list) only the answer to the latest is used: an earlier one arriving late must not undo a later pick.
  function query(select, params, done, channel) {
    var url = select.getAttribute("data-url"), seqs = select._pickerSeq = select._pickerSeq || {};
    var ch = channel || "options", n = seqs[ch] = (seqs[ch] || 0) + 1;
    Object.keys(params).forEach(function (k) {
      if (params[k]) { url += "&" + encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }
    });
    function answer(results, more) { if (seqs[ch] === n) { done(results, more); } }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [], more: false }; })
      .then(function (data) { answer(data.results || [], !!data.more); })
      .catch(function () { answer([], false); });
  }

  function optionFor(item) {
    var o = document.createElement("option");
    o.value = String(item.id);
    o.textContent = item.text;
    if (item.code) { o.dataset.code = item.code; o.dataset.level = String(item.level); }
    if (item.region) { o.dataset.region = item.region; }
    return o;
  }

  // Replace a remote dropdown's offered options by ``items``, keeping the blank and chosen ones.
  function offer(select, items, more) {
    each(Array.prototype.slice.call(select.options), function (o) {
      if (o.classList.contains("picker-more") || (!o.selected && o.value !== "")) { o.remove(); }
    });
    var have = {};
    each(select.options, function (o) { have[o.value] = true; });
    items.forEach(function (item) { if (!have[String(item.id)]) { select.appendChild(optionFor(item)); } });
    if (more) {
      var m = document.createElement("option");
      m.disabled = true; m.value = ""; m.className = "picker-more"; m.textContent = "…";
      select.appendChild(m);
    }
  }

  function filterBox(select, remote) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 picker-filter";
    box.placeholder = select.getAttribute("data-search");
    box.setAttribute("aria-label", box.placeholder);
    select.parentNode.insertBefore(box, select);
    var timer = null;
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      if (remote) {
        clearTimeout(timer);
        timer = setTimeout(function () {
          query(select, Object.assign({ q: box.value.trim() }, remote()), function (items, more) { offer(select, items, more); });
        }, 200);
        return;
      }
      each(select.options, function (o) {
        o.hidden = !!q && !o.selected && o.value !== "" && o.text.toLowerCase().indexOf(q) < 0;
      });
    });
    return box;
  }

  function helper(label) {
    var s = document.createElement("select");
    s.className = "form-select form-select-sm mb-1 picker-level";
    s.setAttribute("aria-label", label);
    return s;
  }

  function fill(target, list, blank) {  // list: [{code, text}]; keeps the value picked if still offered
    var was = target.value;
    target.innerHTML = "";
    var none = document.createElement("option");
    none.value = ""; none.textContent = blank; target.appendChild(none);
    list.forEach(function (o) {
      var c = document.createElement("option"); c.value = o.code; c.textContent = o.text; target.appendChild(c);
    });
    if (was && list.some(function (o) { return o.code === was; })) { target.value = was; }
  }

  function coded(options) {
    return Array.prototype.slice.call(options).filter(function (o) { return o.dataset.code; })
      .map(function (o) { return { code: o.dataset.code, level: o.dataset.level, text: o.text, option: o }; });
  }

  // The park dropdown of the form follows the region chosen (or the city/district picked).
  function narrowParks(select, prefix) {
    var form = select.form, park = form && form.querySelector("select[data-follows=region]");
    var chosen = select.selectedOptions[0], code = (chosen && chosen.dataset.code) || prefix;
    if (!park) { return; }
    park.dataset.regionCode = code || "";
    if (park.hasAttribute("data-url")) { return; }  // a remote park list asks with the region instead
    each(park.options, function (o) {
      o.hidden = !!code && o.value !== "" && !o.selected && !!o.dataset.region && !o.dataset.region.startsWith(code.slice(0, 6));
    });
  }

  function cascade(select) {
    var opts = coded(select.options);
    var cities = opts.filter(function (o) { return o.level === "2"; });
    if (cities.length < 1 || opts.length < 15) { return; }
    var city = helper("city"), district = helper("district");
    select.parentNode.insertBefore(city, select);
    select.parentNode.insertBefore(district, select);
    fill(city, cities, "—");
    function narrow() {
      var prefix = district.value || city.value;
      each(select.options, function (o) {
        o.hidden = !!prefix && o.value !== "" && !o.selected && !(o.dataset.code || "").startsWith(prefix);
      });
      narrowParks(select, prefix);
    }
    function pick(code) {
      var match = opts.filter(function (o) { return o.code === code; })[0];
      if (match) { select.value = match.option.value; }
    }
    city.addEventListener("change", function () {
      fill(district, opts.filter(function (o) { return o.level === "3" && o.code.startsWith(city.value); }), "—");
      district.hidden = !city.value;
      if (city.value) { pick(city.value); } else { select.value = ""; }
      narrow();
    });
    district.addEventListener("change", function () { pick(district.value || city.value); narrow(); });
    select.addEventListener("change", narrow);
    var current = select.selectedOptions[0] && select.selectedOptions[0].dataset.code;
    if (current) {
      city.value = current.slice(0, 4);
      fill(district, opts.filter(function (o) { return o.level === "3" && o.code.startsWith(city.value); }), "—");
      if (current.length >= 6) { district.value = current.slice(0, 6); }
    } else { district.hidden = true; }
    narrow();
  }

  // The same cascade over a remote region dropdown: cities and districts are asked of the endpoint,
  // and the dropdown offers the places within the city or district picked (searchable by name).
  function remoteCascade(select) {
    var city = helper("city"), district = helper("district");
    select.parentNode.insertBefore(city, select);
    select.parentNode.insertBefore(district, select);
    var prefix = function () { return district.value || city.value; };
    filterBox(select, function () { return { within: prefix() }; });
    function pick(code) {
      var match = coded(select.options).filter(function (o) { return o.code === code; })[0];
      if (match) { select.value = match.option.value; }
      narrowParks(select, prefix());
    }
    function places(then) {
      query(select, { within: prefix() }, function (items, more) { offer(select, items, more); if (then) { then(); } });
    }
    function districts(then) {
      if (!city.value) { fill(district, [], "—"); district.hidden = true; if (then) { then(); } return; }
      query(select, { level: "3", within: city.value }, function (items) { fill(district, items, "—"); district.hidden = false; if (then) { then(); } }, "districts");
    }
    city.addEventListener("change", function () {
      districts();
      if (!city.value) { select.value = ""; }
      places(function () { if (city.value) { pick(city.value); } else { narrowParks(select, ""); } });
    });
    district.addEventListener("change", function () { places(function () { pick(prefix()); }); });
    select.addEventListener("change", function () { narrowParks(select, prefix()); });
    var chosen = select.selectedOptions[0], current = chosen && chosen.dataset.code;
    district.hidden = true;
    query(select, { level: "2" }, function (items) {
      fill(city, items, "—");
      if (current) {
        city.value = current.slice(0, 4);
        districts(function () {
          if (current.length >= 6) { district.value = current.slice(0, 6); }
          places(function () { narrowParks(select, prefix()); });
        });
      } else if (items.length === 1) {  // one city in the user's scope: start there
        city.value = items[0].code;
        districts();
        places();
      } else { places(); }
    }, "cities");
  }

  function remote(select) {
    var follows = select.getAttribute("data-follows") === "region";
    var extra = function () { return follows ? { region: select.dataset.regionCode || "" } : {}; };
    filterBox(select, extra);
    query(select, extra(), function (items, more) { offer(select, items, more); });
  }

  function init(root) {
    each(root.querySelectorAll("select[data-cascade=region]:not([data-url])"), cascade);
    each(root.querySelectorAll("select[data-cascade=region][data-url]"), remoteCascade);
    each(root.querySelectorAll("select[data-url]:not([data-cascade])"), remote);
    each(root.querySelectorAll("select[data-search]:not([data-url])"), function (s) { if (s.options.length > 12) { filterBox(s); } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { init(document); }); }
  else { init(document); }
})();
