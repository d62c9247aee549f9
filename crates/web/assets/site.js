// Progressive enhancement only: every page works without this file.
// Filter forms marked data-autosubmit submit as soon as a select changes.
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t && t.tagName === "SELECT" && t.form && t.form.hasAttribute("data-autosubmit")) {
    t.form.submit();
  }
});
