/* Loket: the add and remove buttons of Deform's repeating groups (e.g. household members).
   Deform binds them with inline onclick handlers, which the Content-Security-Policy forbids;
   our sequence templates leave those out and this file binds the same actions instead. It
   needs jQuery and deform.js, loaded before it. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var add = event.target.closest(".deform-seq-add");
    if (add) {
      event.preventDefault();
      deform.appendSequenceItem(add);
      return;
    }
    var remove = event.target.closest(".deform-close-button");
    if (remove) {
      event.preventDefault();
      deform.removeSequenceItem(remove);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { deform.load(); });
  } else {
    deform.load();
  }
})();
