// Keys for the coding page of normwatch; the page works without this file.
// j / k: next / previous statement; a / r: accept / reject its first open suggestion;
// e: the evidence field. Selecting words in a statement's text fills its evidence field.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("article.coding"));
  var at = -1;
  function focusItem(i) {
    if (!items.length) { return; }
    at = Math.max(0, Math.min(items.length - 1, i));
    items[at].focus();
    items[at].scrollIntoView({block: "start"});
  }
  function current() {
    var active = document.activeElement;
    var found = active && active.closest ? active.closest("article.coding") : null;
    return found || items[at] || null;
  }
  function submitFirst(item, action) {
    var form = item.querySelector("form[data-action='" + action + "']:not([data-done])");
    if (form) { form.submit(); }
  }
  document.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      return;
    }
    var item = current();
    if (event.key === "j") { focusItem(items.indexOf(item) + 1); }
    else if (event.key === "k") { focusItem(items.indexOf(item) - 1); }
    else if (event.key === "a" && item) { submitFirst(item, "accept"); }
    else if (event.key === "r" && item) { submitFirst(item, "reject"); }
    else if (event.key === "e" && item) { item.querySelector("input.evidence").focus(); }
    else { return; }
    event.preventDefault();
  });
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    var text = selection ? selection.toString().trim() : "";
    if (!text || !selection.anchorNode) { return; }
    var node = selection.anchorNode.nodeType === 1 ? selection.anchorNode : selection.anchorNode.parentElement;
    var box = node && node.closest(".statement-text");
    var item = box && box.closest("article.coding");
    if (item) { item.querySelector("input.evidence").value = text; }
  });
}());
