// podpub: small progressive enhancements; every link works without this file.
// - a chapter link (a[data-start], href "audio.mp3#t=83") seeks the page's player instead
//   of opening the audio file; a page address ending in #t=83 starts there too;
// - the feed address gets a copy button;
// - printing opens the collapsed transcript.
(function () {
  "use strict";
  var audio = document.getElementById("player");
  if (audio) {
    var seek = function (seconds, play) {
      audio.currentTime = seconds;
      if (play) {
        var p = audio.play();
        if (p && p.catch) p.catch(function () {});
      }
    };
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-start]");
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      var start = link.getAttribute("data-start");
      seek(parseFloat(start) || 0, true);
      if (history.replaceState) history.replaceState(null, "", "#t=" + start);
    });
    var match = /^#t=(\d+(?:\.\d+)?)$/.exec(location.hash);
    if (match) seek(parseFloat(match[1]), false);
  }
  // a printed page shows the transcript even when it was left collapsed
  window.addEventListener("beforeprint", function () {
    var all = document.querySelectorAll(".transcript details");
    for (var i = 0; i < all.length; i++) all[i].open = true;
  });
  var feed = document.querySelector("[data-copy]");
  if (feed && navigator.clipboard && window.isSecureContext) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = feed.getAttribute("data-copy-label");
    button.setAttribute("aria-live", "polite");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(feed.textContent.trim()).then(function () {
        button.textContent = feed.getAttribute("data-copied-label");
      });
    });
    feed.parentNode.insertBefore(button, feed.nextSibling);
  }
})();
