// Job summary: bar charts from each canvas's data-chart JSON (the tables carry the same data).
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  // Colour-blind-safe palette (Okabe–Ito).
  var colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"];

  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart"));
    var scaled = typeof data.max === "number";
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, i) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: colours[i % colours.length],
          };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          y: scaled
            ? { min: 0, max: data.max, ticks: { stepSize: 0.5 } }
            : { beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
    canvas.setAttribute("data-rendered", String(chart.data.datasets.length));
  });
  document.documentElement.classList.add("js-charts");
})();
