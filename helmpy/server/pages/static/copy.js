// Progressive enhancement: a "Copy" button on each command block (the page works without it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("pre[data-copy]").forEach(function (block) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.addEventListener("click", function () {
      var text = block.querySelector("code").textContent;
      var done = function () { button.textContent = "Copied"; };
      var fallback = function () {
        var range = document.createRange();
        range.selectNodeContents(block.querySelector("code"));
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        button.textContent = document.execCommand && document.execCommand("copy") ? "Copied" : "Press Ctrl+C";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
    block.insertBefore(button, block.firstChild);
  });
});
