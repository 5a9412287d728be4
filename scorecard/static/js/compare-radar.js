// Side by side: the radar chart of the four dimensions, from the canvas's data-chart JSON.
(function () {
  "use strict";

  var canvas = document.getElementById("radar");
  if (!canvas || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(canvas.getAttribute("data-chart"));
  // Colour-blind-safe palette (Okabe–Ito).
  var colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"];
  var datasets = data.datasets.map(function (set, i) {
    var colour = colours[i % colours.length];
    return {
      label: set.label,
      data: set.data,
      borderColor: colour,
      backgroundColor: colour + "22",
      pointBackgroundColor: colour,
      borderWidth: 2,
      spanGaps: true,
    };
  });
  var chart = new window.Chart(canvas, {
    type: "radar",
    data: { labels: data.labels, datasets: datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        r: {
          min: data.min,
          max: data.max,
          ticks: { stepSize: 0.5 },
        },
      },
      plugins: { legend: { position: "bottom" } },
    },
  });
  canvas.setAttribute("data-rendered", String(chart.data.datasets.length));
  document.documentElement.classList.add("js-charts");
})();
