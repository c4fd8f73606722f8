// The review desk's keyboard shortcuts: j / k move between proposed claims, a accepts, e edits,
// r rejects the one in focus. The page works without this script; it only saves reaching for
// the mouse. Keys typed into a field are left alone.
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.proposal"));
  if (!cards.length) { return; }
  var current = -1;
  function focus(i) {
    current = Math.max(0, Math.min(cards.length - 1, i));
    cards[current].focus();
    cards[current].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey ||
        /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName) || target.isContentEditable) { return; }
    var key = event.key;
    if (key === "j" || key === "k") {
      var at = cards.indexOf(document.activeElement.closest ? document.activeElement.closest("article.proposal") : null);
      focus((at < 0 ? current : at) + (key === "j" ? 1 : -1));
      event.preventDefault();
      return;
    }
    if (key !== "a" && key !== "e" && key !== "r") { return; }
    var card = document.activeElement.closest ? document.activeElement.closest("article.proposal") : null;
    if (!card) { card = cards[Math.max(current, 0)]; }
    var control = card.querySelector('[data-key="' + key + '"]');
    if (control) { event.preventDefault(); control.click(); }
  });
}());
