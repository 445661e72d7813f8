// Moves by year (innovation/tiers.html): data from the json_script "tiers-data".
(function () {
  "use strict";
  var node = document.getElementById("tiers-data");
  var el = document.getElementById("chart-moves");
  if (!node || !el || typeof echarts === "undefined") { return; }
  var d = JSON.parse(node.textContent);
  var c = echarts.init(el, null, { renderer: "svg" });
  c.setOption({
    color: ["#2e9d6b", "#1f6fb2", "#e0a030"], tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: d.years }, yAxis: { type: "value", minInterval: 1 },
    series: [{ name: d.labels.up, type: "bar", data: d.up },
             { name: d.labels.sme_to_ht, type: "bar", data: d.sme_to_ht },
             { name: d.labels.down, type: "bar", data: d.down }]
  });
  window.addEventListener("resize", function () { c.resize(); });
}());
