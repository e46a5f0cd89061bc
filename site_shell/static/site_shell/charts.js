// Draws every chart on the page. Each chart is an element with data-plotly-figure naming
// the JSON data block (made by site_shell/_chart.html) that holds its data, layout and config.
// One static script instead of one inline script per chart: the Content-Security-Policy
// allows no inline script.
(function () {
  "use strict";

  function drawCharts() {
    var charts = document.querySelectorAll("[data-plotly-figure]");
    Array.prototype.forEach.call(charts, function (element) {
      var block = document.getElementById(element.getAttribute("data-plotly-figure"));
      if (!block) {
        return;
      }
      var figure = JSON.parse(block.textContent);
      // On a phone Plotly's toolbar would cover the chart's title, and touch needs none of it.
      if (window.matchMedia("(max-width: 640px)").matches) {
        figure.config.displayModeBar = false;
      }
      window.Plotly.newPlot(element, figure.data, figure.layout, figure.config);
    });
  }

  // Loaded with `defer` after Plotly: the document has been parsed when this runs.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
