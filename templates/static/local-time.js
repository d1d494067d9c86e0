// implements: REQ-508
// Dates are printed in ISO form (the same for every reader and byte-identical between
// builds); on hover, each <time datetime="..."> shows the moment in the reader's own locale
// and time zone. Without JavaScript the title keeps the ISO value the build wrote.
(function () {
  "use strict";
  function localise() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var value = times[i].getAttribute("datetime");
      var when = new Date(value);
      if (isNaN(when.getTime())) continue;
      // A bare date (2026-12-07) is a calendar day, not a moment: no time of day, no shift.
      var dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
      var text = dateOnly
        ? when.toLocaleDateString(undefined, { timeZone: "UTC", dateStyle: "full" })
        : when.toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" });
      times[i].title = text + " (" + value + ")";
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", localise);
  } else {
    localise();
  }
})();
