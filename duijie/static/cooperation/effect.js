// Effectiveness charts (cooperation/effect.html): data from the json_script "effect-data".
(function () {
  "use strict";
  var node = document.getElementById("effect-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var blue = ["#12406b", "#1f6fb2", "#3d8fd6", "#6aaee6", "#9cc9ef", "#2e9d6b"];

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  var grid = { left: 8, right: 24, top: 24, bottom: 8, containLabel: true };

  chart("chart-funnel", {
    color: blue, tooltip: { trigger: "axis" }, grid: grid,
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.funnel.labels },
    series: [{ type: "bar", data: data.funnel.values, label: { show: true, position: "right" },
               itemStyle: { color: function (p) { return blue[p.dataIndex % blue.length]; } } }]
  });
  chart("chart-periods", {
    color: ["#3d8fd6", "#e0a030", "#2e9d6b"], tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.periods.labels }, yAxis: { type: "value", minInterval: 1 },
    series: data.periods.series.map(function (s) { return { name: s.name, type: "line", data: s.values, smooth: false }; })
  });
  chart("chart-types", {
    color: ["#3d8fd6", "#2e9d6b"], tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: data.types.labels },
    series: [{ name: data.funnel.labels[3], type: "bar", data: data.types.intentions },
             { name: data.funnel.labels[5], type: "bar", data: data.types.implemented }]
  });
  chart("chart-value", {
    color: ["#e0a030"], tooltip: { trigger: "axis" }, grid: grid,
    xAxis: { type: "value" }, yAxis: { type: "category", data: data.value.labels, axisLabel: { width: 160, overflow: "truncate" } },
    series: [{ type: "bar", data: data.value.values, label: { show: true, position: "right" } }]
  });
}());
