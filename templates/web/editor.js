// 編集画面の自動保存: 入力が止まって 3 秒後と、タブを離れるときに下書きを保存する（記録はしない）。
// スクリプトがなくても「保存して照合」で保存できる。保存のたびにサーバーが返す新しい印（token）を
// ページの印と入れ替えるので、別の画面で保存された下書きを上書きすることはない。
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var state = document.getElementById("autosave-state");
  if (!form || !state) { return; }
  var timer = null, dirty = false, busy = false, waiting = null;

  function tokens() { return document.querySelectorAll('input[name="token"]'); }

  function save(keepalive) {
    if (!dirty || busy) { return; }
    busy = true; dirty = false;
    var data = new FormData(form);
    data.set("action", "autosave");
    // the form has buttons named "action": form.action would be those, not the URL
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin", keepalive: !!keepalive,
                         headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status === 409 ? "stale" : "failed"); }
        return r.json();
      })
      .then(function (answer) {
        tokens().forEach(function (input) { input.value = answer.token; });
        state.textContent = "下書きを自動で保存しました（" + answer.saved + "）。";
      })
      .catch(function (e) {
        dirty = true;
        state.textContent = e.message === "stale"
          ? "この下書きは別の画面で保存・記録されました。自動保存を止めています。ページを開き直してください。"
          : "自動保存できませんでした。「保存して照合」を押してください。";
        if (e.message === "stale") { dirty = false; form.removeEventListener("input", changed); }
      })
      .then(function () {
        busy = false;
        // a button pressed while a save was on its way: sent now, with the token that save returned
        if (waiting) { var button = waiting; waiting = null; form.requestSubmit(button); }
      });
  }

  function changed() {
    dirty = true;
    state.textContent = "未保存の変更があります（入力が止まると自動で保存します）。";
    clearTimeout(timer);
    timer = setTimeout(save, 3000);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (e) {
    clearTimeout(timer);
    if (busy) { e.preventDefault(); waiting = e.submitter || null; if (!waiting) { waiting = form.querySelector("#save"); } return; }
    dirty = false;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { clearTimeout(timer); save(true); }
  });
})();
