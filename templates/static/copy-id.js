// implements: REQ-503
// The "Copy ID" button of a requirement page: hidden in the page as written (a button that
// does nothing must not show with JavaScript off), shown here, and on a click it puts the
// requirement's ID on the clipboard and says so in a live region for screen readers.
(function () {
  "use strict";
  function fallbackCopy(text) {
    // navigator.clipboard needs a secure context; a page opened over plain http falls back
    // to a selected, off-screen text field and the copy command.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.left = "-9999px";
    document.body.appendChild(field);
    field.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (e) {
      done = false;
    }
    document.body.removeChild(field);
    return done;
  }
  function setUp() {
    var buttons = document.querySelectorAll("button.copy-id[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      (function (button) {
        var status = document.getElementById(button.getAttribute("data-status") || "");
        function say(message) {
          if (status) status.textContent = message;
        }
        button.hidden = false;
        button.addEventListener("click", function () {
          var text = button.getAttribute("data-copy");
          var copied = button.getAttribute("data-copied");
          var failed = button.getAttribute("data-failed");
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(text).then(
              function () { say(copied); },
              function () { say(fallbackCopy(text) ? copied : failed); }
            );
          } else {
            say(fallbackCopy(text) ? copied : failed);
          }
        });
      })(buttons[i]);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
