/* Finger signature pad (SPEC WO-12), no dependencies.
 *
 * Markup (apps/core/templates/core/widgets/signature.html):
 *   <div data-signature-pad>
 *     <canvas></canvas>
 *     <input type="hidden" name="signature">
 *     <button type="button" data-signature-clear>Clear</button>
 *   </div>
 *
 * Draw with a finger, pen or mouse (Pointer Events). At the end of every stroke the hidden
 * input receives the drawing as "data:image/png;base64,..." (transparent background) and an
 * "input" and a "change" event bubble from it; "Clear" empties the canvas and the input.
 * A value already in the input (the form came back with another field's error) is drawn
 * again. Pads are set up on page load and in content htmx swaps in; window.SignaturePad.init(root)
 * sets up those inside root by hand.
 */
(function () {
  "use strict";
  if (window.SignaturePad) return; // loaded twice (e.g. a form swapped in again by htmx)

  var MAX_EXPORT_SCALE = 2; // a 3x phone would make a PNG 2.25x bigger with no better print
  var LINE_WIDTH = 2.2; // CSS px
  var INK = "#111";

  function setup(pad) {
    if (pad.signaturePadReady) return;
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector("input[type=hidden]");
    if (!canvas || !input) return;
    pad.signaturePadReady = true;
    var clearButton = pad.querySelector("[data-signature-clear]");
    var ctx = canvas.getContext("2d");
    var scale = 1;
    var pointerId = null;
    var last = null; // last point of the stroke
    var mid = null; // midpoint the last curve ended at
    var drawn = false;

    canvas.style.touchAction = "none"; // the finger draws instead of scrolling the page

    function notify() {
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function prepareContext() {
      ctx.setTransform(scale, 0, 0, scale, 0, 0);
      ctx.lineWidth = LINE_WIDTH;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = INK;
      ctx.fillStyle = INK;
    }

    function drawValue() {
      var value = input.value;
      if (value.indexOf("data:image/png;base64,") !== 0) return;
      var image = new Image();
      image.onload = function () {
        var width = canvas.width / scale;
        var height = canvas.height / scale;
        // Fit the saved drawing into the (possibly rotated or resized) box, keeping its shape.
        var ratio = Math.min(width / image.width, height / image.height);
        ctx.drawImage(image, 0, 0, image.width * ratio, image.height * ratio);
        drawn = true;
      };
      image.src = value;
    }

    // Size the backing store to the displayed size times the device pixel ratio: sharp strokes on
    // high-DPI screens. Resizing wipes a canvas, so the saved drawing is painted back.
    function resize() {
      var rect = canvas.getBoundingClientRect();
      if (!rect.width || !rect.height) return; // hidden (e.g. in a closed <details>): later
      var newScale = Math.max(1, window.devicePixelRatio || 1);
      var width = Math.round(rect.width * newScale);
      var height = Math.round(rect.height * newScale);
      if (canvas.width === width && canvas.height === height) return;
      scale = newScale;
      canvas.width = width;
      canvas.height = height;
      prepareContext();
      drawValue();
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    function dot(p) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, LINE_WIDTH / 2, 0, Math.PI * 2);
      ctx.fill();
    }

    // Quadratic curves through the midpoints of successive points: smooth, no corners.
    function extend(p) {
      var next = { x: (last.x + p.x) / 2, y: (last.y + p.y) / 2 };
      ctx.beginPath();
      ctx.moveTo(mid.x, mid.y);
      ctx.quadraticCurveTo(last.x, last.y, next.x, next.y);
      ctx.stroke();
      last = p;
      mid = next;
    }

    function exportPng() {
      if (scale <= MAX_EXPORT_SCALE) return canvas.toDataURL("image/png");
      var factor = MAX_EXPORT_SCALE / scale;
      var copy = document.createElement("canvas");
      copy.width = Math.round(canvas.width * factor);
      copy.height = Math.round(canvas.height * factor);
      copy.getContext("2d").drawImage(canvas, 0, 0, copy.width, copy.height);
      return copy.toDataURL("image/png");
    }

    function down(event) {
      if (pointerId !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      resize();
      pointerId = event.pointerId;
      if (canvas.setPointerCapture) canvas.setPointerCapture(pointerId);
      last = mid = point(event);
      dot(last);
    }

    function move(event) {
      if (event.pointerId !== pointerId) return;
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      if (!events.length) events = [event];
      for (var i = 0; i < events.length; i++) extend(point(events[i]));
    }

    function up(event) {
      if (event.pointerId !== pointerId) return;
      event.preventDefault();
      ctx.beginPath();
      ctx.moveTo(mid.x, mid.y);
      ctx.lineTo(last.x, last.y);
      ctx.stroke();
      pointerId = null;
      drawn = true;
      input.value = exportPng();
      notify();
    }

    function clear() {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      prepareContext();
      drawn = false;
      input.value = "";
      notify();
    }

    canvas.addEventListener("pointerdown", down);
    canvas.addEventListener("pointermove", move);
    canvas.addEventListener("pointerup", up);
    canvas.addEventListener("pointercancel", up);
    // iOS Safari before 13 has no pointer events; no touch fallback: those phones are out of support.
    if (clearButton) clearButton.addEventListener("click", clear);
    window.addEventListener("resize", resize);
    pad.signaturePadIsEmpty = function () {
      return !drawn;
    };
    resize();
  }

  function init(root) {
    var pads = (root || document).querySelectorAll("[data-signature-pad]");
    for (var i = 0; i < pads.length; i++) setup(pads[i]);
    if (root && root.matches && root.matches("[data-signature-pad]")) setup(root);
  }

  window.SignaturePad = { init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
