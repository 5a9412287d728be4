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
  // A dimension that was not assessed has no value (scoring.md S3: never 0): its point is
  // left out, the outline stops on both sides of it instead of cutting across the centre,
  // the area is not filled (a filled shape would still read as a value there), and the
  // legend says which dimensions are missing.
  var missingText = canvas.getAttribute("data-missing-label") || "not assessed";
  var datasets = data.datasets.map(function (set, i) {
    var colour = colours[i % colours.length];
    var missing = data.labels.filter(function (_label, j) {
      return set.data[j] === null || set.data[j] === undefined;
    });
    return {
      label: missing.length ? set.label + " (" + missingText + ": " + missing.join(", ") + ")" : set.label,
      data: set.data,
      borderColor: colour,
      backgroundColor: colour + "22",
      pointBackgroundColor: colour,
      borderWidth: 2,
      spanGaps: false,
      fill: !missing.length,
      missing: missing,
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
  canvas.setAttribute(
    "data-gaps",
    String(datasets.reduce(function (n, set) { return n + set.missing.length; }, 0))
  );
  document.documentElement.classList.add("js-charts");
})();
