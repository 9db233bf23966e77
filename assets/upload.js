// A file over the upload limit is refused in the browser (dcc.Upload's max_size sends
// nothing): say so under the drop zone instead of doing nothing.
(function () {
  function check(files, box) {
    var limit = Number(box.getAttribute("data-limit") || 0);
    var report = box.querySelector(".upload-report");
    if (!limit || !report || !files) return;
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > limit) {
        var mb = (files[i].size / 1048576).toFixed(1);
        report.textContent = files[i].name.replace(/^.*[\\/]/, "") + " is " + mb +
          " MB: files up to " + Math.round(limit / 1048576) + " MB are read. Nothing was sent.";
        report.className = "upload-report upload-refused";
      }
    }
  }
  function boxOf(target) {
    return target && target.closest ? target.closest(".upload-box") : null;
  }
  document.addEventListener("change", function (e) {
    var box = boxOf(e.target);
    if (box && e.target.files) check(e.target.files, box);
  }, true);
  document.addEventListener("drop", function (e) {
    var box = boxOf(e.target);
    if (box && e.dataTransfer) check(e.dataTransfer.files, box);
  }, true);
})();
