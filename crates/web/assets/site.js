// Progressive enhancement only: every page works without this file.
// Filter forms marked data-autosubmit submit as soon as a select changes.
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t && t.tagName === "SELECT" && t.form && t.form.hasAttribute("data-autosubmit")) {
    t.form.submit();
  }
});

// Staff forms that send a file to a JSON endpoint (evidence, imports): with JavaScript the
// file goes straight to the API with the session's CSRF token; the page then reloads (or
// shows the refusal and its rule). Without JavaScript these forms say what they need.
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (!f || !(f.hasAttribute("data-upload") || f.hasAttribute("data-import"))) return;
  e.preventDefault();
  var status = f.querySelector(".upload-status");
  var file = f.querySelector("input[type=file]").files[0];
  if (!file) return;
  var url, body;
  if (f.hasAttribute("data-import")) {
    var xlsx = /\.xlsx$/i.test(file.name);
    url = f.getAttribute("data-import") + (xlsx ? "?format=xlsx" : "?format=csv&sheet=" + encodeURIComponent(f.querySelector("[name=sheet]").value));
    body = file;
  } else {
    // The evidence API takes the file as the body and the REC-4 metadata as parameters.
    var q = new URLSearchParams();
    ["place", "collector", "proves"].forEach(function (n) {
      var el = f.querySelector("[name=" + n + "]");
      if (el && el.value) q.set(n, el.value);
    });
    var at = f.querySelector("[name=captured_at]");
    if (at && at.value) q.set("captured_at", new Date(at.value).toISOString());
    q.set("file_name", file.name);
    url = f.getAttribute("data-upload") + "?" + q.toString();
    body = file;
  }
  if (status) status.textContent = "正在上传…";
  fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRF-Token": f.getAttribute("data-csrf") } })
    .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
    .then(function (x) {
      if (x.ok) {
        if (status) status.textContent = x.j.records !== undefined ? "导入完成：写入 " + x.j.records + " 条记录" : "上传完成";
        if (f.hasAttribute("data-upload")) window.location.reload();
        return;
      }
      var err = x.j && x.j.error ? x.j.error : { message: "上传失败", rule: "" };
      var lines = [err.message + (err.rule ? "（" + err.rule + "）" : "")];
      (err.rows || []).forEach(function (row) { lines.push(row.sheet + " 第 " + row.row + " 行：" + row.message); });
      if (status) status.textContent = lines.join("\n");
    })
    .catch(function () { if (status) status.textContent = "网络错误，上传失败"; });
});
